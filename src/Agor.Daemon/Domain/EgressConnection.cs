namespace Agor.Daemon.Domain;

/// <summary>One connection the egress proxy handled, allowed or refused. Never holds a credential.</summary>
internal sealed record EgressConnection
{
    public long Id { get; init; }

    /// <summary>The task whose token opened it; null when the proxy could not tell (no or a wrong token).</summary>
    public string? TaskId { get; init; }

    /// <summary><c>connect</c> (a tunnel) or <c>http</c> (a forwarded plain request).</summary>
    public required string Kind { get; init; }

    public required string Host { get; init; }

    public required int Port { get; init; }

    /// <summary>The address the proxy connected to (or would have); null when it did not resolve.</summary>
    public string? Address { get; init; }

    public required bool Allowed { get; init; }

    /// <summary><c>allowed</c>, or why not: <c>not_allowed: …</c>, <c>loopback_address: …</c>, <c>bad_token</c>…</summary>
    public required string Reason { get; init; }

    /// <summary>Bytes from the agent to the upstream (after the proxy's own head for CONNECT).</summary>
    public long BytesUp { get; init; }

    /// <summary>Bytes from the upstream to the agent.</summary>
    public long BytesDown { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }
}
