using System.Text.Json;
using Agor.Testing.Daemon;
using Agor.Testing.ScriptedModel;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Api;

/// <summary>
/// A real daemon process with the real Claude Code CLI, a scripted model server, a working
/// directory for the agent, and an event stream opened before anything happens.
/// </summary>
internal sealed class DaemonHarness : IAsyncDisposable
{
    private DaemonHarness(ScriptedModelServer model, DaemonProcess daemon, SseClient events, string workingDirectory, DaemonProcessOptions options)
    {
        Model = model;
        Daemon = daemon;
        Events = events;
        WorkingDirectory = workingDirectory;
        Options = options;
    }

    public ScriptedModelServer Model { get; }

    public DaemonProcess Daemon { get; private set; }

    public SseClient Events { get; private set; }

    public string WorkingDirectory { get; }

    public DaemonProcessOptions Options { get; }

    public static async Task<DaemonHarness> StartAsync(Func<DaemonProcessOptions, DaemonProcessOptions>? configure = null)
    {
        var claude = ClaudeCli.Require();
        var model = await ScriptedModelServer.StartAsync();
        var options = new DaemonProcessOptions { ModelBaseUrl = model.BaseUrl, ClaudePath = claude };
        options = configure?.Invoke(options) ?? options;
        var daemon = await DaemonProcess.StartAsync(options);
        var events = await SseClient.ConnectAsync(daemon.Http);
        var workingDirectory = Directory.CreateTempSubdirectory("agor-work-").FullName;
        return new DaemonHarness(model, daemon, events, workingDirectory, options);
    }

    /// <summary>Creates a session in the working directory and returns its id.</summary>
    public async Task<string> CreateSessionAsync(string permissionMode = "default", string? unixUser = null) =>
        (await Daemon.CreateSessionAsync(WorkingDirectory, permissionMode, unixUser)).GetProperty("id").GetString()!;

    /// <summary>Submits a prompt and returns the new task's id.</summary>
    public async Task<string> PromptAsync(string sessionId, string prompt) =>
        (await Daemon.PromptAsync(sessionId, prompt)).GetProperty("id").GetString()!;

    /// <summary>Waits for the task to finish (seen on the event stream), then returns it as <c>GET /tasks/{id}</c> shows it.</summary>
    public async Task<JsonElement> WaitForTaskEndAsync(string taskId, TimeSpan? timeout = null)
    {
        await Events.WaitForTaskEndAsync(taskId, timeout);
        return await Daemon.GetAsync($"/tasks/{taskId}");
    }

    /// <summary>Kills the daemon with SIGKILL and starts a new one on the same home.</summary>
    public async Task RestartAfterKillAsync()
    {
        await Events.DisposeAsync();
        await Daemon.KillAsync();
        var home = Daemon.Home;
        Daemon = await DaemonProcess.StartAsync(Options with { Home = home });
        Events = await SseClient.ConnectAsync(Daemon.Http, lastEventId: 0);
    }

    public async ValueTask DisposeAsync()
    {
        await Events.DisposeAsync();
        await Daemon.DisposeAsync();
        if (Options.Home is null && Daemon.Home is { } restartedHome && Directory.Exists(restartedHome))
        {
            TryDelete(restartedHome);
        }

        await Model.DisposeAsync();
        TryDelete(WorkingDirectory);
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
