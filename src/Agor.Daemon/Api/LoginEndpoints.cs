using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Agor.Daemon.Api;

/// <summary>
/// <c>POST /auth/login-link</c> (bearer token only) → <c>{url}</c>, a one-time link valid for 60 s;
/// <c>GET /auth/login?code=…</c> turns it into an HttpOnly, SameSite=Strict session cookie and
/// redirects to the page; <c>POST /auth/logout</c> ends the browser session.
/// </summary>
internal static class LoginEndpoints
{
    public const string LoginPath = "/auth/login";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/auth/login-link", CreateLink);
        app.MapGet(LoginPath, Login);
        app.MapPost("/auth/logout", Logout);
    }

    private static IResult CreateLink(HttpContext context, WebSignIn signIn, DaemonAddress address)
    {
        // A browser session must not mint links for others: only the API token may.
        if (!ApiTokenAuthentication.HasBearer(context))
        {
            return Problems.Unauthorized();
        }

        // The daemon's own address, not the request's Host header: a link must never point elsewhere.
        var url = $"{address.Origin}{LoginPath}?code={signIn.IssueCode()}";
        return Results.Json(new LoginLinkView(url, (int)WebSignIn.LinkLifetime.TotalSeconds), WebJsonContext.Default.LoginLinkView);
    }

    private static IResult Login(HttpContext context, WebSignIn signIn)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        var secret = signIn.Redeem(context.Request.Query["code"].ToString());
        if (secret is null)
        {
            return Results.Content(
                """
                <!doctype html>
                <html lang="en">
                <head>
                  <meta charset="utf-8">
                  <meta name="viewport" content="width=device-width, initial-scale=1">
                  <title>Agor: sign-in failed</title>
                  <link rel="stylesheet" href="/ui/app.css">
                </head>
                <body>
                  <header class="top"><a class="brand" href="/">Agor</a></header>
                  <main class="main notice">
                    <section>
                      <h1>This sign-in link is not valid</h1>
                      <p>It was used already or it expired (links last 60 seconds).</p>
                      <p>Run <code>agor open</code> on the daemon's machine for a new one.</p>
                    </section>
                  </main>
                </body>
                </html>
                """,
                "text/html; charset=utf-8",
                statusCode: StatusCodes.Status401Unauthorized);
        }

        context.Response.Cookies.Append(WebSignIn.CookieName, secret, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            Secure = context.Request.IsHttps,
            MaxAge = WebSignIn.SessionLifetime,
        });
        return Results.Redirect("/");
    }

    private static IResult Logout(HttpContext context, WebSignIn signIn)
    {
        signIn.SignOut(context.Request.Cookies[WebSignIn.CookieName]);
        context.Response.Cookies.Delete(WebSignIn.CookieName, new CookieOptions { Path = "/" });
        return Results.NoContent();
    }
}
