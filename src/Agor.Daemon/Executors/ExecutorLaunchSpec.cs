namespace Agor.Daemon.Executors;

/// <summary>Everything needed to start one executor process, and the uid the kernel must report for it on connect.</summary>
internal sealed record ExecutorLaunchSpec(
    string ExecutorId,
    string FileName,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    string SocketPath,
    string UnixUser,
    bool ThroughSudo,
    int ExpectedUid);
