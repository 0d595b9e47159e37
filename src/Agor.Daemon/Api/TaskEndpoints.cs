using Agor.Daemon.Execution;
using Agor.Daemon.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Agor.Daemon.Api;

/// <summary><c>/tasks</c>: show one, stop one.</summary>
internal static class TaskEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/tasks/{id}", GetAsync);
        app.MapPost("/tasks/{id}/stop", StopAsync);
    }

    private static async Task<IResult> GetAsync(string id, IAgorStore store, CancellationToken cancellationToken) =>
        await store.Tasks.GetAsync(id, cancellationToken) is { } task
            ? Results.Json(TaskView.From(task), ApiJsonContext.Default.TaskView)
            : Problems.NotFound("task", id);

    private static async Task<IResult> StopAsync(string id, IAgorStore store, TaskCoordinator coordinator, CancellationToken cancellationToken)
    {
        var before = await store.Tasks.GetAsync(id, cancellationToken);
        if (before is null)
        {
            return Problems.NotFound("task", id);
        }

        if (before.IsFinished)
        {
            return Problems.Conflict($"Task '{id}' has already finished ({before.Status}).");
        }

        var after = await coordinator.StopAsync(id, cancellationToken);
        return Results.Json(TaskView.From(after ?? before), ApiJsonContext.Default.TaskView);
    }
}
