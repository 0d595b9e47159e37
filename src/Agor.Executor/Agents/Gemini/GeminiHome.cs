using System.Text.RegularExpressions;
using Agor.Executor.Sandbox;

namespace Agor.Executor.Agents.Gemini;

/// <summary>
/// Where one session's Gemini state lives (GEMINI_CLI_HOME; the CLI keeps it in its <c>.gemini</c>)
/// and its TMPDIR. Confined, that is the session's agent home (seen inside as /home/agent) and
/// bwrap's fresh /tmp. Unconfined, it is <c>$HOME/.agor/gemini/&lt;ACP session id&gt;</c>: a new
/// session runs in a directory of its own that takes the session's id once the CLI has named it.
/// </summary>
internal sealed partial class GeminiHome
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const string Marker = "-agor";
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Bounded retries (the CLI retries a dead network for minutes otherwise) and no usage statistics.</summary>
    private const string Settings = """{"privacy":{"usageStatisticsEnabled":false},"general":{"maxAttempts":2,"retryFetchErrors":false}}""";

    private readonly string? _sessionsRoot;
    private bool _fresh;

    private GeminiHome(string hostPath, string agentPath, string? tempDirectory, string? sessionsRoot, bool fresh)
    {
        HostPath = hostPath;
        AgentPath = agentPath;
        TempDirectory = tempDirectory;
        _sessionsRoot = sessionsRoot;
        _fresh = fresh;
    }

    /// <summary>The home as the executor sees it.</summary>
    public string HostPath { get; private set; }

    /// <summary>The home as the agent sees it: the value of GEMINI_CLI_HOME.</summary>
    public string AgentPath { get; }

    /// <summary>The agent's TMPDIR, or null when bwrap gives it a fresh /tmp.</summary>
    public string? TempDirectory { get; }

    /// <summary>A session id the CLI could have given: anything else is never used in a path.</summary>
    public static bool IsSessionId(string? id) => id is { Length: > 0 and <= 128 } && SessionIdPattern().IsMatch(id);

    /// <summary>Prepares the home for <paramref name="request"/>; the home, or the problem.</summary>
    public static (GeminiHome? Home, string? Problem) Prepare(AgentRunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            GeminiHome home;
            if (request.Sandbox is { } sandbox)
            {
                home = new GeminiHome(sandbox.Layout.AgentHome, BwrapLayout.InsideHome, null, null, fresh: false);
            }
            else
            {
                // No guessed fallback in a shared /tmp, where someone else could have placed the directory first.
                if (request.Environment.GetValueOrDefault("HOME") is not { Length: > 0 } user || !Path.IsPathFullyQualified(user))
                {
                    return (null, "the agent has no absolute HOME to keep its sessions in");
                }

                var root = Path.Combine(user, ".agor", "gemini");
                CreatePrivate(root);
                var resumed = IsSessionId(request.ResumeSessionId) && Directory.Exists(Path.Combine(root, request.ResumeSessionId!));
                var path = Path.Combine(root, resumed ? request.ResumeSessionId! : $"new-{Guid.NewGuid():N}");
                CreatePrivate(path);
                var temp = Path.Combine(path, "tmpdir");
                ReplaceWithEmptyDirectory(temp);
                home = new GeminiHome(path, path, temp, root, fresh: !resumed);
            }

            home.WriteSettings();
            if (IsSessionId(request.ResumeSessionId))
            {
                home.SetAsideChatFiles(request.ResumeSessionId!);
            }

            return (home, null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, $"the Gemini home cannot be prepared: {ex.Message}");
        }
    }

    /// <summary>
    /// After the run: the temporary directory is emptied, and a new unconfined home takes the
    /// name of the session the CLI created in it (or is removed when there was none).
    /// </summary>
    public void Finish(string? sessionId)
    {
        try
        {
            if (TempDirectory is not null && Directory.Exists(TempDirectory))
            {
                Directory.Delete(TempDirectory, recursive: true);
            }

            if (!_fresh || _sessionsRoot is null)
            {
                return;
            }

            _fresh = false;
            var target = IsSessionId(sessionId) ? Path.Combine(_sessionsRoot, sessionId!) : null;
            if (target is not null && !Directory.Exists(target))
            {
                Directory.Move(HostPath, target);
                HostPath = target;
            }
            else
            {
                Directory.Delete(HostPath, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left behind, not fatal: the outcome is already known.
        }
    }

    /// <summary>
    /// settings.json rewritten on every run, 0600, never through a link the agent may have left
    /// (the home is writable by the agent, and this file is read by the next run).
    /// </summary>
    private void WriteSettings()
    {
        var directory = Path.Combine(HostPath, ".gemini");
        if (new DirectoryInfo(directory).LinkTarget is not null || File.Exists(directory))
        {
            File.Delete(directory);
        }

        CreatePrivate(directory);
        var file = Path.Combine(directory, "settings.json");
        if (File.Exists(file) || new FileInfo(file).LinkTarget is not null)
        {
            File.Delete(file);
        }
        else if (Directory.Exists(file))
        {
            Directory.Delete(file, recursive: true);
        }

        using var stream = new FileStream(file, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = PrivateFile });
        stream.Write(System.Text.Encoding.UTF8.GetBytes(Settings));
    }

    /// <summary>
    /// Loading a session names a new chat file <c>session-&lt;minute&gt;-&lt;id8&gt;.jsonl</c>, which
    /// clobbers the session's own file when it was written in the same minute (the CLI then says
    /// "Invalid session identifier"). So the session's files are renamed first, each to a name that
    /// is unique and that the CLI still finds (it matches on the prefix, the id suffix, and the id inside).
    /// </summary>
    private void SetAsideChatFiles(string sessionId)
    {
        var projects = Path.Combine(HostPath, ".gemini", "tmp");
        if (!Directory.Exists(projects) || new DirectoryInfo(projects).LinkTarget is not null)
        {
            return;
        }

        var suffix = $"-{sessionId[..Math.Min(8, sessionId.Length)]}";
        foreach (var chats in Directory.EnumerateDirectories(projects).Select(p => Path.Combine(p, "chats")).Where(Directory.Exists))
        {
            if (new DirectoryInfo(chats).LinkTarget is not null)
            {
                continue;
            }

            foreach (var file in new DirectoryInfo(chats).EnumerateFiles("session-*"))
            {
                var extension = file.Name.EndsWith(".jsonl", StringComparison.Ordinal) ? ".jsonl" : file.Name.EndsWith(".json", StringComparison.Ordinal) ? ".json" : null;
                if (extension is null || file.LinkTarget is not null || !file.Name.EndsWith(suffix + extension, StringComparison.Ordinal))
                {
                    continue;
                }

                // One marker at most: a session resumed many times keeps names of a bounded length.
                var stem = file.Name[..^(suffix.Length + extension.Length)];
                var marker = stem.IndexOf(Marker, StringComparison.Ordinal);
                stem = marker > 0 ? stem[..marker] : stem;
                file.MoveTo(Path.Combine(chats, $"{stem}{Marker}{Guid.NewGuid():N}{suffix}{extension}"));
            }
        }
    }

    private static void ReplaceWithEmptyDirectory(string path)
    {
        if (new DirectoryInfo(path).LinkTarget is not null || File.Exists(path))
        {
            File.Delete(path);
        }
        else if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }

        CreatePrivate(path);
    }

    private static void CreatePrivate(string directory)
    {
        var missing = new Stack<string>();
        for (var d = directory; !Directory.Exists(d); d = Path.GetDirectoryName(d)!)
        {
            missing.Push(d);
        }

        while (missing.TryPop(out var d))
        {
            Directory.CreateDirectory(d, Private);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]*$")]
    private static partial Regex SessionIdPattern();
}
