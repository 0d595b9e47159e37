using Agor.Protocol.Wire;
using Agor.Testing.Daemon;
using Agor.Testing.ScriptedGemini;
using Agor.Testing.Support;

namespace Agor.Executor.Tests.Agents.Gemini;

/// <summary>The scripted Gemini API, a scripted daemon naming the <c>gemini</c> agent with a real executor, and a working directory.</summary>
internal sealed class GeminiHarness : IAsyncDisposable
{
    private GeminiHarness(ScriptedGeminiServer model, ScriptedDaemon daemon, string workingDirectory, string apiKey)
    {
        Model = model;
        Daemon = daemon;
        WorkingDirectory = workingDirectory;
        ApiKey = apiKey;
    }

    public ScriptedGeminiServer Model { get; }

    public ScriptedDaemon Daemon { get; }

    public string WorkingDirectory { get; }

    /// <summary>The key the daemon hands out; the model must receive exactly this.</summary>
    public string ApiKey { get; }

    public static async Task<GeminiHarness> StartAsync(Func<ScriptedDaemonOptions, ScriptedDaemonOptions>? configure = null)
    {
        var cli = GeminiCli.Require();
        var model = await ScriptedGeminiServer.StartAsync();
        var key = "gk-test-" + Guid.NewGuid().ToString("N")[..16];
        var options = new ScriptedDaemonOptions { Agent = "gemini", AgentPath = cli, ApiKey = key, BaseUrl = model.BaseUrl, AgentEnvironment = null };
        options = configure?.Invoke(options) ?? options;
        var daemon = await ScriptedDaemon.StartAsync(options);
        return new GeminiHarness(model, daemon, Directory.CreateTempSubdirectory("agor-gemini-cwd-").FullName, key);
    }

    /// <summary>Runs one prompt to its report.</summary>
    public async Task<(ExecutePromptParams Task, ReportCompletionParams Completion)> RunAsync(string prompt, string permissionMode = "default")
    {
        var task = await Daemon.ExecuteAsync(prompt, WorkingDirectory, permissionMode);
        return (task, await Daemon.WaitForCompletionAsync(task.TaskId));
    }

    /// <summary>The text of the task's streamed chunks, in order.</summary>
    public string StreamedText(string taskId) => string.Concat(Daemon.MessagesOf(taskId)
        .Where(m => m.EventType == EventTypes.ContentBlockDelta)
        .Select(m => m.EventData.GetProperty("params").GetProperty("update").GetProperty("content").GetProperty("text").GetString()));

    /// <summary>The pids of the executor's child processes (the agent), read from /proc.</summary>
    public IReadOnlyList<int> AgentPids()
    {
        var pids = new List<int>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{Daemon.Executor.Pid}/task"))
        {
            pids.AddRange(File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse));
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
