namespace Agor.Daemon.Domain;

/// <summary>One request an executor made, and how it went. Never holds a secret.</summary>
internal sealed record AuditEntry
{
    public long Id { get; init; }

    public required DateTimeOffset Time { get; init; }

    public required string ExecutorId { get; init; }

    public required string Method { get; init; }

    public string? SessionId { get; init; }

    public string? TaskId { get; init; }

    /// <summary><c>ok</c>, or what went wrong (<c>invalid_token</c>, <c>no_api_key</c>, <c>denied</c>...).</summary>
    public required string Outcome { get; init; }

    /// <summary>A short note (the service of a key request, the tool of a permission request...).</summary>
    public string? Detail { get; init; }
}
