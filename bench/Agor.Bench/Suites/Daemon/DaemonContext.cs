namespace Agor.Bench.Suites.Daemon;

/// <summary>What the daemon figures share: the native executor (the prompt figure runs it), a scratch directory (wrapper scripts, working directories), the log.</summary>
internal sealed record DaemonContext(string ExecutorPath, string WorkDirectory, TextWriter Log);
