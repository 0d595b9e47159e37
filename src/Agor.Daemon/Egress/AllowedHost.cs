using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Agor.Daemon.Egress;

/// <summary>
/// One <c>network.allowed_hosts</c> entry: a name (<c>example.com</c>), a wildcard
/// (<c>*.example.com</c>: its subdomains, not the name itself), an address or a CIDR range, each
/// with an optional port (<c>host:443</c>, <c>[::1]:8080</c>, <c>10.0.0.0/8:5432</c>).
/// </summary>
internal sealed record AllowedHost(string Text, string? Name, bool Wildcard, IPNetwork? Range, int? Port)
{
    /// <summary>True when the entry names an address or a range (not a name).</summary>
    public bool IsAddress => Range is not null;

    public bool MatchesPort(int port) => Port is null || Port == port;

    /// <summary>Does the entry name this host (as the request spelled it, lower case)?</summary>
    public bool MatchesName(string host) =>
        Name is not null && (Wildcard
            ? host.Length > Name.Length + 1 && host.EndsWith("." + Name, StringComparison.Ordinal)
            : string.Equals(host, Name, StringComparison.Ordinal));

    public bool MatchesAddress(IPAddress address) => Range is { } range && range.Contains(Normalize(address));

    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>Parses an entry; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static AllowedHost Parse(string text)
    {
        var entry = text.Trim().ToLowerInvariant();
        if (entry.Length == 0)
        {
            throw new FormatException("an entry is empty");
        }

        var (hostPart, port) = SplitPort(entry, text);
        if (IPNetwork.TryParse(hostPart, out var network))
        {
            return new AllowedHost(text, null, false, network, port);
        }

        if (IPAddress.TryParse(hostPart, out var address))
        {
            var normalized = Normalize(address);
            return new AllowedHost(text, null, false, new IPNetwork(normalized, normalized.AddressFamily == AddressFamily.InterNetwork ? 32 : 128), port);
        }

        var wildcard = hostPart.StartsWith("*.", StringComparison.Ordinal);
        var name = wildcard ? hostPart[2..] : hostPart;
        if (name.Length == 0 || name.Length > 253 || name.Split('.').Any(label => label.Length is 0 or > 63 || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')))
        {
            throw new FormatException($"'{text}' is not a host name, '*.' wildcard, address or CIDR range");
        }

        return new AllowedHost(text, name, wildcard, null, port);
    }

    private static (string Host, int? Port) SplitPort(string entry, string original)
    {
        if (entry.StartsWith('['))
        {
            var close = entry.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException($"'{original}' opens '[' without closing it");
            }

            var rest = entry[(close + 1)..];
            return (entry[1..close], rest.Length == 0 ? null : rest.StartsWith(':') ? ParsePort(rest[1..], original) : throw new FormatException($"'{original}': only ':port' may follow ']'"));
        }

        // A bare IPv6 address or range has several colons and no port.
        var colons = entry.Count(c => c == ':');
        if (colons == 1)
        {
            var at = entry.IndexOf(':', StringComparison.Ordinal);
            return (entry[..at], ParsePort(entry[(at + 1)..], original));
        }

        return (entry, null);
    }

    private static int ParsePort(string text, string original) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : throw new FormatException($"'{original}' has a port that is not 1-65535");
}
