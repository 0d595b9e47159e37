using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Api;

/// <summary>
/// The IPC side of session tokens, against a real daemon whose executor has gone bad (a rogue
/// program in its place): a forged token and the token of an earlier task are refused with -32001
/// and audited; the token the task was given works.
/// </summary>
public sealed class SessionTokenTests
{
    [SkippableFact(Timeout = 90_000)]
    public async Task ForgedAndReplayedTokens_AreRefusedWithInvalidToken_AndAudited()
    {
        var socketDirectory = Directory.CreateTempSubdirectory("agor-rogue-").FullName;
        var rogue = Path.Combine(socketDirectory, "rogue-executor");
        await File.WriteAllTextAsync(rogue, $"#!/bin/sh\nexec '{DotnetHost}' '{TestBinaries.PoolProbeDll}' rogue-executor \"$@\"\n");
        File.SetUnixFileMode(rogue, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            await using var h = await DaemonHarness.StartAsync(o => o with
            {
                Execution = [$"executor_path: {rogue}", $"socket_path_template: {socketDirectory}/executor-{{id}}.sock"],
            });
            var session = await h.CreateSessionAsync();

            var first = await h.PromptAsync(session, "one");
            Assert.Equal("completed", (await h.WaitForTaskEndAsync(first)).GetProperty("status").GetString());
            var second = await h.PromptAsync(session, "two");
            Assert.Equal("completed", (await h.WaitForTaskEndAsync(second)).GetProperty("status").GetString());

            var findings = (await h.Daemon.GetAsync($"/sessions/{session}/messages")).EnumerateArray()
                .Select(m => (Task: m.GetProperty("task_id").GetString(), Data: m.GetProperty("event_data")))
                .ToDictionary(m => m.Task!, m => m.Data);
            Assert.Equal("-32001", findings[first].GetProperty("forged").GetString());
            Assert.Equal("ok", findings[first].GetProperty("honest").GetString());
            Assert.Equal("-32001", findings[second].GetProperty("forged").GetString());
            Assert.Equal("-32001", findings[second].GetProperty("replayed").GetString());
            Assert.Equal("ok", findings[second].GetProperty("honest").GetString());

            var audit = (await h.Daemon.GetAsync("/audit?limit=100")).EnumerateArray().ToList();
            Assert.Equal(3, audit.Count(a => a.GetProperty("method").GetString() == "get_api_key" && a.GetProperty("outcome").GetString() == "invalid_token"));
            Assert.Equal(2, audit.Count(a => a.GetProperty("method").GetString() == "get_api_key" && a.GetProperty("outcome").GetString() == "ok"));
            Assert.Equal(2, audit.Count(a => a.GetProperty("method").GetString() == "report_completion" && a.GetProperty("outcome").GetString() == "ok"));
        }
        finally
        {
            Directory.Delete(socketDirectory, recursive: true);
        }
    }

    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "/usr/bin/dotnet";
}
