namespace Agor.Cli.Output;

/// <summary>
/// Colour for people: only on a stream that is a terminal, never with <c>NO_COLOR</c> set (any
/// value, see no-color.org) or <c>TERM=dumb</c>, so piped output and logs stay plain text.
/// </summary>
internal static class Paint
{
    private static readonly bool Suppressed =
        Environment.GetEnvironmentVariable("NO_COLOR") is { Length: > 0 } || Environment.GetEnvironmentVariable("TERM") == "dumb";

    /// <summary>Whether text written to <paramref name="writer"/> may carry colour.</summary>
    public static bool EnabledFor(TextWriter writer) =>
        !Suppressed && (ReferenceEquals(writer, Console.Out) ? !Console.IsOutputRedirected : ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected);

    public static string Ok(string text, bool enabled) => Wrap("32", text, enabled);

    public static string Fail(string text, bool enabled) => Wrap("31", text, enabled);

    public static string Warn(string text, bool enabled) => Wrap("33", text, enabled);

    public static string Dim(string text, bool enabled) => Wrap("2", text, enabled);

    public static string Bold(string text, bool enabled) => Wrap("1", text, enabled);

    /// <summary>A task's or a permission request's status: green when it went through, red when not, yellow while waiting.</summary>
    public static string Status(string status, string text, bool enabled) => status switch
    {
        "completed" or "allowed" => Ok(text, enabled),
        "failed" or "cancelled" or "denied" or "timed_out" => Fail(text, enabled),
        "awaiting_permission" or "pending" or "queued" => Warn(text, enabled),
        _ => text,
    };

    private static string Wrap(string code, string text, bool enabled) =>
        enabled && text.Length > 0 ? $"\u001b[{code}m{text}\u001b[0m" : text;
}
