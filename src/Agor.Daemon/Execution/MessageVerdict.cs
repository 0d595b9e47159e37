namespace Agor.Daemon.Execution;

/// <summary>What becomes of one reported message, and the sequence the daemon expected.</summary>
internal readonly record struct MessageVerdict(MessageAdmission Admission, long Expected);
