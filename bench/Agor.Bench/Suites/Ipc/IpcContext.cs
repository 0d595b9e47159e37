using Agor.Bench.Setup;
using Agor.Daemon.Configuration;
using Agor.Daemon.Executors;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agor.Bench.Suites.Ipc;

/// <summary>What every ipc measurement shares: the binaries, the sudo target, and pools built like the daemon's.</summary>
internal sealed record IpcContext(RepoLayout Layout, string ExecutorPath, string RawSockPath, SudoTarget Sudo, TextWriter Log)
{
    /// <summary>
    /// A real <see cref="ExecutorPool"/> with no warm executors, so that every acquisition spawns:
    /// the path a task takes when the pool has nothing ready. Through sudo when <paramref name="sudoUser"/> is set.
    /// </summary>
    public async Task<ExecutorPool> CreatePoolAsync(string? sudoUser, CancellationToken cancellationToken = default)
    {
        var settings = Settings(sudoUser);
        var pool = await ExecutorPool.CreateAsync(new ExecutorPoolOptions { Settings = settings, ExecutorPath = ExecutorPath }, NullLogger.Instance, cancellationToken);
        var expected = sudoUser is null ? ImpersonationMode.Disabled : ImpersonationMode.Sudo;
        if (pool.Mode != expected)
        {
            await pool.DisposeAsync();
            throw new InvalidOperationException($"The pool chose impersonation mode {pool.Mode}, not {expected}.");
        }

        return pool;
    }

    /// <summary>The launcher the pool would use, for measurements that need the executor's socket to themselves.</summary>
    public ExecutorLauncher CreateLauncher() => new(Settings(sudoUser: null), ExecutorPath, ImpersonationMode.Disabled, sudoPath: null);

    private static ExecutionSettings Settings(string? sudoUser) =>
        new()
        {
            RunAsUnixUser = sudoUser is not null,
            ExecutorUnixUser = sudoUser ?? "agor_executor",
            MaxExecutors = 4,
            WarmExecutors = 0,
            SocketPathTemplate = "/tmp/agor-bench-executor-{id}.sock",
            ConnectionTimeoutMs = 10_000,
            ShutdownGraceMs = 2_000,
        };
}
