using System.Security.Cryptography;
using System.Text;
using Agor.Daemon.Configuration;
using Agor.Daemon.Domain;
using Agor.Daemon.Storage;
using Agor.Protocol.JsonRpc;

namespace Agor.Daemon.Security;

/// <summary>
/// Mints the per-task tokens executors present, and checks them. A token is 256 random bits; the
/// daemon keeps only its SHA-256 hash, bound to the session, the task and one executor connection.
/// </summary>
internal sealed class SessionTokenService(ITokenStore tokens, ExecutionSettings settings, TimeProvider clock)
{
    private const string Refusal = "Invalid or expired session token.";

    /// <summary>Creates a token for a task run by <paramref name="executorId"/>; returns the token itself (never stored) and its expiry.</summary>
    public async Task<(string Token, DateTimeOffset ExpiresAt)> MintAsync(string sessionId, string taskId, string executorId, CancellationToken cancellationToken = default)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var expiresAt = clock.GetUtcNow().AddMilliseconds(settings.SessionTokenExpirationMs);
        await tokens.CreateAsync(
            new SessionToken
            {
                Hash = Hash(token),
                SessionId = sessionId,
                TaskId = taskId,
                ExecutorId = executorId,
                ExpiresAt = expiresAt,
                MaxUses = settings.SessionTokenMaxUses,
            },
            cancellationToken);
        return (token, expiresAt);
    }

    /// <summary>
    /// Checks a token presented on <paramref name="executorId"/>'s connection and counts the use.
    /// Throws -32001 for an unknown, expired, revoked, over-used or foreign token; the message
    /// does not say which, to tell a prober nothing.
    /// </summary>
    public async Task<SessionToken> ValidateAsync(string? token, string executorId, string? taskId, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(token))
        {
            throw Refused();
        }

        var record = await tokens.UseAsync(Hash(token), cancellationToken);
        if (record is null
            || record.Revoked
            || record.ExpiresAt <= clock.GetUtcNow()
            || record.Uses > record.MaxUses
            || record.ExecutorId != executorId
            || (taskId is not null && record.TaskId != taskId))
        {
            throw Refused();
        }

        return record;
    }

    public Task RevokeAsync(string token, CancellationToken cancellationToken = default) => tokens.RevokeAsync(Hash(token), cancellationToken);

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static JsonRpcException Refused() => new(JsonRpcErrorCode.InvalidSessionToken, Refusal);
}
