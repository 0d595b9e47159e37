namespace Agor.Bench.Suites.Prompt;

/// <summary>
/// One prompt's private directories: a fresh HOME (where Claude Code keeps its config, sessions and
/// caches, so no run sees another's) and a fresh working directory. The executor side and the
/// baseline each get their own, made the same way; disposing deletes both. The daemon suite's
/// baseline keeps one HOME for all its runs (as the daemon's agents have), with a fresh working
/// directory each run (<see cref="WithHome"/>); disposing then deletes the working directory only.
/// </summary>
internal sealed class PromptSandbox : IDisposable
{
    private readonly string _root;

    private PromptSandbox(string root, string? home = null)
    {
        _root = root;
        Home = home ?? Directory.CreateDirectory(Path.Combine(root, "home")).FullName;
        WorkingDirectory = Directory.CreateDirectory(Path.Combine(root, "work")).FullName;
        ExecutorEnvironment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
            ["HOME"] = Home,
            ["LANG"] = "C.UTF-8",
        };
    }

    public string Home { get; }

    public string WorkingDirectory { get; }

    /// <summary>
    /// The executor's whole environment (it is started with a cleared one, as the pool does). The
    /// agent inherits HOME, PATH and LANG from it; the baseline's environment is derived from it.
    /// </summary>
    public IReadOnlyDictionary<string, string> ExecutorEnvironment { get; }

    public static PromptSandbox Create() => new(Directory.CreateTempSubdirectory("agor-bench-prompt-").FullName);

    /// <summary>A fresh working directory with an existing HOME, which is left in place.</summary>
    public static PromptSandbox WithHome(string home) => new(Directory.CreateTempSubdirectory("agor-bench-prompt-").FullName, home);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A straggler still writing (the CLI's last flush); the directory is in /tmp either way.
        }
    }
}
