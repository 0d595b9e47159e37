using Agor.Daemon.Configuration;
using Agor.Daemon.Domain;
using Agor.Daemon.Execution;
using Agor.Daemon.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Agor.Daemon.Api;

/// <summary><c>/sessions</c>: create, list, show, rename, delete, prompt, and a session's tasks and messages.</summary>
internal static class SessionEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/sessions", CreateAsync);
        app.MapGet("/sessions", ListAsync);
        app.MapGet("/sessions/{id}", GetAsync);
        app.MapPatch("/sessions/{id}", RenameAsync);
        app.MapDelete("/sessions/{id}", DeleteAsync);
        app.MapPost("/sessions/{id}/prompt", PromptAsync);
        app.MapGet("/sessions/{id}/tasks", TasksAsync);
        app.MapGet("/sessions/{id}/messages", MessagesAsync);
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, IAgorStore store, TaskCoordinator coordinator, Executors.ExecutorPool pool, TimeProvider clock, AgorConfig config, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync(request, ApiJsonContext.Default.CreateSessionRequest, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (string.IsNullOrWhiteSpace(body!.Cwd))
        {
            return Problems.BadRequest("cwd", "is required: the agent's working directory");
        }

        if (!Path.IsPathFullyQualified(body.Cwd))
        {
            return Problems.BadRequest("cwd", "must be an absolute path");
        }

        if (!Directory.Exists(body.Cwd))
        {
            return Problems.BadRequest("cwd", $"'{body.Cwd}' is not an existing directory");
        }

        if (body.Title is { } title && title.Length > config.Daemon.MaxTitleLength)
        {
            return Problems.BadRequest("title", $"is {title.Length} characters long; at most {config.Daemon.MaxTitleLength} are allowed (daemon.max_title_length)");
        }

        if (body.Agent is { } agent && !AgentSettings.Names.Contains(agent))
        {
            return Problems.BadRequest("agent", $"must be one of {string.Join(", ", AgentSettings.Names)}");
        }

        if (body.PermissionMode is { } mode && !PermissionModes.All.Contains(mode))
        {
            return Problems.BadRequest("permission_mode", $"must be one of {string.Join(", ", PermissionModes.All)}");
        }

        if (body.Model is { } model && ModelNames.Problem(model) is { } modelProblem)
        {
            return Problems.BadRequest("model", modelProblem);
        }

        // Never root, never the daemon's own user under isolation, only users the configuration allows.
        if (body.UnixUser is { } user && pool.UnixUsers.Problem(user) is { } userProblem)
        {
            return Problems.BadRequest("unix_user", userProblem);
        }

        var now = clock.GetUtcNow();
        var session = new Session
        {
            Id = Ids.New("ses"),
            Cwd = Path.GetFullPath(body.Cwd),
            Agent = body.Agent ?? AgentSettings.ClaudeCode,
            Title = body.Title,
            PermissionMode = body.PermissionMode ?? PermissionModes.Default,
            Model = body.Model,
            UnixUser = body.UnixUser,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await store.Sessions.CreateAsync(session, cancellationToken);
        return Results.Json(SessionView.From(session, coordinator.SessionStatus(session.Id)), ApiJsonContext.Default.SessionView, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(HttpContext context, IAgorStore store, TaskCoordinator coordinator, AgorConfig config, CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(context.Request, config.Daemon, out var limit, out var after, out var problem))
        {
            return problem!;
        }

        var page = await store.Sessions.ListPageAsync(limit, after, cancellationToken);
        Paging.Describe(context.Response, page);
        return Results.Json(page.Items.Select(s => SessionView.From(s, coordinator.SessionStatus(s.Id))).ToList(), ApiJsonContext.Default.ListSessionView);
    }

    private static async Task<IResult> GetAsync(string id, IAgorStore store, TaskCoordinator coordinator, CancellationToken cancellationToken) =>
        await store.Sessions.GetAsync(id, cancellationToken) is { } session
            ? Results.Json(SessionView.From(session, coordinator.SessionStatus(id)), ApiJsonContext.Default.SessionView)
            : Problems.NotFound("session", id);

    /// <summary>Renames a session: <c>{title}</c> (or <c>{name}</c>); an empty title removes it.</summary>
    private static async Task<IResult> RenameAsync(string id, HttpRequest request, IAgorStore store, TaskCoordinator coordinator, TimeProvider clock, AgorConfig config, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync(request, ApiJsonContext.Default.RenameSessionRequest, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.Title is not null && body.Name is not null && body.Title != body.Name)
        {
            return Problems.BadRequest("title", "and name are two spellings of one field; send one of them");
        }

        if ((body.Title ?? body.Name) is not { } given)
        {
            return Problems.BadRequest("title", "is required: the session's new title (an empty one removes it)");
        }

        string? title = given.Trim();
        if (title is { Length: 0 })
        {
            title = null;
        }

        if (title is not null && title.Length > config.Daemon.MaxTitleLength)
        {
            return Problems.BadRequest("title", $"is {title.Length} characters long; at most {config.Daemon.MaxTitleLength} are allowed (daemon.max_title_length)");
        }

        if (!await store.Sessions.SetTitleAsync(id, title, clock.GetUtcNow(), cancellationToken)
            || await store.Sessions.GetAsync(id, cancellationToken) is not { } session)
        {
            return Problems.NotFound("session", id);
        }

        return Results.Json(SessionView.From(session, coordinator.SessionStatus(id)), ApiJsonContext.Default.SessionView);
    }

    /// <summary>Deletes an idle session, its record and its agent home; 409 while one of its tasks is queued or running.</summary>
    private static async Task<IResult> DeleteAsync(string id, IAgorStore store, Executors.ExecutorPool pool, Sandbox.SandboxPlanner sandbox, Microsoft.Extensions.Logging.ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var session = await store.Sessions.GetAsync(id, cancellationToken);
        if (session is null)
        {
            return Problems.NotFound("session", id);
        }

        // The store, not the queue: a task's final status is written before its queue lets go of it.
        if ((await store.Tasks.ListBySessionAsync(id, cancellationToken)).FirstOrDefault(t => !t.IsFinished) is { } unfinished)
        {
            return Problems.Conflict($"Session '{id}' has a {unfinished.Status} task ({unfinished.Id}); stop it (POST /tasks/{unfinished.Id}/stop) before deleting the session.");
        }

        if (!await store.Sessions.DeleteAsync(id, cancellationToken))
        {
            return Problems.NotFound("session", id);
        }

        var homes = sandbox.Homes.DirectoryFor(session.UnixUser ?? pool.DefaultUser);
        try
        {
            Sandbox.AgentHomes.Remove(homes, id);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Sandbox.SandboxLog.HomeNotRemoved(loggers.CreateLogger("Agor.Daemon.Sandbox"), ex, id, Path.Combine(homes, id));
        }

        return Results.NoContent();
    }

    private static async Task<IResult> PromptAsync(string id, HttpRequest request, IAgorStore store, TaskCoordinator coordinator, AgorConfig config, CancellationToken cancellationToken)
    {
        var session = await store.Sessions.GetAsync(id, cancellationToken);
        if (session is null)
        {
            return Problems.NotFound("session", id);
        }

        var (body, problem) = await JsonBody.ReadAsync(request, ApiJsonContext.Default.PromptRequest, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (string.IsNullOrWhiteSpace(body!.Prompt))
        {
            return Problems.BadRequest("prompt", "is required and must not be empty");
        }

        if (body.PermissionMode is { } mode && !PermissionModes.All.Contains(mode))
        {
            return Problems.BadRequest("permission_mode", $"must be one of {string.Join(", ", PermissionModes.All)}");
        }

        if (body.Model is { } model && ModelNames.Problem(model) is { } modelProblem)
        {
            return Problems.BadRequest("model", modelProblem);
        }

        var room = PromptSize.MaxWireBytes(config.Execution, session.Cwd);
        if (PromptSize.EscapedBytes(body.Prompt) > room)
        {
            return Problems.BadRequest("prompt", $"is too long for the executor's line: at most {Math.Max(0, room)} bytes as a JSON string (execution.max_line_bytes {config.Execution.MaxLineBytes} less the rest of the request)");
        }

        try
        {
            var task = await coordinator.SubmitAsync(session, body.Prompt, body.PermissionMode, body.Model, cancellationToken);
            return Results.Json(TaskView.From(task), ApiJsonContext.Default.TaskView, statusCode: StatusCodes.Status202Accepted);
        }
        catch (InvalidOperationException ex)
        {
            return Problems.Unavailable(ex.Message);
        }
    }

    private static async Task<IResult> TasksAsync(string id, HttpContext context, IAgorStore store, AgorConfig config, CancellationToken cancellationToken)
    {
        if (await store.Sessions.GetAsync(id, cancellationToken) is null)
        {
            return Problems.NotFound("session", id);
        }

        if (!Paging.TryRead(context.Request, config.Daemon, out var limit, out var after, out var problem))
        {
            return problem!;
        }

        var page = await store.Tasks.ListBySessionPageAsync(id, limit, after, cancellationToken);
        Paging.Describe(context.Response, page);
        return Results.Json(page.Items.Select(TaskView.From).ToList(), ApiJsonContext.Default.ListTaskView);
    }

    private static async Task<IResult> MessagesAsync(string id, HttpRequest request, IAgorStore store, CancellationToken cancellationToken)
    {
        if (await store.Sessions.GetAsync(id, cancellationToken) is null)
        {
            return Problems.NotFound("session", id);
        }

        if (!QueryNumber.TryRead(request, "after_sequence", 0, 0, long.MaxValue, out var after, out var problem)
            || !QueryNumber.TryRead(request, "limit", 1000, 1, 10_000, out var limit, out problem))
        {
            return problem!;
        }

        var messages = await store.Messages.ListAsync(id, after, (int)limit, cancellationToken);
        return Results.Json(messages.Select(MessageView.From).ToList(), ApiJsonContext.Default.ListMessageView);
    }
}
