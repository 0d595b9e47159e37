using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Agor.Cli.Tests.Support;

namespace Agor.Cli.Tests;

/// <summary>
/// <c>agor task show</c> against a real daemon, the real Claude Code CLI and the scripted model:
/// the agent's Bash runs curl through the egress proxy, once to a listed loopback server and
/// once to an unlisted one, and the task's status, usage, connections and transcript are shown.
/// </summary>
public sealed class TaskShowTests
{
    [SkippableFact(Timeout = 120_000)]
    public async Task Show_ACompletedTask_ListsUsage_EveryConnection_AndTheTranscript()
    {
        await using var listed = new LoopbackHttpServer("hello from the listed host");
        var unlistedPort = FreePort();
        await using var h = await CliHarness.StartAsync(o => o with { Network = ["allowed_hosts:", $"  - 127.0.0.1:{listed.Port}"] });
        // --noproxy '': the daemon's NO_PROXY names 127.0.0.1 (the model's host here), which would send curl direct.
        var command = $"curl -sS --noproxy '' -x \"$HTTP_PROXY\" http://127.0.0.1:{listed.Port}/; echo; curl -sS --noproxy '' -x \"$HTTP_PROXY\" http://127.0.0.1:{unlistedPort}/ || true";
        h.Model.Script
            .EnqueueToolUse("Bash", new { command, description = "Fetch both pages" }, leadingText: "I will fetch both pages.")
            .EnqueueText("The listed page answered.");
        var session = await h.CreateSessionAsync();
        var prompt = await h.Home.RunAsync("prompt", session, "Fetch both pages", "--yes");
        Assert.True(prompt.ExitCode == 0, prompt.ToString());
        var taskId = (await h.Home.RunJsonAsync("task", "list", session))[0].GetProperty("id").GetString()!;

        var shown = await h.Home.RunAsync("task", "show", taskId);
        var json = await h.Home.RunJsonAsync("task", "show", taskId);

        Assert.True(shown.ExitCode == 0, shown.ToString());
        var text = shown.Stdout;
        Assert.Matches(@"status:\s+completed", text);
        Assert.Matches(@"tokens:\s+[\d,]+ in, [1-9][\d,]* out, [\d,]+ cache written, [\d,]+ cache read", text);
        Assert.Matches(@"cost:\s+\$\d+\.\d{4}", text);
        Assert.Contains("network: 2 connections, 1 refused", text, StringComparison.Ordinal);
        Assert.Matches(@"model: [1-9]\d* requests? through the gateway, 0 refused\n  ✓ 127\.0\.0\.1:\d+ · .* up, .* · model_request: POST /v1/messages -> 200;", text);
        Assert.Matches($@"  ✓ 127\.0\.0\.1:{listed.Port} → 127\.0\.0\.1 · [1-9]\d* B up, [1-9][\d.]* (B|KiB) down\n", text);
        Assert.Matches($@"  ✗ 127\.0\.0\.1:{unlistedPort} .*· 0 B up, 0 B down · refused: not_allowed", text);
        Assert.Equal(1, listed.Accepted);

        // The transcript, in order, as `agor prompt` renders it.
        var transcript = text[text.IndexOf("transcript:", StringComparison.Ordinal)..];
        Assert.Contains("> Fetch both pages", transcript, StringComparison.Ordinal);
        AssertInOrder(transcript, "I will fetch both pages.", "→ Bash curl", "↳ hello from the listed host", "The listed page answered.");

        var task = json.GetProperty("task");
        Assert.Equal(taskId, task.GetProperty("id").GetString());
        Assert.Equal("completed", task.GetProperty("status").GetString());
        Assert.True(task.GetProperty("token_usage").GetProperty("output_tokens").GetInt64() > 0);
        var egress = json.GetProperty("egress").EnumerateArray().Where(e => e.GetProperty("kind").GetString() != "model").ToList();
        Assert.Equal(2, egress.Count);
        Assert.Single(egress, e => e.GetProperty("allowed").GetBoolean() && e.GetProperty("port").GetInt32() == listed.Port);
        Assert.Single(egress, e => !e.GetProperty("allowed").GetBoolean() && e.GetProperty("port").GetInt32() == unlistedPort);
        var messages = json.GetProperty("messages").EnumerateArray().ToList();
        Assert.NotEmpty(messages);
        Assert.All(messages, m => Assert.Equal(taskId, m.GetProperty("task_id").GetString()));
        Assert.Contains(messages, m => m.GetProperty("event_type").GetString() == "tool_call");
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task Show_AnUnknownTask_IsOneLineFromTheApi_AndFails()
    {
        await using var h = await CliHarness.StartAsync();

        var shown = await h.Home.RunAsync("task", "show", "task_doesnotexist");
        var json = await h.Home.RunAsync("task", "show", "task_doesnotexist", "--json");

        foreach (var result in new[] { shown, json })
        {
            Assert.True(result.ExitCode == 1, result.ToString());
            Assert.Equal(string.Empty, result.Stdout);
            Assert.Equal("agor: No task with id 'task_doesnotexist'. (404)", result.Stderr.Trim());
        }
    }

    private static void AssertInOrder(string text, params string[] parts)
    {
        var at = 0;
        foreach (var part in parts)
        {
            var found = text.IndexOf(part, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"'{part}' is missing after position {at} in:\n{text}");
            at = found + part.Length;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
