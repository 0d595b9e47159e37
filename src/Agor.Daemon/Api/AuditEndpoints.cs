using Agor.Daemon.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Agor.Daemon.Api;

/// <summary><c>GET /audit?limit=N</c>: the newest executor requests first; never a secret.</summary>
internal static class AuditEndpoints
{
    public static void Map(IEndpointRouteBuilder app) => app.MapGet("/audit", ListAsync);

    private static async Task<IResult> ListAsync(HttpRequest request, IAgorStore store, CancellationToken cancellationToken)
    {
        if (!QueryNumber.TryRead(request, "limit", 100, 1, 10_000, out var limit, out var problem))
        {
            return problem!;
        }

        var entries = await store.Audit.ListAsync((int)limit, cancellationToken);
        return Results.Json(entries.Select(AuditView.From).ToList(), ApiJsonContext.Default.ListAuditView);
    }
}
