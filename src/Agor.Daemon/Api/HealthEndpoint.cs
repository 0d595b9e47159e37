using Agor.Daemon.Hosting;
using Agor.Daemon.Sandbox;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Agor.Daemon.Api;

/// <summary>
/// <c>GET /health</c>: the one endpoint without a token; says too whether agents run confined, and
/// what the daemon found at start (agent program, key, impersonation, sandbox) as <c>checks</c>.
/// </summary>
internal static class HealthEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/health", (SandboxStatus sandbox, DaemonReadiness readiness) =>
            Results.Json(new HealthView("ok", DaemonVersion.Current, SandboxHealthView.From(sandbox), readiness.Checks), ApiJsonContext.Default.HealthView));
}
