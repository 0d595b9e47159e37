using System.Net;
using System.Text;
using Agor.Testing.Daemon;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Api;

/// <summary>The web page's sign-in against a real daemon: sign-out is final, and neither guard trusts the Host header.</summary>
public sealed class SignInGuardTests
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    // No cookie jar, no redirects: each request carries exactly the cookie the test gives it.
    private static readonly HttpClient Anonymous = new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(30) };

    [SkippableFact(Timeout = 60_000)]
    public async Task ASignedOutCookie_ReEncodedInAnyWay_Gets401()
    {
        await using var daemon = await StartAsync();

        // A cookie whose id has a character that base64 also spells another way ('-' as '+', '_' as '/').
        string cookie;
        int position;
        do
        {
            cookie = await SignInAsync(daemon);
            position = cookie[..22].IndexOfAny(['-', '_']);
        }
        while (position < 0);

        var otherAlphabet = cookie[..position] + (cookie[position] == '-' ? '+' : '/') + cookie[(position + 1)..];
        var spareBits = cookie[..^1] + Alphabet[Alphabet.IndexOf(cookie[^1], StringComparison.Ordinal) ^ 1];
        var padded = cookie.Replace(".", "==.", StringComparison.Ordinal) + "=";
        string[] reEncoded = [otherAlphabet, spareBits, padded];

        Assert.Equal(HttpStatusCode.OK, await GetSessionsAsync(daemon, cookie));

        // Another spelling of a valid cookie is no cookie: only the text the daemon issued signs in.
        foreach (var variant in reEncoded)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await GetSessionsAsync(daemon, variant));
        }

        using (var logout = Request(HttpMethod.Post, daemon, "/auth/logout", cookie))
        {
            logout.Headers.Add("X-Agor-Request", "1");
            using var response = await Anonymous.SendAsync(logout);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await GetSessionsAsync(daemon, cookie));
        foreach (var variant in reEncoded)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await GetSessionsAsync(daemon, variant));
        }
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task ACookieWriteFromEvilExample_WithAMatchingHostHeader_Gets403_ButTheDaemonsOwnOriginPasses()
    {
        await using var daemon = await StartAsync();
        var cookie = await SignInAsync(daemon);
        var body = """{"cwd":"/"}""";

        using (var evil = Request(HttpMethod.Post, daemon, "/sessions", cookie))
        {
            evil.Headers.Host = "evil.example";
            evil.Headers.Add("Origin", "http://evil.example");
            evil.Content = new StringContent(body, Encoding.UTF8, "application/json");
            using var refused = await Anonymous.SendAsync(evil);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using var own = Request(HttpMethod.Post, daemon, "/sessions", cookie);
        own.Headers.Add("Origin", daemon.Address.TrimEnd('/'));
        own.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var accepted = await Anonymous.SendAsync(own);
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task TheLoginLink_ForARequestWithHostEvilExample_PointsAtTheDaemonsOwnAddress()
    {
        await using var daemon = await StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/auth/login-link");
        request.Headers.Host = "evil.example";
        var link = await DaemonProcess.ReadAsync(await daemon.Http.SendAsync(request), 200);

        var url = link.GetProperty("url").GetString()!;
        Assert.StartsWith(daemon.Address.TrimEnd('/') + "/auth/login?code=", url, StringComparison.Ordinal);
        Assert.DoesNotContain("evil", url, StringComparison.Ordinal);
    }

    private static Task<DaemonProcess> StartAsync() =>
        DaemonProcess.StartAsync(new DaemonProcessOptions { ModelBaseUrl = "http://127.0.0.1:9", ClaudePath = ClaudeCli.Require() });

    /// <summary>Redeems a fresh login link outside a browser; returns the session cookie's value.</summary>
    private static async Task<string> SignInAsync(DaemonProcess daemon)
    {
        var link = await DaemonProcess.ReadAsync(await daemon.Http.PostAsync(new Uri("/auth/login-link", UriKind.Relative), null), 200);
        using var response = await Anonymous.GetAsync(new Uri(link.GetProperty("url").GetString()!));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        return setCookie[(setCookie.IndexOf('=', StringComparison.Ordinal) + 1)..setCookie.IndexOf(';', StringComparison.Ordinal)];
    }

    private static async Task<HttpStatusCode> GetSessionsAsync(DaemonProcess daemon, string cookie)
    {
        using var request = Request(HttpMethod.Get, daemon, "/sessions", cookie);
        using var response = await Anonymous.SendAsync(request);
        return response.StatusCode;
    }

    private static HttpRequestMessage Request(HttpMethod method, DaemonProcess daemon, string path, string cookie)
    {
        var request = new HttpRequestMessage(method, new Uri(new Uri(daemon.Address), path));
        request.Headers.Add("Cookie", $"agor_session={cookie}");
        return request;
    }
}
