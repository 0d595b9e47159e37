using System.Net;
using Agor.Executor.Tests.Network;
using Agor.Protocol.JsonRpc;
using Agor.Protocol.Wire;
using Agor.Testing.Support;

namespace Agor.Executor.Tests.Agents.Codex;

/// <summary>
/// Codex confined by our bwrap sandbox in a network namespace of its own, reaching the scripted
/// model only through a forward: its own sandbox is off, its state is in the session's home, and
/// the CODEX_HOME/TMPDIR trap (helper links refused under the temp directory) does not bite.
/// </summary>
public sealed class CodexSandboxTests
{
    private const int ModelPort = 18095;

    [SkippableFact(Timeout = 120_000)]
    public async Task Confined_WithItsOwnNetwork_RunsWithItsOwnSandboxOff_StateInTheSessionsHome()
    {
        var bwrap = Bubblewrap.Require();
        await using var harness = await CodexHarness.StartAsync(o => o with
        {
            BaseUrl = $"http://127.0.0.1:{ModelPort}/v1",
            DecidePermission = _ => Task.FromResult(new PermissionDecision(true)),
        });
        await using var relay = UnixSocketServer.RelayTo(new IPEndPoint(IPAddress.Loopback, new Uri(harness.Model.BaseUrl).Port));
        var root = Directory.CreateTempSubdirectory("agor-codex-sbx-").FullName;
        try
        {
            var home = Path.Combine(root, "session-1");
            harness.Model.Script
                .EnqueueShellCommand("echo confined > out.txt; echo CODEX_HOME=$CODEX_HOME TMPDIR=$TMPDIR HOME=$HOME; echo END", "call_sbx_1")
                .EnqueueText("Done.");
            var parameters = new ExecutePromptParams
            {
                SessionToken = harness.Daemon.Options.SessionToken,
                SessionId = "session-1",
                TaskId = $"task-{Guid.NewGuid():N}"[..13],
                Prompt = "Run it confined",
                Cwd = harness.WorkingDirectory,
                PermissionMode = "default",
                Sandbox = new SandboxSpec
                {
                    Mode = SandboxModes.Required,
                    BwrapPath = bwrap,
                    AgentHome = home,
                    Deny = [harness.Daemon.Home],
                    Network = new SandboxNetwork
                    {
                        Isolate = true,
                        Forwards = [new NetworkForward { Port = ModelPort, Socket = relay.SocketPath }],
                    },
                },
            };
            var accepted = await harness.Daemon.Peer.InvokeAsync(Methods.ExecutePrompt, parameters, TimeSpan.FromSeconds(10));
            Assert.True(accepted.Accepted);
            var completion = await harness.Daemon.WaitForCompletionAsync(parameters.TaskId, TimeSpan.FromSeconds(90));

            Assert.True(completion.Status == CompletionStatus.Completed, completion.Error?.Message);
            Assert.True(completion.Sandbox?.Confined);
            Assert.Contains("net", completion.Sandbox!.Namespaces);
            Assert.Equal("confined\n", await File.ReadAllTextAsync(Path.Combine(harness.WorkingDirectory, "out.txt")));
            var output = Assert.Single(harness.Model.ResponsesRequests.SelectMany(r => r.ToolOutputs)).Output;
            Assert.Contains("CODEX_HOME=/home/agent/.codex TMPDIR=/tmp HOME=/home/agent", output, StringComparison.Ordinal);
            Assert.Contains("END", output, StringComparison.Ordinal);
            Assert.True(Directory.Exists(Path.Combine(home, ".codex", "sessions")), "the thread is kept in the session's home");
            Assert.True(relay.Accepted > 0);

            // Codex's own sandbox is off: the turn metadata names none, and nothing was nested.
            using var metadata = System.Text.Json.JsonDocument.Parse(harness.Model.ResponsesRequests[0].Headers["x-codex-turn-metadata"]);
            Assert.Equal("none", metadata.RootElement.GetProperty("sandbox").GetString());
            Assert.Equal("danger-full-access", metadata.RootElement.GetProperty("sandbox_mode").GetString());
            Assert.Equal(["out.txt"], Directory.EnumerateFileSystemEntries(harness.WorkingDirectory).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
