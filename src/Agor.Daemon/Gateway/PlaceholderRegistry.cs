using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Agor.Daemon.Gateway;

/// <summary>
/// The agents' placeholder keys: random per-task tokens, kept only as their SHA-256 (in memory:
/// the daemon owns the task's life, and a restart ends every task), bound to their task and
/// useless once it is revoked. Each is bound to ONE service too: an OpenAI placeholder opens
/// nothing on the Gemini or Anthropic routes.
/// </summary>
internal sealed class PlaceholderRegistry
{
    public const string Prefix = "agor-ph-";

    private readonly ConcurrentDictionary<string, PlaceholderBinding> _byHash = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<GatewayTask, ConcurrentBag<string>> _hashesByTask = new();

    public string Mint(GatewayTask task, string service)
    {
        var token = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var hash = Hash(token);
        _hashesByTask.GetOrAdd(task, _ => []).Add(hash);
        _byHash[hash] = new PlaceholderBinding(task, service);

        // Revoked meanwhile: the new token must not outlive it.
        if (task.Revoked)
        {
            Revoke(task);
        }

        return token;
    }

    /// <summary>The task and service a presented token belongs to; null when it is unknown or revoked.</summary>
    public PlaceholderBinding? Find(string? token)
    {
        if (token is null || !token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length > 128)
        {
            return null;
        }

        // A dictionary lookup by hash: the hash of a guess tells nothing of the stored ones.
        return _byHash.TryGetValue(Hash(token), out var binding) && !binding.Task.Revoked ? binding : null;
    }

    public void Revoke(GatewayTask task)
    {
        task.Revoke();
        if (_hashesByTask.TryRemove(task, out var hashes))
        {
            foreach (var hash in hashes)
            {
                _byHash.TryRemove(hash, out _);
            }
        }
    }

    public int Count => _byHash.Count;

    private static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>What a placeholder opens: its task's budget, through one service's routes.</summary>
internal sealed record PlaceholderBinding(GatewayTask Task, string Service);
