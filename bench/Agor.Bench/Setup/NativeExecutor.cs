using Agor.Bench.Processes;

namespace Agor.Bench.Setup;

/// <summary>The native AOT agor-executor the figures are about: published into artifacts/executor, and again whenever its sources change.</summary>
internal static class NativeExecutor
{
    /// <summary>Names another executor binary to measure (a different build, a wrapper script).</summary>
    public const string OverrideVariable = "AGOR_BENCH_EXECUTOR";

    private static readonly string[] ExecutorSourceProjects = ["Agor.Executor", "Agor.Protocol"];

    public static async Task<string> EnsureAsync(RepoLayout layout, TextWriter log, CancellationToken cancellationToken = default)
    {
        if (Environment.GetEnvironmentVariable(OverrideVariable) is { Length: > 0 } chosen)
        {
            log.WriteLine($"executor: {chosen} (from {OverrideVariable})");
            return File.Exists(chosen) ? Path.GetFullPath(chosen) : throw new FileNotFoundException($"{OverrideVariable} names a missing file.", chosen);
        }

        if (File.Exists(layout.ExecutorPath) && !SourcesNewerThan(layout, File.GetLastWriteTimeUtc(layout.ExecutorPath)))
        {
            log.WriteLine($"executor: reusing {layout.ExecutorPath} (its sources have not changed since)");
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

    /// <summary>Whether the executor's or the protocol's sources changed after the binary was built (a stale binary measures old code).</summary>
    private static bool SourcesNewerThan(RepoLayout layout, DateTime built) =>
        ExecutorSourceProjects
            .Select(project => Path.Combine(layout.Root, "src", project))
            .SelectMany(directory => Directory.EnumerateFiles(directory, "*.*", SearchOption.AllDirectories))
            .Where(file => (file.EndsWith(".cs", StringComparison.Ordinal) || file.EndsWith(".csproj", StringComparison.Ordinal))
                && !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Any(file => File.GetLastWriteTimeUtc(file) > built);
}
