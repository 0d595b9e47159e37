using System.Text;

namespace Agor.Executor.Agents.Codex;

/// <summary>
/// The command line of <c>codex app-server</c> (see CODEX-HEADLESS.md sections 0, 2 and 8): a
/// custom model provider pointed at the gateway with the key in <see cref="CodexRunner.KeyVariable"/>,
/// plugins, analytics and update checks off, bounded retries, and Codex's own sandbox off.
/// Everything is a <c>-c</c> override, so nothing the agent writes into its config.toml can change it.
/// </summary>
internal static class CodexArguments
{
    /// <summary>A slug Codex's model catalogue knows: with an unknown one it offers no apply_patch tool.</summary>
    public const string DefaultModel = "gpt-5.5";

    public const string ProviderId = "agor";

    public static IReadOnlyList<string> For(string? model, string baseUrl) =>
    [
        "app-server",
        "--disable", "plugins",
        "--disable", "unbounded_connection_retries",
        "-c", "analytics.enabled=false",
        "-c", "check_for_update_on_startup=false",
        "-c", $"model_provider={Toml(ProviderId)}",
        "-c", $"model_providers.{ProviderId}.name={Toml("Agor gateway")}",
        "-c", $"model_providers.{ProviderId}.base_url={Toml(baseUrl)}",
        "-c", $"model_providers.{ProviderId}.env_key={Toml(CodexRunner.KeyVariable)}",
        "-c", $"model_providers.{ProviderId}.wire_api={Toml("responses")}",
        "-c", $"model_providers.{ProviderId}.request_max_retries=1",
        "-c", $"model_providers.{ProviderId}.stream_max_retries=1",
        "-c", $"model={Toml(model is { Length: > 0 } m ? m : DefaultModel)}",

        // Ours is the sandbox: Codex's own bwrap would nest inside it (see CodexFrames.Sandbox).
        "-c", $"sandbox_mode={Toml(CodexFrames.Sandbox)}",
    ];

    /// <summary>
    /// The base URL as Codex wants it (it posts to <c>{base_url}/responses</c>): a bare origin, as
    /// the gateway hands out for every service, gets the API's <c>/v1</c>.
    /// </summary>
    public static string BaseUrl(string? configured)
    {
        if (configured is not { Length: > 0 } url)
        {
            return "https://api.openai.com/v1";
        }

        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.AbsolutePath is "/" or ""
            ? url.TrimEnd('/') + "/v1"
            : url.TrimEnd('/');
    }

    /// <summary>A TOML basic string: the value can hold no quote or control character that ends it early.</summary>
    private static string Toml(string value)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case < ' ' or '\u007f':
                    builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.Append('"').ToString();
    }
}
