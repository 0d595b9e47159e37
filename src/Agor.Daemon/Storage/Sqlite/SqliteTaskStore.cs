using System.Text.Json;
using Agor.Daemon.Domain;
using Agor.Daemon.Sandbox;
using Agor.Protocol.Wire;
using Microsoft.Data.Sqlite;

namespace Agor.Daemon.Storage.Sqlite;

/// <summary>Tasks in the <c>tasks</c> table; usage and error are plain columns.</summary>
internal sealed class SqliteTaskStore(SqliteDatabase database) : ITaskStore
{
    private const string Columns = """
        id, session_id, prompt, permission_mode, status, created_at, started_at, completed_at, executor_id,
        input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens, cost_usd,
        error_code, error_message, agent_session_id, sandbox, model
        """;

    private const string Insert = $"""
        INSERT INTO tasks ({Columns})
        VALUES ($id, $session_id, $prompt, $permission_mode, $status, $created_at, $started_at, $completed_at, $executor_id,
            $input_tokens, $output_tokens, $cache_creation_input_tokens, $cache_read_input_tokens, $cost_usd,
            $error_code, $error_message, $agent_session_id, $sandbox, $model)
        """;

    private const string Update = """
        UPDATE tasks SET
            session_id = $session_id, prompt = $prompt, permission_mode = $permission_mode, status = $status,
            created_at = $created_at, started_at = $started_at, completed_at = $completed_at, executor_id = $executor_id,
            input_tokens = $input_tokens, output_tokens = $output_tokens,
            cache_creation_input_tokens = $cache_creation_input_tokens, cache_read_input_tokens = $cache_read_input_tokens,
            cost_usd = $cost_usd, error_code = $error_code, error_message = $error_message, agent_session_id = $agent_session_id,
            sandbox = $sandbox, model = $model
        WHERE id = $id AND status IN
        """;

    private static readonly string[] Unfinished = [TaskStatuses.Queued, TaskStatuses.Running, TaskStatuses.AwaitingPermission];

    public Task CreateAsync(AgorTask task, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        return database.ExecuteAsync(Insert, p => Bind(p, task), cancellationToken);
    }

    public Task<AgorTask?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        database.QuerySingleAsync($"SELECT {Columns} FROM tasks WHERE id = $id", p => p.Set("$id", id), Read, cancellationToken);

    public Task<IReadOnlyList<AgorTask>> ListBySessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
        database.QueryAsync(
            $"SELECT {Columns} FROM tasks WHERE session_id = $session_id ORDER BY row_id",
            p => p.Set("$session_id", sessionId),
            Read,
            cancellationToken);

    public async Task<Page<AgorTask>> ListBySessionPageAsync(string sessionId, int limit, PageKey? after, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var rows = await database.QueryAsync(
            $"SELECT {Columns}, row_id FROM tasks WHERE session_id = $session_id AND row_id > $row ORDER BY row_id LIMIT $limit",
            p =>
            {
                p.Set("$session_id", sessionId);
                p.Set("$row", after?.RowId ?? 0);
                p.Set("$limit", limit + 1);
            },
            row => (Read(row), new PageKey(row.Int64("row_id"))),
            cancellationToken);
        return Page<AgorTask>.From(rows, limit);
    }

    public async Task<IReadOnlyList<AgorTask>> ListByStatusAsync(IReadOnlyCollection<string> statuses, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        if (statuses.Count == 0)
        {
            return [];
        }

        // One parameter per status ($status0, $status1...): only parameter names are generated.
        var names = Enumerable.Range(0, statuses.Count).Select(i => $"$status{i}").ToArray();
        return await database.QueryAsync(
            $"SELECT {Columns} FROM tasks WHERE status IN ({string.Join(", ", names)}) ORDER BY created_at, row_id",
            p =>
            {
                var i = 0;
                foreach (var status in statuses)
                {
                    p.Set(names[i++], status);
                }
            },
            Read,
            cancellationToken);
    }

    public Task<bool> UpdateAsync(AgorTask task, CancellationToken cancellationToken = default) =>
        TryTransitionAsync(task, Unfinished, cancellationToken);

    public async Task<bool> TryTransitionAsync(AgorTask task, IReadOnlyCollection<string> fromStatuses, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(fromStatuses);
        if (fromStatuses.Count == 0)
        {
            return false;
        }

        // One parameter per status ($from0, $from1...): only parameter names are generated.
        var names = Enumerable.Range(0, fromStatuses.Count).Select(i => $"$from{i}").ToArray();
        var rows = await database.ExecuteAsync(
            $"{Update} ({string.Join(", ", names)})",
            p =>
            {
                Bind(p, task);
                var i = 0;
                foreach (var status in fromStatuses)
                {
                    p.Set(names[i++], status);
                }
            },
            cancellationToken);
        return rows > 0;
    }

    private static void Bind(SqliteParameterCollection p, AgorTask task)
    {
        p.Set("$id", task.Id);
        p.Set("$session_id", task.SessionId);
        p.Set("$prompt", task.Prompt);
        p.Set("$permission_mode", task.PermissionMode);
        p.Set("$status", task.Status);
        p.Set("$created_at", task.CreatedAt);
        p.Set("$started_at", task.StartedAt);
        p.Set("$completed_at", task.CompletedAt);
        p.Set("$executor_id", task.ExecutorId);
        p.Set("$input_tokens", task.TokenUsage?.InputTokens);
        p.Set("$output_tokens", task.TokenUsage?.OutputTokens);
        p.Set("$cache_creation_input_tokens", task.TokenUsage?.CacheCreationInputTokens);
        p.Set("$cache_read_input_tokens", task.TokenUsage?.CacheReadInputTokens);
        p.Set("$cost_usd", task.CostUsd);
        p.Set("$error_code", task.Error?.Code);
        p.Set("$error_message", task.Error?.Message);
        p.Set("$agent_session_id", task.AgentSessionId);
        p.Set("$model", task.Model);
        p.Set("$sandbox", task.Sandbox is { } sandbox ? JsonSerializer.Serialize(sandbox, SandboxJsonContext.Default.SandboxReport) : null);
    }

    private static AgorTask Read(SqliteDataReader row) => new()
    {
        Id = row.Text("id"),
        SessionId = row.Text("session_id"),
        Prompt = row.Text("prompt"),
        PermissionMode = row.Text("permission_mode"),
        Status = row.Text("status"),
        CreatedAt = row.Time("created_at"),
        StartedAt = row.TimeOrNull("started_at"),
        CompletedAt = row.TimeOrNull("completed_at"),
        ExecutorId = row.TextOrNull("executor_id"),
        TokenUsage = row.Int64OrNull("input_tokens") is { } input
            ? new TokenUsage(
                input,
                row.Int64OrNull("output_tokens") ?? 0,
                row.Int64OrNull("cache_creation_input_tokens") ?? 0,
                row.Int64OrNull("cache_read_input_tokens") ?? 0)
            : null,
        CostUsd = row.DoubleOrNull("cost_usd"),
        Error = row.TextOrNull("error_code") is { } code ? new ErrorInfo(code, row.TextOrNull("error_message") ?? string.Empty) : null,
        AgentSessionId = row.TextOrNull("agent_session_id"),
        Model = row.TextOrNull("model"),
        Sandbox = row.TextOrNull("sandbox") is { } sandbox ? JsonSerializer.Deserialize(sandbox, SandboxJsonContext.Default.SandboxReport) : null,
    };
}
