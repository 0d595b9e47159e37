using Agor.Testing.Daemon;
using Agor.Testing.ScriptedModel;
using Agor.Testing.Support;

namespace Agor.Cli.Tests.Support;

/// <summary>
/// The scripted model server, a home configured for it (port 0), a daemon started with
/// <c>agor daemon start</c>, and a working directory for the agent.
/// </summary>
public sealed class CliHarness : IAsyncDisposable
{
    private CliHarness(ScriptedModelServer model, AgorHomeDirectory home, string workingDirectory)
    {
        Model = model;
        Home = home;
        WorkingDirectory = workingDirectory;
    }

    public ScriptedModelServer Model { get; }

    public AgorHomeDirectory Home { get; }

    public string WorkingDirectory { get; }

    /// <param name="agorPath">The <c>agor</c> to run (an installed one); null runs the one built beside the tests.</param>
    public static async Task<CliHarness> StartAsync(Func<DaemonProcessOptions, DaemonProcessOptions>? configure = null, bool startDaemon = true, string? agorPath = null)
    {
        var claude = ClaudeCli.Require();
        var model = await ScriptedModelServer.StartAsync();
        var options = new DaemonProcessOptions { ModelBaseUrl = model.BaseUrl, ClaudePath = claude };
        var home = await AgorHomeDirectory.CreateAsync(configure?.Invoke(options) ?? options);
        home.AgorPath = agorPath ?? home.AgorPath;
        var harness = new CliHarness(model, home, Directory.CreateTempSubdirectory("agor-cli-work-").FullName);
        if (startDaemon)
        {
            await harness.Home.RunCheckedAsync("init");
            await harness.Home.RunCheckedAsync("daemon", "start");
        }

        return harness;
    }

    /// <summary>Creates a session in the working directory through the CLI; returns its id.</summary>
    public async Task<string> CreateSessionAsync(params string[] extra) =>
        (await Home.RunJsonAsync(["session", "create", "--cwd", WorkingDirectory, .. extra])).GetProperty("id").GetString()!;

    public async ValueTask DisposeAsync()
    {
        await Home.DisposeAsync();
        await Model.DisposeAsync();
        try
        {
            Directory.Delete(WorkingDirectory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
