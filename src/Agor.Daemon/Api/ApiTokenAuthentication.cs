using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Agor.Daemon.Api;

/// <summary>Every endpoint but <c>GET /health</c> needs <c>Authorization: Bearer &lt;api-token&gt;</c>; compared in constant time.</summary>
internal sealed class ApiTokenAuthentication(string token)
{
    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Path.Equals("/health", StringComparison.Ordinal) || IsAuthorized(context.Request))
        {
            await next(context);
            return;
        }

        context.Response.Headers.WWWAuthenticate = "Bearer";
        await Problems.Unauthorized().ExecuteAsync(context);
    }

    private bool IsAuthorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, _expected);
    }
}
