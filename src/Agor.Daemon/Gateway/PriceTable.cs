using Agor.Daemon.Gateway.Upstreams;

namespace Agor.Daemon.Gateway;

/// <summary>US dollars per million tokens of one model family.</summary>
internal sealed record ModelPrice(double Input, double Output, double CacheWrite, double CacheRead);

/// <summary>
/// Built-in list prices (USD per million tokens) per service, matched by the longest model-name
/// prefix. They are examples taken from each vendor's public price list when written, not kept
/// current; for OpenAI and Google the standard tier below any long-context surcharge. An unknown
/// model of a service is priced as that service's dearest figures, so a cap is never reached later
/// than it should be (its tokens are counted either way).
/// </summary>
internal static class PriceTable
{
    private static readonly (string Prefix, ModelPrice Price)[] Anthropic =
    [
        ("claude-opus-4-5", new(5, 25, 6.25, 0.5)),
        ("claude-opus-4", new(15, 75, 18.75, 1.5)),
        ("claude-3-opus", new(15, 75, 18.75, 1.5)),
        ("claude-sonnet-4", new(3, 15, 3.75, 0.3)),
        ("claude-3-7-sonnet", new(3, 15, 3.75, 0.3)),
        ("claude-3-5-sonnet", new(3, 15, 3.75, 0.3)),
        ("claude-haiku-4-5", new(1, 5, 1.25, 0.1)),
        ("claude-3-5-haiku", new(0.8, 4, 1, 0.08)),
        ("claude-3-haiku", new(0.25, 1.25, 0.3, 0.03)),
    ];

    // OpenAI bills no cache writes; cached input is the CacheRead figure.
    private static readonly (string Prefix, ModelPrice Price)[] OpenAi =
    [
        ("gpt-5", new(1.25, 10, 0, 0.125)),
        ("gpt-5-mini", new(0.25, 2, 0, 0.025)),
        ("gpt-5-nano", new(0.05, 0.4, 0, 0.005)),
        ("gpt-4.1", new(2, 8, 0, 0.5)),
        ("gpt-4.1-mini", new(0.4, 1.6, 0, 0.1)),
        ("o4-mini", new(1.1, 4.4, 0, 0.275)),
    ];

    // Implicit caching: no write charge; cached input is the CacheRead figure.
    private static readonly (string Prefix, ModelPrice Price)[] Google =
    [
        ("gemini-3-pro", new(2, 12, 0, 0.2)),
        ("gemini-2.5-pro", new(1.25, 10, 0, 0.125)),
        ("gemini-2.5-flash", new(0.3, 2.5, 0, 0.03)),
        ("gemini-2.5-flash-lite", new(0.1, 0.4, 0, 0.01)),
    ];

    /// <summary>The Anthropic fallback (the dearest Claude figures).</summary>
    public static readonly ModelPrice Fallback = Dearest(Anthropic);

    private static readonly ModelPrice OpenAiFallback = Dearest(OpenAi);
    private static readonly ModelPrice GoogleFallback = Dearest(Google);

    public static ModelPrice For(string? model) => For(GatewayServices.Anthropic, model);

    public static ModelPrice For(string service, string? model)
    {
        var (table, fallback) = service switch
        {
            GatewayServices.OpenAi => (OpenAi, OpenAiFallback),
            GatewayServices.Google => (Google, GoogleFallback),
            _ => (Anthropic, Fallback),
        };
        if (model is null)
        {
            return fallback;
        }

        // Gemini names may come as "models/gemini-2.5-pro".
        if (model.StartsWith("models/", StringComparison.Ordinal))
        {
            model = model["models/".Length..];
        }

        ModelPrice? best = null;
        var bestLength = 0;
        foreach (var (prefix, price) in table)
        {
            if (prefix.Length > bestLength && model.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                best = price;
                bestLength = prefix.Length;
            }
        }

        return best ?? fallback;
    }

    public static double Cost(string? model, ModelUsage usage) => Cost(GatewayServices.Anthropic, model, usage);

    public static double Cost(string service, string? model, ModelUsage usage)
    {
        var price = For(service, model);
        return ((usage.InputTokens * price.Input)
            + (usage.OutputTokens * price.Output)
            + (usage.CacheCreationInputTokens * price.CacheWrite)
            + (usage.CacheReadInputTokens * price.CacheRead)) / 1_000_000.0;
    }

    private static ModelPrice Dearest((string Prefix, ModelPrice Price)[] table) => new(
        table.Max(p => p.Price.Input), table.Max(p => p.Price.Output), table.Max(p => p.Price.CacheWrite), table.Max(p => p.Price.CacheRead));
}
