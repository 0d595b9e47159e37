using System.Diagnostics;
using Agor.Cli.Tests.Support;
using Agor.Testing.Daemon;

namespace Agor.Cli.Tests;

/// <summary>
/// Colour only for a terminal: <c>agor</c> run under a pseudo-terminal (util-linux <c>script</c>)
/// colours its statuses, the same with <c>NO_COLOR</c> or piped does not.
/// </summary>
public sealed class PromptColorTests
{
    private const string Escape = "\u001b[";

    [SkippableFact(Timeout = 120_000)]
    public async Task ATerminalGetsColour_NoColorAndPipesGetNone()
    {
        Skip.IfNot(File.Exists("/usr/bin/script"), "needs /usr/bin/script (util-linux) for a pseudo-terminal");
        await using var h = await CliHarness.StartAsync();
        h.Model.Script.EnqueueText("One.").EnqueueText("Two.").EnqueueText("Three.");
        var session = await h.CreateSessionAsync();

        var terminal = await InTerminalAsync(h.Home, noColor: false, "prompt", session, "Say one");
        var noColor = await InTerminalAsync(h.Home, noColor: true, "prompt", session, "Say two");
        var piped = await h.Home.RunAsync("prompt", session, "Say three");
        var listInTerminal = await InTerminalAsync(h.Home, noColor: false, "task", "list", session);
        var listPiped = await h.Home.RunAsync("task", "list", session);

        Assert.Contains("One.", terminal, StringComparison.Ordinal);
        Assert.Contains($"{Escape}32m✓ completed", terminal, StringComparison.Ordinal);
        Assert.Contains("Two.", noColor, StringComparison.Ordinal);
        Assert.Contains("✓ completed", noColor, StringComparison.Ordinal);
        Assert.DoesNotContain($"{Escape}32m", noColor, StringComparison.Ordinal);
        Assert.True(piped.ExitCode == 0, piped.ToString());
        Assert.DoesNotContain(Escape, piped.Stdout + piped.Stderr, StringComparison.Ordinal);
        Assert.Contains("╭", listInTerminal, StringComparison.Ordinal);
        Assert.Contains(Escape, listInTerminal, StringComparison.Ordinal);
        Assert.DoesNotContain(Escape, listPiped.Stdout, StringComparison.Ordinal);
    }

    /// <summary>Runs <c>agor</c> with stdin, stdout and stderr on a pseudo-terminal; returns what it printed there.</summary>
    private static async Task<string> InTerminalAsync(AgorHomeDirectory home, bool noColor, params string[] arguments)
    {
        var command = string.Join(' ', new[] { DaemonProcess.AgorPath }.Concat(arguments).Select(Quote));
        var startInfo = new ProcessStartInfo("/usr/bin/script") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-qefc", command, "/dev/null" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["AGOR_HOME"] = home.Path;
        startInfo.Environment["LANG"] = "C.UTF-8";
        startInfo.Environment["TERM"] = "xterm-256color";
        startInfo.Environment["DOTNET_ROOT"] = Environment.GetEnvironmentVariable("DOTNET_ROOT") ?? Path.GetDirectoryName(Environment.ProcessPath);
        startInfo.Environment.Remove("NO_COLOR");
        if (noColor)
        {
            startInfo.Environment["NO_COLOR"] = "1";
        }

        using var script = Process.Start(startInfo)!;
        var output = script.StandardOutput.ReadToEndAsync();
        var errors = script.StandardError.ReadToEndAsync();
        await script.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(script.ExitCode == 0, $"script exit {script.ExitCode}: {await output}{await errors}");
        return await output;
    }

    private static string Quote(string argument) => "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
