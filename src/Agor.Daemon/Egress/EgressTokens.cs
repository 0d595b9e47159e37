using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Agor.Daemon.Egress;

/// <summary>
/// The per-task proxy credentials: a random token minted when a task asks for its context, held
/// only as its SHA-256 (the token itself lives in the agent's environment), and revoked when the
/// task ends. A token opens the proxy for its task alone.
/// </summary>
internal sealed class EgressTokens
{
    /// <summary>The user name of the proxy credentials (<c>agor:&lt;token&gt;</c>).</summary>
    public const string UserName = "agor";

    private readonly ConcurrentDictionary<string, string> _taskByHash = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _hashByTask = new(StringComparer.Ordinal);

    /// <summary>A fresh token for the task; an earlier one of the same task stops working.</summary>
    public string Mint(string taskId)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var hash = Hash(token);
        _taskByHash[hash] = taskId;
        if (_hashByTask.TryGetValue(taskId, out var previous))
        {
            _taskByHash.TryRemove(previous, out _);
        }

        _hashByTask[taskId] = hash;
        return token;
    }

    public void Revoke(string taskId)
    {
        if (_hashByTask.TryRemove(taskId, out var hash))
        {
            _taskByHash.TryRemove(hash, out _);
        }
    }

    /// <summary>The task of a <c>Proxy-Authorization</c> header value (<c>Basic base64(agor:token)</c>), or null.</summary>
    public string? TaskOf(string? proxyAuthorization)
    {
        const string Scheme = "Basic ";
        if (proxyAuthorization is null || !proxyAuthorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || proxyAuthorization.Length > 512)
        {
            return null;
        }

        string credentials;
        try
        {
            credentials = Encoding.UTF8.GetString(Convert.FromBase64String(proxyAuthorization[Scheme.Length..].Trim()));
        }
        catch (FormatException)
        {
            return null;
        }

        var colon = credentials.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || !string.Equals(credentials[..colon], UserName, StringComparison.Ordinal))
        {
            return null;
        }

        return _taskByHash.TryGetValue(Hash(credentials[(colon + 1)..]), out var taskId) ? taskId : null;
    }

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
