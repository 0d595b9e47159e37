using Agor.Testing.Daemon;
using Agor.Testing.ScriptedOpenAI;
using Agor.Testing.Support;

namespace Agor.Executor.Tests.Agents.Codex;

/// <summary>The scripted OpenAI server, a scripted daemon whose context names the real Codex CLI, a real executor, and a working directory.</summary>
internal sealed class CodexHarness : IAsyncDisposable
{
    private CodexHarness(ScriptedOpenAIServer model, ScriptedDaemon daemon, string workingDirectory)
    {
        Model = model;
        Daemon = daemon;
        WorkingDirectory = workingDirectory;
    }

    public ScriptedOpenAIServer Model { get; }

    public ScriptedDaemon Daemon { get; }

    public string WorkingDirectory { get; }

    public string ApiKey => Daemon.Options.ApiKey!;

    public static async Task<CodexHarness> StartAsync(Func<ScriptedDaemonOptions, ScriptedDaemonOptions>? configure = null)
    {
        var path = CodexCli.Require();
        var model = await ScriptedOpenAIServer.StartAsync();
        var options = new ScriptedDaemonOptions
        {
            Agent = "codex",
            AgentPath = path,
            BaseUrl = model.BaseUrl,
            ApiKey = "sk-agor-placeholder-" + Guid.NewGuid().ToString("N")[..12],
            AgentEnvironment = null,
        };
        options = configure?.Invoke(options) ?? options;
        var daemon = await ScriptedDaemon.StartAsync(options);
        return new CodexHarness(model, daemon, Directory.CreateTempSubdirectory("agor-codex-cwd-").FullName);
    }

    /// <summary>The pids of the executor's child processes (the agent), read from /proc.</summary>
    public IReadOnlyList<int> AgentPids()
    {
        var pids = new List<int>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{Daemon.Executor.Pid}/task"))
        {
            var children = File.ReadAllText(Path.Combine(task, "children"));
            pids.AddRange(children.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse));
        }

        return pids;
    }

    public async ValueTask DisposeAsync()
    {
        await Daemon.DisposeAsync();
        await Model.DisposeAsync();
        Directory.Delete(WorkingDirectory, recursive: true);
    }
}
