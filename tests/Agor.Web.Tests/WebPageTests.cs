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

        Assert.Contains("ok: the sign-in hint shows on a phone", output, StringComparison.Ordinal);
        Assert.Contains("ok: cross-site write refused", output, StringComparison.Ordinal);
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task AfterADaemonRestart_ThePageReconnectsByItself_AndShowsWhatHappenedMeanwhile()
    {
        var root = RequireBrowser();
        var claude = ClaudeCli.Require();
        await using var model = await ScriptedModelServer.StartAsync();
        model.Script.EnqueueText("Before the restart.").EnqueueText("After the restart.");

        // The page reconnects to the address it came from, so both daemons listen on one port.
        var options = new DaemonProcessOptions
        {
            ModelBaseUrl = model.BaseUrl,
            ClaudePath = claude,
            Environment = new Dictionary<string, string> { ["AGOR_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture) },
        };
        var first = await DaemonProcess.StartAsync(options);
        var home = first.Home;
        var work = Directory.CreateTempSubdirectory("agor-web-work-").FullName;
        DaemonProcess? second = null;
        try
        {
            var created = await first.Http.PostAsync(new Uri("/sessions", UriKind.Relative), Json($$"""{"cwd":"{{work}}","title":"Restart test"}"""));
            var session = (await DaemonProcess.ReadAsync(created, 201)).GetProperty("id").GetString()!;
            await using (var events = await SseClient.ConnectAsync(first.Http, session))
            {
                var before = (await first.PromptAsync(session, "before")).GetProperty("id").GetString()!;
                Assert.Equal("completed", (await events.WaitForTaskEndAsync(before)).GetProperty("status").GetString());
            }

            using var scenario = StartScenario(root, "restart.mjs", new Dictionary<string, string>
            {
                ["AGOR_URL"] = first.Address,
                ["AGOR_LOGIN_URL"] = await LoginLinkAsync(first),
            });
            var output = new StringBuilder();
            while (await scenario.StandardOutput.ReadLineAsync() is { } line && line != "ready-for-restart")
            {
                output.AppendLine(line);
            }

            await first.StopAsync();
            second = await DaemonProcess.StartAsync(options with { Home = home });
            Assert.Equal(first.Address, second.Address);
            await using (var events = await SseClient.ConnectAsync(second.Http, session))
            {
                var after = (await second.PromptAsync(session, "after")).GetProperty("id").GetString()!;
                Assert.Equal("completed", (await events.WaitForTaskEndAsync(after)).GetProperty("status").GetString());
            }

            await scenario.StandardInput.WriteLineAsync("restarted");
            await scenario.StandardInput.FlushAsync();
            output.Append(await scenario.StandardOutput.ReadToEndAsync()).Append(await scenario.StandardError.ReadToEndAsync());
            await scenario.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(scenario.ExitCode == 0, $"restart.mjs failed (exit {scenario.ExitCode}):\n{output}");
            Assert.Contains("ok: reconnects by itself", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            if (second is not null)
            {
                await second.DisposeAsync();
            }

            // The first daemon created the home, and removes it.
            await first.DisposeAsync();
            Directory.Delete(work, recursive: true);
        }
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task TaskView_ShowsItsNetworkConnections_OrSaysThereAreNone()
    {
        var root = RequireBrowser();
        var claude = ClaudeCli.Require();
        var allowedPort = FreePort();
        await using var model = await ScriptedModelServer.StartAsync();
        await using var daemon = await DaemonProcess.StartAsync(new DaemonProcessOptions
        {
            ModelBaseUrl = model.BaseUrl,
            ClaudePath = claude,
            Network = ["allowed_hosts:", $"  - 127.0.0.1:{allowedPort}"],
        });
        var work = Directory.CreateTempSubdirectory("agor-web-work-").FullName;
        try
        {
            // curl through the proxy to the listed host (--noproxy '': NO_PROXY names 127.0.0.1), then a
            // hand-written CONNECT to a host whose name is markup, which the proxy refuses and records.
            const string Evil = "p=${HTTP_PROXY#http://}; cred=${p%@*}; addr=${p##*@}; exec 3<>/dev/tcp/${addr%:*}/${addr##*:}; "
                + "printf 'CONNECT <b>evil:80 HTTP/1.1\\r\\nHost: <b>evil:80\\r\\nProxy-Authorization: Basic %s\\r\\n\\r\\n' \"$(printf %s \"$cred\" | base64 -w0)\" >&3; timeout 5 head -n1 <&3";
            var command = $"curl -sS --noproxy '' -x \"$HTTP_PROXY\" http://127.0.0.1:{allowedPort}/; echo; {Evil}";
            model.Script
                .EnqueueText("Nothing to fetch.")
                .EnqueueToolUse("Bash", new { command, description = "Fetch the pages" })
                .EnqueueText("Fetched.");
            var created = await daemon.Http.PostAsync(new Uri("/sessions", UriKind.Relative), Json($$"""{"cwd":"{{work}}","title":"Egress test","permission_mode":"bypassPermissions"}"""));
            var session = (await DaemonProcess.ReadAsync(created, 201)).GetProperty("id").GetString()!;
            await using (var events = await SseClient.ConnectAsync(daemon.Http, session))
            {
                var first = (await daemon.PromptAsync(session, "Say hi")).GetProperty("id").GetString()!;
                Assert.Equal("completed", (await events.WaitForTaskEndAsync(first)).GetProperty("status").GetString());
            }

            var output = await RunScenarioAsync(root, "egress.mjs", new Dictionary<string, string>
            {
                ["AGOR_URL"] = daemon.Address,
                ["AGOR_LOGIN_URL"] = await LoginLinkAsync(daemon),
                ["AGOR_ALLOWED_PORT"] = allowedPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });

            Assert.Contains("ok: opened afresh, the table is there", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task APendingCardSurvivesAReload_APromptTakesItsOwnModeAndModel_AndAStoppedTaskReadsStopped()
    {
        var root = RequireBrowser();
        var claude = ClaudeCli.Require();
        await using var model = await ScriptedModelServer.StartAsync();
        await using var daemon = await DaemonProcess.StartAsync(new DaemonProcessOptions { ModelBaseUrl = model.BaseUrl, ClaudePath = claude });
        var work = Directory.CreateTempSubdirectory("agor-web-work-").FullName;
        try
        {
            var notes = Path.Combine(work, "after-reload.txt");
            model.Script
                .EnqueueToolUse("Write", new { file_path = notes, content = "after the reload\n" })
                .EnqueueText("Written after the reload.")
                .EnqueueSlowText(300, TimeSpan.FromMilliseconds(100));
            var created = await daemon.Http.PostAsync(new Uri("/sessions", UriKind.Relative), Json($$"""{"cwd":"{{work}}","title":"Pending test"}"""));
            var session = (await DaemonProcess.ReadAsync(created, 201)).GetProperty("id").GetString()!;
            await using (var events = await SseClient.ConnectAsync(daemon.Http, session))
            {
                // The request is pending before the page is ever opened.
                await daemon.PromptAsync(session, "Write after-reload.txt");
                await events.WaitForAsync(e => e.Type == "permission.requested");
            }

            var output = await RunScenarioAsync(root, "pending.mjs", new Dictionary<string, string>
            {
                ["AGOR_URL"] = daemon.Address,
                ["AGOR_LOGIN_URL"] = await LoginLinkAsync(daemon),
                ["AGOR_SESSION"] = session,
            });

            Assert.Contains("ok: a stopped task reads stopped, with its usage", output, StringComparison.Ordinal);
            Assert.Equal("after the reload\n", await File.ReadAllTextAsync(notes));
            Assert.Equal("claude-haiku-4-5", model.ConversationRequests.OrderBy(r => r.Sequence).Last().Model);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task OneDaemonForThreeAgents_ASessionOfEachCreatedThroughTheForm_ShowsItsStreamedAnswer()
    {
        var root = RequireBrowser();
        var claude = ClaudeCli.Require();
        await using var model = await ScriptedModelServer.StartAsync();
        await using var codex = await AgentUpstream.StartAsync("codex");
        await using var gemini = await AgentUpstream.StartAsync("gemini");
        model.Script.EnqueuePacedText(TimeSpan.FromMilliseconds(20), "Hello", " from", " claude-code.");
        codex.EnqueueText("Hello", " from", " codex.");
        gemini.EnqueueText("Hello", " from", " gemini.");
        await using var daemon = await DaemonProcess.StartAsync(new DaemonProcessOptions
        {
            ModelBaseUrl = model.BaseUrl,
            ClaudePath = claude,
            Credentials = [.. codex.CredentialLines, .. gemini.CredentialLines],
            Agents = [.. codex.AgentLines, .. gemini.AgentLines],
        });
        var work = Directory.CreateTempSubdirectory("agor-web-work-").FullName;
        try
        {
            var output = await RunScenarioAsync(root, "agents.mjs", new Dictionary<string, string>
            {
                ["AGOR_URL"] = daemon.Address,
                ["AGOR_LOGIN_URL"] = await LoginLinkAsync(daemon),
                ["AGOR_WORK_DIR"] = work,
                ["AGOR_AGENTS"] = "claude-code,codex,gemini",
            });

            Assert.Contains("ok: claude-code: the streamed answer appears", output, StringComparison.Ordinal);
            Assert.Contains("ok: codex: the streamed answer appears", output, StringComparison.Ordinal);
            Assert.Contains("ok: gemini: the streamed answer appears", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
        using var process = StartScenario(root, script, environment);
        process.StandardInput.Close();
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

    private static Process StartScenario(string root, string script, Dictionary<string, string> environment)
    {
        var startInfo = new ProcessStartInfo("node")
        {
            WorkingDirectory = root,
            RedirectStandardInput = true,
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

        return Process.Start(startInfo)!;
    }
}
