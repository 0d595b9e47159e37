using Agor.Executor.Interop;

namespace Agor.Executor.Agents;

/// <summary>
/// The agent's environment: an allow-list of the executor's own variables, the daemon's extra
/// non-secret ones, quiet defaults, and the API key (placed by the agent's runner) — which exists
/// only here, in the child's environment block, never in the executor's own environment, a file or a log.
/// </summary>
internal static class AgentEnvironment
{
    private static readonly string[] Inherited = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "LC_CTYPE", "TERM", "TZ", "TMPDIR"];

    /// <param name="runner">The agent's runner: it places the key and base URL, and no variable of any agent's credentials comes from the daemon's context.</param>
    public static Dictionary<string, string> Build(IReadOnlyDictionary<string, string>? extra, IAgentRunner runner, IReadOnlySet<string> reserved, string apiKey, string? baseUrl, string permissionMode)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(reserved);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1",
            ["DISABLE_AUTOUPDATER"] = "1",
            ["DISABLE_ERROR_REPORTING"] = "1",
            ["DISABLE_TELEMETRY"] = "1",
        };
        foreach (var name in Inherited)
        {
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
            {
                environment[name] = value;
            }
        }

        environment.TryAdd("PATH", "/usr/local/bin:/usr/bin:/bin");
        foreach (var (name, value) in extra ?? new Dictionary<string, string>())
        {
            if (!reserved.Contains(name))
            {
                environment[name] = value;
            }
        }

        // The CLI refuses bypassPermissions as root unless told it is sandboxed; the executor is that
        // sandbox, and the daemon chose the mode.
        if (permissionMode == "bypassPermissions" && Libc.geteuid() == 0)
        {
            environment["IS_SANDBOX"] = "1";
        }

        runner.AddCredentials(environment, apiKey, baseUrl);
        return environment;
    }
}
