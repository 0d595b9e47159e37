namespace Agor.Daemon.Api;

/// <summary>
/// The daemon's own origin (<c>http://host:port</c>) as it actually listens: the configured
/// <c>daemon.host</c> with the port the server bound (which differs when <c>daemon.port</c> is 0).
/// The sign-in link and the cross-site check use it, never a request's <c>Host</c> header, which
/// the client chooses. Set once the server listens, before any request is served.
/// </summary>
internal sealed class DaemonAddress
{
    private string? _origin;

    /// <summary>e.g. <c>http://127.0.0.1:3030</c>: scheme, host and port, no path, no trailing slash.</summary>
    public string Origin => Volatile.Read(ref _origin) ?? throw new InvalidOperationException("The daemon's address is not known before it listens.");

    /// <summary>Records the address the server reported, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public void Set(string address) => Volatile.Write(ref _origin, new Uri(address).GetLeftPart(UriPartial.Authority));

    /// <summary>Whether <paramref name="origin"/> (a request's <c>Origin</c> header) is the daemon's own.</summary>
    public bool IsOwn(string origin) =>
        Volatile.Read(ref _origin) is { } own
        && Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && string.Equals(uri.GetLeftPart(UriPartial.Authority), own, StringComparison.OrdinalIgnoreCase)
        && origin.TrimEnd('/').Length == own.Length;
}
