using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;

namespace Agor.Daemon.Egress;

/// <summary>
/// What the policy says about one destination: the address to connect to, or why not (with the
/// resolved address that was refused, when there was one, for the record).
/// </summary>
internal sealed record EgressDecision(IPAddress? Address, string? Refusal)
{
    public bool Allowed => Refusal is null && Address is not null;
}

/// <summary>
/// Decides on resolved addresses, not names: a destination passes when an entry names it (name,
/// wildcard, address or range, port included) and the address it resolved to is public — or, for a
/// loopback, link-local, private, unspecified or multicast address, when an entry names that
/// address or a range inside that range (a wider one, like <c>0.0.0.0/0</c>, does not), or (for
/// loopback alone) names the host with an explicit port. The daemon's own listeners on loopback
/// (its API, the gateway, the proxy) are refused whatever an entry says.
/// </summary>
internal sealed class EgressPolicy(IReadOnlyList<AllowedHost> allowed)
{
    private ImmutableHashSet<int> _reservedPorts = [];

    private static readonly (IPNetwork Range, string Kind)[] Special =
    [
        (IPNetwork.Parse("127.0.0.0/8"), "loopback"),
        (IPNetwork.Parse("::1/128"), "loopback"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local"),
        (IPNetwork.Parse("fe80::/10"), "link-local"),
        (IPNetwork.Parse("10.0.0.0/8"), "private"),
        (IPNetwork.Parse("172.16.0.0/12"), "private"),
        (IPNetwork.Parse("192.168.0.0/16"), "private"),
        (IPNetwork.Parse("100.64.0.0/10"), "private"),
        (IPNetwork.Parse("fc00::/7"), "private"),
        (IPNetwork.Parse("0.0.0.0/8"), "unspecified"),
        (IPNetwork.Parse("::/128"), "unspecified"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast"),
        (IPNetwork.Parse("255.255.255.255/32"), "multicast"),
        (IPNetwork.Parse("ff00::/8"), "multicast"),
    ];

    public IReadOnlyList<AllowedHost> Allowed { get; } = allowed;

    /// <summary>A port of the daemon's own on loopback: never a destination.</summary>
    public void ReservePort(int port) => ImmutableInterlocked.Update(ref _reservedPorts, set => set.Add(port));

    /// <summary>Does any entry name this host and port at all? (Checked before resolving.)</summary>
    public bool NamesHost(string host, int port)
    {
        var literal = IPAddress.TryParse(host, out var address) ? AllowedHost.Normalize(address) : null;
        return Allowed.Any(e => e.MatchesPort(port) && (literal is null ? e.MatchesName(host) : e.MatchesAddress(literal)));
    }

    /// <summary>Picks the first resolved address that passes; the caller connects to exactly that one.</summary>
    public EgressDecision Decide(string host, int port, IReadOnlyList<IPAddress> resolved)
    {
        if (!NamesHost(host, port))
        {
            return new EgressDecision(null, $"not_allowed: {host}:{port} is not in network.allowed_hosts");
        }

        string? refusal = null;
        IPAddress? refused = null;
        foreach (var raw in resolved)
        {
            var address = AllowedHost.Normalize(raw);
            if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            {
                continue;
            }

            if (IsDaemonListener(address, port))
            {
                refusal ??= $"daemon_port: {host}:{port} is one of the daemon's own listeners, which agents never reach through the proxy";
                refused ??= address;
                continue;
            }

            if (SpecialRangeOf(address) is not ({ } range, { } kind)
                || Allowed.Any(e => e.MatchesPort(port) && e.Range is { } r && r.Contains(address) && Inside(r, range))
                || (kind == "loopback" && NamesLoopbackHost(host, port)))
            {
                return new EgressDecision(address, null);
            }

            refusal ??= $"{kind.Replace('-', '_')}_address: {host} resolved to {address}, a {kind} address, which only an entry naming that address or range opens";
            refused ??= address;
        }

        return new EgressDecision(refused, refusal ?? $"no_address: {host} resolved to no usable address");
    }

    private bool IsDaemonListener(IPAddress address, int port) =>
        Volatile.Read(ref _reservedPorts).Contains(port) && SpecialRangeOf(address)?.Kind is "loopback" or "unspecified";

    /// <summary>The kind of a non-public address (<c>loopback</c>, <c>link-local</c>, <c>private</c>, <c>unspecified</c>, <c>multicast</c>), or null.</summary>
    public static string? KindOf(IPAddress address) => SpecialRangeOf(address)?.Kind;

    private static (IPNetwork Range, string Kind)? SpecialRangeOf(IPAddress address)
    {
        var normalized = AllowedHost.Normalize(address);
        foreach (var special in Special)
        {
            if (special.Range.BaseAddress.AddressFamily == normalized.AddressFamily && special.Range.Contains(normalized))
            {
                return special;
            }
        }

        return null;
    }

    // An entry opens a special range only from inside it: 169.254.169.254 or 10.0.0.0/8 does, 0.0.0.0/0 does not.
    private static bool Inside(IPNetwork entry, IPNetwork special) =>
        entry.BaseAddress.AddressFamily == special.BaseAddress.AddressFamily && entry.PrefixLength >= special.PrefixLength && special.Contains(entry.BaseAddress);

    // A loopback test server is opened by naming it with its port: `localhost:PORT` (or the address itself).
    private bool NamesLoopbackHost(string host, int port) =>
        Allowed.Any(e => e.Port == port && !e.Wildcard && e.MatchesName(host));
}
