namespace Agor.Daemon.Executors;

/// <summary>Everything needed to start one executor process.</summary>
internal sealed record ExecutorLaunchSpec(
    string ExecutorId,
    string FileName,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    string SocketPath,
    string UnixUser,
    bool ThroughSudo);
