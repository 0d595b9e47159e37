using System.Text;
using Agor.Testing.Support;

namespace Agor.Cli.Tests.Support;

/// <summary>
/// agor installed the two ways a user installs it, built once for the tests that use it:
/// <c>dotnet publish src/Agor.Cli -c Release -o DIR</c>, and <c>dotnet pack</c> then
/// <c>dotnet tool install --tool-path</c> from that folder alone. Both run the real SDK on this
/// checkout; everything lands in one temporary folder, removed at the end.
/// </summary>
public sealed class InstalledAgor : IAsyncLifetime
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(10);

    private readonly string _root = Directory.CreateTempSubdirectory("agor-install-").FullName;

    /// <summary>The folder <c>dotnet publish</c> made.</summary>
    public string PublishDirectory => Path.Combine(_root, "publish");

    /// <summary>The folder <c>dotnet pack</c> wrote its packages to.</summary>
    public string PackageDirectory => Path.Combine(_root, "packages");

    /// <summary>The <c>--tool-path</c> the tool was installed into; <c>agor</c> there is the tool's command.</summary>
    public string ToolDirectory => Path.Combine(_root, "tools");

    /// <summary>What <c>dotnet tool install</c> printed.</summary>
    public string ToolInstallOutput { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        var repository = Testing.Support.RepositoryRoot.Find()
            ?? throw new InvalidOperationException($"no Agor.slnx above {AppContext.BaseDirectory}: these tests build the checkout they were built from");
        var project = Path.Combine(repository, "src", "Agor.Cli");
        await DotnetAsync(repository, "publish", project, "-c", "Release", "-o", PublishDirectory);
        await DotnetAsync(repository, "pack", project, "-c", "Release", "-o", PackageDirectory);

        // Only the folder pack wrote to: the tool and its RID-specific package must both come from it.
        var config = Path.Combine(_root, "nuget.config");
        await File.WriteAllTextAsync(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="agor" value="{PackageDirectory}" />
              </packageSources>
            </configuration>
            """);
        ToolInstallOutput = await DotnetAsync(_root, "tool", "install", "agor", "--tool-path", ToolDirectory, "--configfile", config);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    private static async Task<string> DotnetAsync(string workingDirectory, params string[] arguments)
    {
        // A clean environment for the inner SDK: the test host's MSBuild variables would point it at
        // the outer build, and build servers it left running would hold our pipes open.
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["UseSharedCompilation"] = "false",
        };
        var arguments2 = arguments[0] is "publish" or "pack" ? [.. arguments, "--disable-build-servers"] : arguments;
        using var timeout = new CancellationTokenSource(StepTimeout);
        var result = await ProcessRunner.RunAsync(
            "dotnet", arguments2, environment, workingDirectory: workingDirectory, clearEnvironment: ["MSBuild", "MSBUILD", "VSTEST", "DOTNET_HOST_PATH"], cancellationToken: timeout.Token);
        if (result.ExitCode != 0)
        {
            var output = new StringBuilder().AppendLine(result.Stdout).AppendLine(result.Stderr).ToString();
            throw new InvalidOperationException($"dotnet {string.Join(' ', arguments2)} failed with {result.ExitCode}:\n{output[^Math.Min(output.Length, 8000)..]}");
        }

        return result.Stdout;
    }
}
