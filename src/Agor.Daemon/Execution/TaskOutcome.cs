using Agor.Protocol.Wire;

namespace Agor.Daemon.Execution;

/// <summary>How a task on an executor ended: its final status, why, and whether the executor must be killed first.</summary>
internal sealed record TaskOutcome(string Status, ErrorInfo? Error, ReportCompletionParams? Report = null, string? KillBecause = null);
