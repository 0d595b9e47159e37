using System.Diagnostics;
using System.Net;
using System.Text;
using Agor.Testing.Daemon;
using Agor.Testing.ScriptedModel;
using Agor.Testing.Support;

namespace Agor.Web.Tests;

/// <summary>
/// The web page end to end: headless Chromium (driven by playwright-core) against a real daemon,
/// the real Claude Code CLI and the scripted model server. Each scenario is a node script under
/// <c>e2e/</c>; it exits 0 when every step held and prints the step that failed otherwise.
/// </summary>
public sealed class WebPageTests
{
    private const string Chromium = "/usr/bin/chromium";

    [SkippableFact(Timeout = 120_000)]
    public async Task SignInByLink_CreateSession_StreamAllowDenyStopAndReloadMidStream()
    {
        var root = RequireBrowser();
        var claude = ClaudeCli.Require();
        await using var model = await ScriptedModelServer.StartAsync();
        await using var daemon = await DaemonProcess.StartAsync(new DaemonProcessOptions { ModelBaseUrl = model.BaseUrl, ClaudePath = claude });
        var work = Directory.CreateTempSubdirectory("agor-web-work-").FullName;
        try
        {
            var notes = Path.Combine(work, "notes.txt");
            var marker = Path.Combine(work, "should-not-exist");
            model.Script
                .EnqueuePacedText(TimeSpan.FromMilliseconds(40), "Hello", " from", " the agent.")
                .EnqueueToolUse("Write", new { file_path = notes, content = "written from the page\n" }, leadingText: "I will write notes.txt.")
                .EnqueueText("Written as asked.")
                .EnqueueToolUse("Bash", new { command = $"touch {marker}", description = "Create a file" })
                .EnqueueText("Understood, no shell.")
                .EnqueueSlowText(300, TimeSpan.FromMilliseconds(100))
                .EnqueueSlowText(20, TimeSpan.FromMilliseconds(120));

            var output = await RunScenarioAsync(root, "session.mjs", new Dictionary<string, string>
            {
                ["AGOR_URL"] = daemon.Address,
                ["AGOR_LOGIN_URL"] = await LoginLinkAsync(daemon),
                ["AGOR_WORK_DIR"] = work,
                ["AGOR_NOTES"] = notes,
                ["AGOR_MARKER"] = marker,
            });

            Assert.Contains("ok: reload mid-stream", output, StringComparison.Ordinal);
            Assert.Equal("written from the page\n", await File.ReadAllTextAsync(notes));
            Assert.False(File.Exists(marker));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task AnonymousBrowser_Gets401_AUsedLinkDoesNotSignIn_AndCookieWritesNeedThePageHeader()
    {
        var root = RequireBrowser();
        var claude = ClaudeCli.Require();
        await using var model = await ScriptedModelServer.StartAsync();
        await using var daemon = await DaemonProcess.StartAsync(new DaemonProcessOptions { ModelBaseUrl = model.BaseUrl, ClaudePath = claude });

        // Use a link once outside the browser: it signs in there (a cookie) and never again.
        var used = await LoginLinkAsync(daemon);
        using (var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false })
        using (var http = new HttpClient(handler))
        {
            using var first = await http.GetAsync(new Uri(used));
            Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
            var cookie = Assert.Single(first.Headers.GetValues("Set-Cookie"));
            Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
            using var second = await http.GetAsync(new Uri(used));
            Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
            Assert.False(second.Headers.Contains("Set-Cookie"));
        }

        var output = await RunScenarioAsync(root, "anonymous.mjs", new Dictionary<string, string>
        {
            ["AGOR_URL"] = daemon.Address,
            ["AGOR_USED_LOGIN_URL"] = used,
            ["AGOR_LOGIN_URL"] = await LoginLinkAsync(daemon),
        });

        Assert.Contains("ok: cross-site write refused", output, StringComparison.Ordinal);
    }

    private static async Task<string> LoginLinkAsync(DaemonProcess daemon)
    {
        var link = await DaemonProcess.ReadAsync(await daemon.Http.PostAsync(new Uri("/auth/login-link", UriKind.Relative), null), 200);
        return link.GetProperty("url").GetString()!;
    }

    /// <summary>The repository root, when Chromium, node and playwright-core are all there; else skips (fails in CI).</summary>
    private static string RequireBrowser()
    {
        string? root = null;
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Agor.slnx")))
            {
                root = directory.FullName;
                break;
            }
        }

        var missing = new List<string>();
        if (!File.Exists(Chromium))
        {
            missing.Add($"{Chromium} (apt-get install chromium)");
        }

        if (root is null || !File.Exists(Path.Combine(root, "node_modules", "playwright-core", "package.json")))
        {
            missing.Add("node_modules/playwright-core (npm ci at the repository root)");
        }

        if (FindOnPath("node") is null)
        {
            missing.Add("node on PATH");
        }

        if (missing.Count > 0)
        {
            var message = "The web page tests need " + string.Join(", ", missing) + ".";
            if (Environment.GetEnvironmentVariable("AGOR_REQUIRE_ISOLATION_TESTS") == "1")
            {
                throw new InvalidOperationException(message + " AGOR_REQUIRE_ISOLATION_TESTS=1: a skip is a failure here.");
            }

            Skip.If(true, message);
        }

        return root!;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);

    private static async Task<string> RunScenarioAsync(string root, string script, Dictionary<string, string> environment)
    {
        var startInfo = new ProcessStartInfo("node")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(Path.Combine(root, "tests", "Agor.Web.Tests", "e2e", script));
        startInfo.Environment["AGOR_CHROMIUM"] = Chromium;
        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(100));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = new StringBuilder().Append(await stdout).Append(await stderr).ToString();
        Assert.True(process.ExitCode == 0, $"{script} failed (exit {process.ExitCode}):\n{output}");
        return output;
    }
}
