using Agor.Bench.Processes;

namespace Agor.Bench.Setup;

/// <summary>The native AOT agor-executor the figures are about: published once into artifacts/executor, then reused.</summary>
internal static class NativeExecutor
{
    /// <summary>Names another executor binary to measure (a different build, a wrapper script).</summary>
    public const string OverrideVariable = "AGOR_BENCH_EXECUTOR";

    public static async Task<string> EnsureAsync(RepoLayout layout, TextWriter log, CancellationToken cancellationToken = default)
    {
        if (Environment.GetEnvironmentVariable(OverrideVariable) is { Length: > 0 } chosen)
        {
            log.WriteLine($"executor: {chosen} (from {OverrideVariable})");
            return File.Exists(chosen) ? Path.GetFullPath(chosen) : throw new FileNotFoundException($"{OverrideVariable} names a missing file.", chosen);
        }

        if (File.Exists(layout.ExecutorPath))
        {
            log.WriteLine($"executor: reusing {layout.ExecutorPath} (delete it to publish afresh)");
            return layout.ExecutorPath;
        }

        log.WriteLine($"executor: publishing native AOT into {layout.ExecutorDirectory} ...");
        var result = await CommandLine.RunAsync(
            "dotnet",
            ["publish", layout.ExecutorProject, "-c", "Release", "-r", "linux-x64", "-o", layout.ExecutorDirectory],
            layout.Root,
            cancellationToken);
        if (!result.Succeeded || !File.Exists(layout.ExecutorPath))
        {
            throw new InvalidOperationException($"dotnet publish of the executor failed (exit {result.ExitCode}):\n{result.Stdout}\n{result.Stderr}");
        }

        log.WriteLine($"executor: published {layout.ExecutorPath}");
        return layout.ExecutorPath;
    }
}
