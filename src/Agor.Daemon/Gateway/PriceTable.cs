namespace Agor.Daemon.Gateway;

/// <summary>US dollars per million tokens of one model family.</summary>
internal sealed record ModelPrice(double Input, double Output, double CacheWrite, double CacheRead);

/// <summary>
/// Built-in list prices (USD per million tokens, Anthropic's public price list), matched by the
/// longest model-name prefix. An unknown model is priced as the dearest family, so a cap is never
/// reached later than it should be.
/// </summary>
internal static class PriceTable
{
    public static readonly ModelPrice Fallback = new(15, 75, 18.75, 1.5);

    private static readonly (string Prefix, ModelPrice Price)[] Prices =
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

    public static ModelPrice For(string? model)
    {
        if (model is null)
        {
            return Fallback;
        }

        ModelPrice? best = null;
        var bestLength = 0;
        foreach (var (prefix, price) in Prices)
        {
            if (prefix.Length > bestLength && model.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                best = price;
                bestLength = prefix.Length;
            }
        }

        return best ?? Fallback;
    }

    public static double Cost(string? model, ModelUsage usage)
    {
        var price = For(model);
        return ((usage.InputTokens * price.Input)
            + (usage.OutputTokens * price.Output)
            + (usage.CacheCreationInputTokens * price.CacheWrite)
            + (usage.CacheReadInputTokens * price.CacheRead)) / 1_000_000.0;
    }
}
