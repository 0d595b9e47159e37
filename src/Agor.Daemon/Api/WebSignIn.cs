using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Agor.Daemon.Api;

/// <summary>
/// Sign-in for the web page. One-time login codes (256 random bits, valid 60 s) live in memory as
/// SHA-256 hashes only. Redeeming one issues a session cookie that the daemon signs with a key
/// derived from the API token (HMAC-SHA256): a daemon restart keeps the browser signed in, so the
/// page reconnects by itself; rotating <c>api-token</c> signs every browser out. Signing out
/// revokes the cookie's id in memory (the browser drops the cookie too). The id is the decoded
/// bytes, never the text, and only the one canonical base64url text of a cookie is accepted: a
/// cookie re-encoded (another alphabet, padding, spare trailing bits) is no cookie at all.
/// </summary>
internal sealed class WebSignIn(string apiToken, TimeProvider clock)
{
    public const string CookieName = "agor_session";

    public static readonly TimeSpan LinkLifetime = TimeSpan.FromSeconds(60);

    public static readonly TimeSpan SessionLifetime = TimeSpan.FromDays(7);

    private readonly byte[] _key = HMACSHA256.HashData(SHA256.HashData(Encoding.UTF8.GetBytes(apiToken)), "agor web session v1"u8);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _codes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _revoked = new(StringComparer.Ordinal);

    /// <summary>A fresh one-time code (256 random bits, base64url).</summary>
    public string IssueCode()
    {
        Sweep();
        var code = Base64Url(RandomNumberGenerator.GetBytes(32));
        _codes[Hash(code)] = clock.GetUtcNow() + LinkLifetime;
        return code;
    }

    /// <summary>Uses up a code: a new session cookie value if it was issued, unused and unexpired; else null.</summary>
    public string? Redeem(string? code)
    {
        if (string.IsNullOrEmpty(code) || code.Length > 128 || !_codes.TryRemove(Hash(code), out var expires) || expires < clock.GetUtcNow())
        {
            return null;
        }

        // payload: 16 random bytes (the session id) and the expiry in Unix seconds, big-endian.
        var payload = new byte[24];
        RandomNumberGenerator.Fill(payload.AsSpan(0, 16));
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(16), (clock.GetUtcNow() + SessionLifetime).ToUnixTimeSeconds());
        return Base64Url(payload) + "." + Base64Url(HMACSHA256.HashData(_key, payload));
    }

    /// <summary>Whether a session cookie's value was signed by this daemon's key, is unexpired and not signed out.</summary>
    public bool IsSession(string? value) => Verify(value) is { } id && !_revoked.ContainsKey(id);

    public void SignOut(string? value)
    {
        if (Verify(value) is { } id)
        {
            _revoked[id] = clock.GetUtcNow() + SessionLifetime;
        }
    }

    private string? Verify(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 128 || value.Split('.') is not [var payloadText, var macText])
        {
            return null;
        }

        var payload = FromBase64Url(payloadText);
        var mac = FromBase64Url(macText);
        if (payload is not { Length: 24 } || mac is null || !CryptographicOperations.FixedTimeEquals(mac, HMACSHA256.HashData(_key, payload)))
        {
            return null;
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(16)));
        return expires >= clock.GetUtcNow() ? Convert.ToHexString(payload, 0, 16) : null;
    }

    private void Sweep()
    {
        var now = clock.GetUtcNow();
        foreach (var (hash, expires) in _codes)
        {
            if (expires < now)
            {
                _codes.TryRemove(hash, out _);
            }
        }

        foreach (var (id, expires) in _revoked)
        {
            if (expires < now)
            {
                _revoked.TryRemove(id, out _);
            }
        }
    }

    // Code hashes are compared as dictionary keys; a timing difference there reveals nothing about a code.
    private static string Hash(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Decodes unpadded base64url; null unless <paramref name="text"/> is exactly how <see cref="Base64Url"/> writes those bytes.</summary>
    private static byte[]? FromBase64Url(string text)
    {
        if (text.Length % 4 == 1 || !text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return null;
        }

        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        try
        {
            var bytes = Convert.FromBase64String(padded);

            // Decoding ignores a last character's spare bits, so several texts give these bytes; only one is the cookie.
            return string.Equals(Base64Url(bytes), text, StringComparison.Ordinal) ? bytes : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
