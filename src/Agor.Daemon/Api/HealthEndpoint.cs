using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Agor.Daemon.Api;

/// <summary><c>GET /health</c>: the one endpoint without a token.</summary>
internal static class HealthEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/health", () => Results.Json(new HealthView("ok", DaemonVersion.Current), ApiJsonContext.Default.HealthView));
}
