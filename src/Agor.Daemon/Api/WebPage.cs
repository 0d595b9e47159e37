using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Agor.Daemon.Api;

/// <summary>
/// The web page: <c>/</c> and its assets under <c>/ui/</c>, embedded in the daemon's assembly from
/// the repository's <c>web/</c> folder. They hold no data, so they are served without sign-in.
/// </summary>
internal static class WebPage
{
    public const string AssetPrefix = "/ui/";

    private const string ResourcePrefix = "agor-web/";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
    };

    private static readonly Lazy<Dictionary<string, byte[]>> Assets = new(Load);

    /// <summary>Whether a request path is the page or one of its assets (served without sign-in).</summary>
    public static bool IsPublic(PathString path) =>
        path.Equals("/", StringComparison.Ordinal) || (path.StartsWithSegments(AssetPrefix.TrimEnd('/'), StringComparison.Ordinal, out var rest) && Assets.Value.ContainsKey(rest.Value!.TrimStart('/')));

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext context) => Serve(context, "index.html"));
        app.MapGet(AssetPrefix + "{name}", (HttpContext context, string name) => Serve(context, name));
    }

    private static IResult Serve(HttpContext context, string name)
    {
        if (!Assets.Value.TryGetValue(name, out var bytes))
        {
            return Results.NotFound();
        }

        var headers = context.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
        var type = ContentTypes.TryGetValue(Path.GetExtension(name), out var known) ? known : "application/octet-stream";
        return Results.Bytes(bytes, type);
    }

    private static Dictionary<string, byte[]> Load()
    {
        var assembly = typeof(WebPage).Assembly;
        var assets = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            assets[resource[ResourcePrefix.Length..]] = copy.ToArray();
        }

        return assets;
    }
}
