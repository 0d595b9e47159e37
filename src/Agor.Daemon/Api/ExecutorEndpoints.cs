using Agor.Daemon.Executors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Agor.Daemon.Api;

/// <summary><c>GET /executors</c>: the pool as it is now.</summary>
internal static class ExecutorEndpoints
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/executors", (ExecutorPool pool) =>
            Results.Json(pool.Snapshot().Select(ExecutorView.From).ToList(), ApiJsonContext.Default.ListExecutorView));
}
