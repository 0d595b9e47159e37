using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Agor.Daemon.Api;

/// <summary>
/// Every endpoint but <c>GET /health</c>, the sign-in link and the web page's static files needs
/// either <c>Authorization: Bearer &lt;api-token&gt;</c> (compared in constant time) or the web
/// page's session cookie. A request that changes something and is authenticated by the cookie must
/// also show it comes from the page: the <c>X-Agor-Request</c> header (which a cross-site form
/// cannot send) or an <c>Origin</c> equal to the daemon's own address (<see cref="DaemonAddress"/>:
/// what it listens on, never the request's <c>Host</c>, which a DNS-rebinding page controls); else 403.
/// </summary>
internal sealed class ApiTokenAuthentication(string token, WebSignIn signIn, DaemonAddress address)
{
    public const string PageHeader = "X-Agor-Request";

    private const string BearerMarker = "agor.bearer";

    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>Whether this request was authenticated by the API token (not by a browser cookie).</summary>
    public static bool HasBearer(HttpContext context) => context.Items.ContainsKey(BearerMarker);

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (IsBearer(request))
        {
            context.Items[BearerMarker] = true;
            await next(context);
            return;
        }

        if (IsPublic(request))
        {
            await next(context);
            return;
        }

        if (signIn.IsSession(request.Cookies[WebSignIn.CookieName]))
        {
            if (!IsSafeMethod(request.Method) && !ComesFromThePage(request))
            {
                await Forbidden().ExecuteAsync(context);
                return;
            }

            await next(context);
            return;
        }

        context.Response.Headers.WWWAuthenticate = "Bearer";
        await Problems.Unauthorized().ExecuteAsync(context);
    }

    private static IResult Forbidden() =>
        Problems.Forbidden($"A request that changes something and is signed in by cookie must carry the '{PageHeader}: 1' header or a same-origin 'Origin'.");

    private static bool IsPublic(HttpRequest request) =>
        request.Path.Equals("/health", StringComparison.Ordinal)
        || (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            && (request.Path.Equals(LoginEndpoints.LoginPath, StringComparison.Ordinal) || WebPage.IsPublic(request.Path));

    private static bool IsSafeMethod(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);

    private bool ComesFromThePage(HttpRequest request)
    {
        if (request.Headers[PageHeader].ToString() == "1")
        {
            return true;
        }

        var origin = request.Headers.Origin.ToString();
        return origin.Length > 0 && address.IsOwn(origin);
    }

    private bool IsBearer(HttpRequest request)
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
