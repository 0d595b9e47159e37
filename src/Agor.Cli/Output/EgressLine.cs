using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Agor.Cli.Output;

/// <summary>
/// One connection of <c>GET /tasks/{id}/egress</c> as one line:
/// <c>✓ example.com:443 → 93.184.215.14 · 1.2 KiB up, 30.5 KiB down</c>, or
/// <c>✗ 169.254.169.254:80 → 169.254.169.254 · refused: link_local_address: …</c>.
/// Host and reason come from the agent's side: control characters are shown as <c>?</c>, so a
/// crafted name cannot drive the terminal.
/// </summary>
internal static class EgressLine
{
    public static string Describe(JsonElement connection)
    {
        var allowed = connection.Member("allowed").ValueKind == JsonValueKind.True;
        var line = new StringBuilder();
        line.Append(allowed ? "✓ " : "✗ ");
        line.Append(Printable(HostPort(connection.Text("host"), connection.Text("port"))));
        if (connection.Text("address") is { Length: > 0 } address)
        {
            line.Append(" → ").Append(Printable(address));
        }

        line.Append(" · ").Append(Bytes(connection.Number("bytes_up") ?? 0)).Append(" up, ").Append(Bytes(connection.Number("bytes_down") ?? 0)).Append(" down");
        var reason = connection.Text("reason");
        if (!allowed)
        {
            line.Append(" · refused: ").Append(reason.Length > 0 ? Printable(reason) : "no reason given");
        }
        else if (reason.Length > 0 && reason != "allowed")
        {
            // Allowed by the policy, yet not carried through (the upstream did not answer).
            line.Append(" · ").Append(Printable(reason));
        }

        return line.ToString();
    }

    /// <summary>A byte count for people: <c>512 B</c>, <c>1.5 KiB</c>, <c>3.2 MiB</c>.</summary>
    public static string Bytes(long count) => count switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{count} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{count / 1024.0:0.0} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{count / (1024.0 * 1024):0.0} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{count / (1024.0 * 1024 * 1024):0.0} GiB"),
    };

    private static string HostPort(string host, string port) =>
        host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";

    private static string Printable(string text) =>
        string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
}
