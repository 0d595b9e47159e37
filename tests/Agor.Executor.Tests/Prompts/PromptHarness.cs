using Agor.Testing.Daemon;
using Agor.Testing.ScriptedModel;
using Agor.Testing.Support;

namespace Agor.Executor.Tests.Prompts;

/// <summary>The scripted model server, a scripted daemon with a real executor, and a working directory.</summary>
internal sealed class PromptHarness : IAsyncDisposable
{
    private PromptHarness(ScriptedModelServer model, ScriptedDaemon daemon, string workingDirectory)
    {
        Model = model;
        Daemon = daemon;
        WorkingDirectory = workingDirectory;
    }

    public ScriptedModelServer Model { get; }

    public ScriptedDaemon Daemon { get; }

    public string WorkingDirectory { get; }

    public static async Task<PromptHarness> StartAsync(Func<ScriptedDaemonOptions, ScriptedDaemonOptions>? configure = null)
    {
        var model = await ScriptedModelServer.StartAsync();
        var options = new ScriptedDaemonOptions { AgentPath = ClaudeCli.Require(), BaseUrl = model.BaseUrl };
        options = configure?.Invoke(options) ?? options;
        var daemon = await ScriptedDaemon.StartAsync(options);
        return new PromptHarness(model, daemon, Directory.CreateTempSubdirectory("agor-cwd-").FullName);
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
