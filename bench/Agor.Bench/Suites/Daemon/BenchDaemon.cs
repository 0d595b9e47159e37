using System.Runtime.InteropServices;
using Agor.Testing.Daemon;

namespace Agor.Bench.Suites.Daemon;

/// <summary>
/// Starts the real daemon process (<c>agor daemon start --foreground</c>, built beside the bench)
/// with a fresh AGOR_HOME and the given <c>execution:</c> settings, through the tests'
/// <see cref="DaemonProcess"/>; disposing stops it with SIGTERM and deletes the home.
/// </summary>
internal static class BenchDaemon
{
    /// <summary>Where the shared framework is (DaemonProcess would otherwise name the bench's own directory).</summary>
    public static string DotnetRoot { get; } =
        Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));

    /// <summary>A daemon whose executors are <paramref name="executorPath"/>; no agent and no model behind it (the fake executor needs neither).</summary>
    public static Task<DaemonProcess> StartAsync(string executorPath, IEnumerable<string> execution, CancellationToken cancellationToken) =>
        StartAsync(executorPath, "http://127.0.0.1:9", "/bin/false", null, execution, cancellationToken);

    /// <summary>
    /// A daemon with a real agent behind it. With <paramref name="sandbox"/> lines, the config gets a
    /// <c>sandbox:</c> section and is written into <paramref name="home"/>, an empty directory the
    /// caller made and deletes after the daemon stopped (DaemonProcess then leaves the home alone).
    /// </summary>
    public static async Task<DaemonProcess> StartAsync(string executorPath, string modelBaseUrl, string claudePath, string? apiKey, IEnumerable<string> execution, CancellationToken cancellationToken, IReadOnlyList<string>? sandbox = null, string? home = null)
    {
        var options = new DaemonProcessOptions
        {
            ModelBaseUrl = modelBaseUrl,
            ClaudePath = claudePath,
            Execution = [$"executor_path: \"{executorPath}\"", .. execution],
            Environment = new Dictionary<string, string> { ["DOTNET_ROOT"] = DotnetRoot },
        };
        if (apiKey is not null)
        {
            options = options with { ApiKey = apiKey };
        }

        if (!File.Exists(DaemonProcess.AgorPath))
        {
            throw new InvalidOperationException($"{DaemonProcess.AgorPath} is missing: the bench references src/Agor.Cli so that agor is built beside it; rebuild the bench.");
        }

        if (sandbox is not null)
        {
            ArgumentNullException.ThrowIfNull(home);
            var yaml = new System.Text.StringBuilder(DaemonProcess.ConfigYaml(options)).AppendLine("sandbox:");
            foreach (var line in sandbox)
            {
                yaml.Append("  ").AppendLine(line);
            }

            await File.WriteAllTextAsync(Path.Combine(home, "config.yaml"), yaml.ToString(), cancellationToken);
            options = options with { Home = home };
        }

        return await DaemonProcess.StartAsync(options, cancellationToken);
    }
}
