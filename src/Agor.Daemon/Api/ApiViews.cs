using System.Text.Json;
using Agor.Daemon.Domain;
using Agor.Daemon.Executors;
using Agor.Protocol.Wire;

namespace Agor.Daemon.Api;

// What the HTTP API and the event stream show. Member names travel as snake_case (ApiJsonContext).

internal sealed record HealthView(string Status, string Version, SandboxHealthView? Sandbox = null, IReadOnlyList<Hosting.ReadinessCheck>? Checks = null);

/// <summary>The sandbox part of <c>GET /health</c>; <c>warning</c> only when tasks would run unconfined or be refused.</summary>
internal sealed record SandboxHealthView(
    string Mode, bool Available, string? Bwrap, bool Seccomp, string Limits, IReadOnlyList<string> Namespaces,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Warning)
{
    public static SandboxHealthView From(Sandbox.SandboxStatus status) =>
        new(status.Mode, status.Available, status.Probe.Bwrap, status.Probe.Seccomp, status.LimitsText, status.Probe.Namespaces, status.Warning);
}

internal sealed record SessionView(
    string Id, string Cwd, string Agent, string? Title, string PermissionMode, string? Model, string? UnixUser,
    string? AgentSessionId, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static SessionView From(Session s, string status) =>
        new(s.Id, s.Cwd, s.Agent, s.Title, s.PermissionMode, s.Model, s.UnixUser, s.AgentSessionId, status, s.CreatedAt, s.UpdatedAt);
}

internal sealed record TaskView(
    string Id, string SessionId, string Prompt, string PermissionMode, string Status, DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, string? ExecutorId, TokenUsage? TokenUsage, double? CostUsd,
    ErrorInfo? Error, string? AgentSessionId, SandboxReport? Sandbox, string? Model)
{
    public static TaskView From(AgorTask t) =>
        new(t.Id, t.SessionId, t.Prompt, t.PermissionMode, t.Status, t.CreatedAt, t.StartedAt, t.CompletedAt, t.ExecutorId, t.TokenUsage, t.CostUsd, t.Error, t.AgentSessionId, t.Sandbox, t.Model);
}

internal sealed record MessageView(long Sequence, string SessionId, string TaskId, long TaskSequence, string EventType, JsonElement EventData, DateTimeOffset Timestamp)
{
    public static MessageView From(StoredMessage m) =>
        new(m.Sequence, m.SessionId, m.TaskId, m.TaskSequence, m.EventType, JsonDocument.Parse(m.EventData).RootElement.Clone(), m.Timestamp);
}

/// <summary>A streaming delta: broadcast, never stored.</summary>
internal sealed record DeltaView(string SessionId, string TaskId, long TaskSequence, string EventType, JsonElement EventData);

internal sealed record PermissionView(
    string Id, string SessionId, string TaskId, string ToolName, JsonElement ToolInput, string? ToolUseId, string Status,
    string? Reason, DateTimeOffset CreatedAt, DateTimeOffset? DecidedAt)
{
    public static PermissionView From(PermissionRequest p) =>
        new(p.Id, p.SessionId, p.TaskId, p.ToolName, JsonDocument.Parse(p.ToolInput).RootElement.Clone(), p.ToolUseId, p.Status, p.Reason, p.CreatedAt, p.DecidedAt);
}

internal sealed record ExecutorView(string ExecutorId, int Pid, string UnixUser, string State, string? TaskId, DateTimeOffset StartedAt)
{
    public static ExecutorView From(ExecutorInfo e) =>
        new(e.ExecutorId, e.Pid, e.UnixUser, e.State.ToString().ToLowerInvariant(), e.TaskId, e.StartedAt);
}

internal sealed record ExecutorEventView(string Kind, ExecutorView Executor, string? Detail);

internal sealed record AuditView(long Id, DateTimeOffset Time, string ExecutorId, string Method, string? SessionId, string? TaskId, string Outcome, string? Detail)
{
    public static AuditView From(AuditEntry a) => new(a.Id, a.Time, a.ExecutorId, a.Method, a.SessionId, a.TaskId, a.Outcome, a.Detail);
}

internal sealed record CreateSessionRequest(string? Cwd, string? Agent, string? Title, string? PermissionMode, string? Model, string? UnixUser);

/// <summary><c>PATCH /sessions/{id}</c>: <c>title</c>, or <c>name</c> as its other spelling.</summary>
internal sealed record RenameSessionRequest(string? Title, string? Name);

internal sealed record PromptRequest(string? Prompt, string? PermissionMode, string? Model);

internal sealed record PermissionDecisionRequest(string? Decision, string? Reason);

internal sealed record StopResultView(string TaskId, string Status);
