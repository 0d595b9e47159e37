using Agor.Daemon.Configuration;
using Agor.Daemon.Domain;
using Agor.Daemon.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Agor.Daemon.Api;

/// <summary><c>GET /tasks/{id}/egress</c>: the task's proxy connections, oldest first, paged like the other listings.</summary>
internal static class EgressEndpoints
{
    public static void Map(IEndpointRouteBuilder app) => app.MapGet("/tasks/{id}/egress", ListAsync);

    private static async Task<IResult> ListAsync(string id, HttpRequest request, HttpResponse response, IAgorStore store, AgorConfig config, CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(request, config.Daemon, out var limit, out var after, out var problem))
        {
            return problem!;
        }

        if (await store.Tasks.GetAsync(id, cancellationToken) is null)
        {
            return Problems.NotFound("task", id);
        }

        var page = await store.Egress.ListForTaskAsync(id, limit, after, cancellationToken);
        Paging.Describe(response, page);
        return Results.Json(page.Items.Select(EgressView.From).ToList(), ApiJsonContext.Default.ListEgressView);
    }
}

/// <summary>One egress connection as the API shows it.</summary>
internal sealed record EgressView(long Id, string? TaskId, string Kind, string Host, int Port, string? Address, bool Allowed, string Reason, long BytesUp, long BytesDown, DateTimeOffset StartedAt, DateTimeOffset? EndedAt)
{
    public static EgressView From(EgressConnection c) => new(c.Id, c.TaskId, c.Kind, c.Host, c.Port, c.Address, c.Allowed, c.Reason, c.BytesUp, c.BytesDown, c.StartedAt, c.EndedAt);
}
