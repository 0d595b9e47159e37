using Agor.Daemon.Configuration;
using Agor.Daemon.Domain;
using Agor.Daemon.Permissions;
using Agor.Daemon.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Agor.Daemon.Api;

/// <summary><c>/permissions</c>: what agents asked to do, and a person's answer.</summary>
internal static class PermissionEndpoints
{
    private static readonly string[] Statuses =
        [PermissionStatuses.Pending, PermissionStatuses.Allowed, PermissionStatuses.Denied, PermissionStatuses.TimedOut, PermissionStatuses.Cancelled];

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/permissions", ListAsync);
        app.MapGet("/permissions/{id}", GetAsync);
        app.MapPost("/permissions/{id}", DecideAsync);
    }

    private static async Task<IResult> ListAsync(HttpContext context, IAgorStore store, AgorConfig config, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var status = request.Query["status"].ToString();
        if (status.Length > 0 && !Statuses.Contains(status))
        {
            return Problems.BadRequest("status", $"must be one of {string.Join(", ", Statuses)}");
        }

        if (!Paging.TryRead(request, config.Daemon, out var limit, out var after, out var problem))
        {
            return problem!;
        }

        var page = await store.Permissions.ListPageAsync(status.Length > 0 ? status : null, limit, after, cancellationToken);
        Paging.Describe(context.Response, page);
        return Results.Json(page.Items.Select(PermissionView.From).ToList(), ApiJsonContext.Default.ListPermissionView);
    }

    private static async Task<IResult> GetAsync(string id, IAgorStore store, CancellationToken cancellationToken) =>
        await store.Permissions.GetAsync(id, cancellationToken) is { } found
            ? Results.Json(PermissionView.From(found), ApiJsonContext.Default.PermissionView)
            : Problems.NotFound("permission request", id);

    private static async Task<IResult> DecideAsync(string id, HttpRequest request, PermissionBroker broker, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync(request, ApiJsonContext.Default.PermissionDecisionRequest, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.Decision is not ("allow" or "deny"))
        {
            return Problems.BadRequest("decision", "must be 'allow' or 'deny'");
        }

        var allow = body.Decision == "allow";
        var decided = await broker.ResolveAsync(id, allow, body.Reason, cancellationToken);
        if (decided is null)
        {
            return Problems.NotFound("permission request", id);
        }

        var wanted = allow ? PermissionStatuses.Allowed : PermissionStatuses.Denied;
        return decided.Status == wanted && decided.DecidedAt is not null
            ? Results.Json(PermissionView.From(decided), ApiJsonContext.Default.PermissionView)
            : Problems.Conflict($"Permission request '{id}' is no longer pending ({decided.Status}).");
    }
}
