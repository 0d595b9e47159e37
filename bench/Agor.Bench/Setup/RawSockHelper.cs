using Agor.Bench.Processes;

namespace Agor.Bench.Setup;

/// <summary>The C baseline helper (bench/native/rawsock.c), compiled with gcc -O2 into bench/native/out when missing or older than its source.</summary>
internal static class RawSockHelper
{
    public const string ReadyLine = "rawsock ready";

    public static async Task<string> EnsureAsync(RepoLayout layout, TextWriter log, CancellationToken cancellationToken = default)
    {
        if (File.Exists(layout.RawSockPath) && File.GetLastWriteTimeUtc(layout.RawSockPath) >= File.GetLastWriteTimeUtc(layout.RawSockSource))
        {
            log.WriteLine($"rawsock: reusing {layout.RawSockPath}");
            return layout.RawSockPath;
        }

        var gcc = CommandLine.Find("gcc") ?? throw new InvalidOperationException("gcc is not installed; the baselines need it (apt-get install gcc).");
        Directory.CreateDirectory(Path.GetDirectoryName(layout.RawSockPath)!);
        var result = await CommandLine.RunAsync(gcc, ["-O2", "-Wall", "-o", layout.RawSockPath, layout.RawSockSource], cancellationToken: cancellationToken);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"gcc failed (exit {result.ExitCode}): {result.Stderr}");
        }

        log.WriteLine($"rawsock: compiled {layout.RawSockPath}");
        return layout.RawSockPath;
    }
}
