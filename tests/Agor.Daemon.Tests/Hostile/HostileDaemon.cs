using System.Globalization;
using Agor.Daemon.Tests.Api;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Hostile;

/// <summary>
/// A real daemon whose executors are the hostile executor of tests/Agor.PoolProbe playing one
/// script (through a wrapper script set as <c>execution.executor_path</c>), with its record file and
/// socket directory, removed again at the end.
/// </summary>
internal sealed class HostileDaemon : IAsyncDisposable
{
    private readonly string _directory;

    private HostileDaemon(string directory, DaemonHarness harness)
    {
        _directory = directory;
        Harness = harness;
    }

    public DaemonHarness Harness { get; }

    /// <summary>What the hostile executors recorded, as <c>key=value</c> lines.</summary>
    public IReadOnlyList<(string Key, string Value)> Record =>
        File.Exists(RecordPath)
            ? [.. File.ReadAllLines(RecordPath).Select(l => l.Split('=', 2)).Select(p => (p[0], p[1]))]
            : [];

    private string RecordPath => Path.Combine(_directory, "hostile-record.log");

    /// <summary>Starts a daemon whose executors play <paramref name="script"/>; <paramref name="execution"/> and <paramref name="limits"/> are extra config lines.</summary>
    public static async Task<HostileDaemon> StartAsync(string script, IReadOnlyList<string>? execution = null, IReadOnlyList<string>? limits = null, long count = 1000, int bytes = 1024)
    {
        var directory = Directory.CreateTempSubdirectory("agor-hostile-").FullName;
        var wrapper = Path.Combine(directory, "hostile-executor");
        await File.WriteAllTextAsync(wrapper, string.Create(
            CultureInfo.InvariantCulture,
            $"#!/bin/sh\nexec '{DotnetHost}' '{TestBinaries.PoolProbeDll}' hostile-executor --script {script} --count {count} --bytes {bytes} \"$@\"\n"));
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var harness = await DaemonHarness.StartAsync(o => o with
            {
                Execution = [$"executor_path: {wrapper}", $"socket_path_template: {directory}/executor-{{id}}.sock", .. execution ?? []],
                Limits = limits ?? [],
            });
            return new HostileDaemon(directory, harness);
        }
        catch
        {
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>The values recorded under <paramref name="key"/>.</summary>
    public IReadOnlyList<string> Recorded(string key) => [.. Record.Where(r => r.Key == key).Select(r => r.Value)];

    /// <summary>The daemon's resident memory now, in MiB (VmRSS of /proc/PID/status).</summary>
    public double DaemonRssMiB()
    {
        var line = File.ReadAllLines($"/proc/{Harness.Daemon.Pid}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    /// <summary>Size of the database with its write-ahead log, in MiB.</summary>
    public double DatabaseMiB() =>
        Directory.EnumerateFiles(Harness.Daemon.Home, "agor.db*").Sum(f => new FileInfo(f).Length) / (1024.0 * 1024.0);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Harness.DisposeAsync();
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "/usr/bin/dotnet";
}
