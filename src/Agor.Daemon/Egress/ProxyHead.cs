using System.Globalization;
using System.Text;

namespace Agor.Daemon.Egress;

/// <summary>A parsed request head: the request line and the header lines, as the client sent them.</summary>
internal sealed record ProxyHead(string Method, string Target, string Version, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>Parses the head (without its closing blank line); null when it is not HTTP/1.x.</summary>
    public static ProxyHead? Parse(ReadOnlySpan<byte> bytes)
    {
        var text = Encoding.Latin1.GetString(bytes);
        var lines = text.Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return null;
        }

        var headers = new List<KeyValuePair<string, string>>(lines.Length - 1);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return null;
            }

            headers.Add(new(line[..colon].Trim(), line[(colon + 1)..].Trim()));
        }

        return new ProxyHead(parts[0], parts[1], parts[2], headers);
    }

    /// <summary>The destination of a CONNECT (<c>host:port</c>, <c>[v6]:port</c>); false when malformed.</summary>
    public static bool TryParseAuthority(string authority, int defaultPort, out string host, out int port)
    {
        host = string.Empty;
        port = defaultPort;
        string portText;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = authority[1..close];
            portText = authority[(close + 1)..];
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            host = colon < 0 ? authority : authority[..colon];
            portText = colon < 0 ? string.Empty : authority[colon..];
        }

        host = host.TrimEnd('.').ToLowerInvariant();
        if (host.Length == 0 || host.Length > 253 || host.Any(c => c <= ' ' || c is '/' or '@' or '\\'))
        {
            return false;
        }

        if (portText.Length == 0)
        {
            return defaultPort > 0;
        }

        return portText[0] == ':' && int.TryParse(portText.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535;
    }
}
