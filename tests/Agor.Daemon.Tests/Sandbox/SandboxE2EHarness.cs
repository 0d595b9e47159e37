using System.Globalization;
using System.Text.Json;
using Agor.Daemon.Tests.Api;
using Agor.Testing.ScriptedModel;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Sandbox;

/// <summary>
/// A real daemon with a <c>sandbox:</c> config section, run either as its own user or with
/// <c>run_as_unix_user: true</c> (executors as <see cref="ExecutorUser"/> through sudo), the real
/// Claude Code CLI and the scripted model. Each prompt it sends scripts one <c>Bash</c> call taken
/// only by that prompt's requests (a marker in the prompt), so sessions may run side by side.
/// Disposing deletes the sessions it made (which removes their agent homes), the daemon, its home
/// and the working directories.
/// </summary>
internal sealed class SandboxE2EHarness : IAsyncDisposable
{
    public const string ExecutorUser = "agor_executor";

    private readonly List<string> _sessions = [];
    private readonly List<string> _directories = [];

    private SandboxE2EHarness(DaemonHarness inner, string home, bool runAsUnixUser)
    {
        Inner = inner;
        Home = home;
        RunAsUnixUser = runAsUnixUser;
    }

    public DaemonHarness Inner { get; }

    /// <summary>The daemon's AGOR_HOME.</summary>
    public string Home { get; }

    public bool RunAsUnixUser { get; }

    public ScriptedModelServer Model => Inner.Model;

    public static async Task<SandboxE2EHarness> StartAsync(bool runAsUnixUser, IReadOnlyList<string>? sandbox = null, IReadOnlyList<string>? execution = null, IReadOnlyList<string>? network = null)
    {
        if (runAsUnixUser)
        {
            await UnixUsers.EnsureAsync(ExecutorUser);
        }

        string? home = null;
        try
        {
            var inner = await DaemonHarness.StartAsync(o =>
            {
                o = o with
                {
                    Execution = runAsUnixUser
                        ? ["run_as_unix_user: true", $"executor_unix_user: {ExecutorUser}", .. execution ?? []]
                        : ["run_as_unix_user: false", .. execution ?? []],
                    Network = network ?? [],
                };
                home = SandboxE2EConfig.WriteHome(o, sandbox ?? []);
                return o with { Home = home };
            });
            return new SandboxE2EHarness(inner, home!, runAsUnixUser);
        }
        catch
        {
            TryDelete(home);
            throw;
        }
    }

    /// <summary>
    /// A fresh working directory the agent's user owns (in /var/tmp, so that only the mount plan, not
    /// the private /tmp, decides whether another session sees it); with <paramref name="gitRepository"/>,
    /// a repository root with one commit.
    /// </summary>
    public async Task<string> NewWorkingDirectoryAsync(bool gitRepository = false)
    {
        var directory = SandboxE2EConfig.CreatePrivateDirectory("agor-sandbox-work-");
        _directories.Add(directory);
        if (gitRepository)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "README"), "a repository\n");
            await GitAsync(directory, "init", "-q");
            await GitAsync(directory, "add", "README");
            await GitAsync(directory, "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "initial");
        }

        if (RunAsUnixUser)
        {
            await ProcessRunner.RunCheckedAsync("chown", ["-R", ExecutorUser, directory]);
        }

        return directory;
    }

    /// <summary>git in <paramref name="directory"/> as the test's user, whoever owns the repository.</summary>
    public static async Task<string> GitAsync(string directory, params string[] arguments) =>
        (await ProcessRunner.RunCheckedAsync("git", ["-c", "safe.directory=*", "-C", directory, .. arguments])).Stdout;

    /// <summary>Creates a session (in a fresh working directory unless one is given) and returns its id.</summary>
    public async Task<string> CreateSessionAsync(string? cwd = null, string permissionMode = "bypassPermissions")
    {
        cwd ??= await NewWorkingDirectoryAsync();
        var session = (await Inner.Daemon.CreateSessionAsync(cwd, permissionMode)).GetProperty("id").GetString()!;
        _sessions.Add(session);
        return session;
    }

    /// <summary>Prompts <paramref name="session"/> with a scripted <c>Bash</c> call of <paramref name="command"/>, waits for the task's end.</summary>
    public async Task<BashRun> RunBashAsync(string session, string command, TimeSpan? timeout = null)
    {
        var started = await StartBashAsync(session, command);
        return await started.EndAsync(timeout);
    }

    /// <summary>As <see cref="RunBashAsync"/>, without waiting: the task is submitted when this returns.</summary>
    public async Task<StartedBash> StartBashAsync(string session, string command)
    {
        var marker = "e2e-" + Guid.NewGuid().ToString("N")[..12];
        var toolUseId = "toolu_01" + Guid.NewGuid().ToString("N")[..20];
        bool Mine(RecordedRequest r) => r.UserText.Contains(marker, StringComparison.Ordinal);
        Model.Script
            .Enqueue(ScriptedTurn.ToolUse("Bash", new { command, description = "Check the sandbox" }, toolUseId: toolUseId), Mine)
            .Enqueue(ScriptedTurn.Text("Done."), Mine);
        var prompt = $"Run the check {marker}";
        var taskId = await Inner.PromptAsync(session, prompt);
        return new StartedBash(this, session, taskId, toolUseId, prompt);
    }

    /// <summary>What the agent saw for a tool call, or null when no result reached the model.</summary>
    public string? ToolResult(string toolUseId) =>
        Model.ConversationRequests.SelectMany(r => r.ToolResults).FirstOrDefault(t => t.ToolUseId == toolUseId)?.Content;

    /// <summary>The session's stored <c>system</c> messages of <paramref name="subtype"/> (their <c>event_data</c>).</summary>
    public async Task<IReadOnlyList<JsonElement>> SystemEventsAsync(string session, string subtype)
    {
        var messages = await Inner.Daemon.GetAsync($"/sessions/{session}/messages");
        return [.. messages.EnumerateArray()
            .Where(m => m.GetProperty("event_type").GetString() == "system")
            .Select(m => m.GetProperty("event_data"))
            .Where(d => d.ValueKind == JsonValueKind.Object && d.TryGetProperty("subtype", out var s) && s.GetString() == subtype)];
    }

    /// <summary>Waits for the <c>message.created</c> of a <c>system</c> message of <paramref name="subtype"/> in <paramref name="taskId"/>; returns its <c>event_data</c>.</summary>
    public async Task<JsonElement> WaitForSystemEventAsync(string taskId, string subtype)
    {
        var created = await Inner.Events.WaitForAsync(
            e => e.Type == "message.created" && e.Str("task_id") == taskId && e.Str("event_type") == "system"
                && e.Data.TryGetProperty("event_data", out var data) && data.ValueKind == JsonValueKind.Object
                && data.TryGetProperty("subtype", out var s) && s.GetString() == subtype,
            TimeSpan.FromSeconds(30));
        return created.Data.GetProperty("event_data");
    }

    /// <summary><c>GET /health</c>'s <c>sandbox</c> object.</summary>
    public async Task<JsonElement> HealthSandboxAsync() => (await Inner.Daemon.GetAsync("/health")).GetProperty("sandbox");

    /// <summary>The pid of the executor running <paramref name="taskId"/>, from <c>GET /executors</c>.</summary>
    public async Task<int> ExecutorPidOfAsync(string taskId)
    {
        var executors = await Inner.Daemon.GetAsync("/executors");
        return executors.EnumerateArray().First(e => e.GetProperty("task_id").GetString() == taskId).GetProperty("pid").GetInt32();
    }

    /// <summary>Where the session's agent home lives outside the sandbox in this mode (the default <c>sandbox.agent_homes</c>).</summary>
    public string AgentHomeOf(string session) =>
        Path.Combine(RunAsUnixUser ? Path.Combine(PasswdHome(ExecutorUser), ".agor", "agent-homes") : Path.Combine(Home, "agent-homes"), session);

    /// <summary>The uid the agent runs as in this mode.</summary>
    public async Task<int> AgentUidAsync() =>
        RunAsUnixUser ? (await UnixUsers.UidAsync(ExecutorUser)).GetValueOrDefault(-1) : ProcessTable.Uid(Inner.Daemon.Pid);

    public async ValueTask DisposeAsync()
    {
        foreach (var session in _sessions)
        {
            try
            {
                using var _ = await Inner.Daemon.Http.DeleteAsync(new Uri($"/sessions/{session}", UriKind.Relative));
            }
            catch (HttpRequestException)
            {
            }
        }

        var homes = _sessions.Select(AgentHomeOf).ToList();
        await Inner.DisposeAsync();
        foreach (var path in homes.Concat(_directories).Append(Home))
        {
            TryDelete(path);
        }
    }

    internal static string PasswdHome(string user) =>
        File.ReadLines("/etc/passwd").Select(l => l.Split(':')).First(f => f[0] == user)[5];

    internal static string Id(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static void TryDelete(string? path)
    {
        try
        {
            if (path is not null && Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
