using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Agor.Testing.Daemon;
using Agor.Testing.Support;

namespace Agor.Cli.Tests.Support;

/// <summary>
/// A temporary AGOR_HOME and the built <c>agor</c> run against it, as a person at a shell would.
/// Disposing stops a daemon started there (<c>agor daemon stop</c>, else SIGKILL) and removes the home.
/// </summary>
public sealed class AgorHomeDirectory : IAsyncDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    private AgorHomeDirectory(string path) => Path = path;

    public string Path { get; }

    public string ConfigPath => System.IO.Path.Combine(Path, "config.yaml");

    public string TokenPath => System.IO.Path.Combine(Path, "api-token");

    public string PidPath => System.IO.Path.Combine(Path, "daemon.pid");

    /// <summary>The <c>agor</c> every run starts: the one built beside the tests, or an installed one.</summary>
    public string AgorPath { get; set; } = DaemonProcess.AgorPath;

    /// <summary>Extra variables for every run (AGOR_PORT and the like).</summary>
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>An empty home (agor init creates what it needs).</summary>
    public static AgorHomeDirectory CreateEmpty() =>
        new(System.IO.Path.Combine(Directory.CreateTempSubdirectory("agor-cli-").FullName, "home"));

    /// <summary>A home whose config runs the real Claude Code CLI against the scripted model, on a free port.</summary>
    public static async Task<AgorHomeDirectory> CreateAsync(DaemonProcessOptions options)
    {
        var home = CreateEmpty();
        Directory.CreateDirectory(home.Path);
        await File.WriteAllTextAsync(home.ConfigPath, DaemonProcess.ConfigYaml(options));
        return home;
    }

    /// <summary>Runs <c>agor</c> to completion; <paramref name="stdin"/> is its whole input (then closed).</summary>
    public async Task<CliResult> RunAsync(IEnumerable<string> arguments, string? stdin = null)
    {
        using var process = Start(arguments);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(RunTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"agor {string.Join(' ', arguments)} did not finish within {RunTimeout}; stderr so far: {await stderr}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    public Task<CliResult> RunAsync(params string[] arguments) => RunAsync((IEnumerable<string>)arguments);

    /// <summary>Runs a command that must succeed; returns its stdout.</summary>
    public async Task<string> RunCheckedAsync(params string[] arguments)
    {
        var result = await RunAsync(arguments);
        Assert.True(result.ExitCode == 0, $"agor {string.Join(' ', arguments)} failed: {result}");
        return result.Stdout;
    }

    /// <summary>Runs a <c>--json</c> command that must succeed; returns its JSON.</summary>
    public async Task<JsonElement> RunJsonAsync(params string[] arguments) =>
        JsonDocument.Parse(await RunCheckedAsync([.. arguments, "--json"])).RootElement.Clone();

    /// <summary>Starts <c>agor</c> with every stream redirected, for a test that talks to it.</summary>
    public Process Start(IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo(AgorPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment.Clear();
        startInfo.Environment["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        startInfo.Environment["HOME"] = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, "user-home");
        startInfo.Environment["LANG"] = "C.UTF-8";
        startInfo.Environment["AGOR_HOME"] = Path;
        startInfo.Environment["DOTNET_ROOT"] = System.Environment.GetEnvironmentVariable("DOTNET_ROOT") ?? System.IO.Path.GetDirectoryName(System.Environment.ProcessPath);
        foreach (var (name, value) in Environment)
        {
            startInfo.Environment[name] = value;
        }

        Directory.CreateDirectory(startInfo.Environment["HOME"]!);
        return Process.Start(startInfo)!;
    }

    /// <summary>The pid a running daemon recorded, or null.</summary>
    public int? DaemonPid() =>
        File.Exists(PidPath) && int.TryParse(File.ReadAllText(PidPath).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;

    /// <summary>An HTTP client for the running daemon (address and token from the home), for what the CLI does not show.</summary>
    public HttpClient CreateHttpClient()
    {
        var address = File.ReadAllText(System.IO.Path.Combine(Path, "daemon.address")).Trim();
        var http = new HttpClient { BaseAddress = new Uri(address) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", File.ReadAllText(TokenPath).Trim());
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        if (DaemonPid() is { } pid && ProcessTable.IsRunning(pid))
        {
            var stopped = await RunAsync("daemon", "stop", "--timeout", "20");
            if (stopped.ExitCode != 0 && ProcessTable.IsRunning(pid))
            {
                Signals.Send(pid, Signals.SigKill);
            }
        }

        try
        {
            Directory.Delete(System.IO.Path.GetDirectoryName(Path)!, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
