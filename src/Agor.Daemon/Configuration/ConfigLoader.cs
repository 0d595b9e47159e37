using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Agor.Daemon.Configuration;

/// <summary>
/// Reads <c>$AGOR_HOME/config.yaml</c>, applies defaults and the environment overrides of SPEC,
/// and validates every value. Throws <see cref="ConfigException"/> naming each bad key.
/// </summary>
internal static class ConfigLoader
{
    public const string FileName = "config.yaml";

    /// <summary>AGOR_HOME from the environment, or <c>~/.agor</c>.</summary>
    public static string ResolveHome(IReadOnlyDictionary<string, string?> environment) =>
        environment.GetValueOrDefault("AGOR_HOME") is { Length: > 0 } home
            ? Path.GetFullPath(home)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".agor");

    /// <summary>Loads the configuration of <paramref name="home"/>; a missing file means all defaults.</summary>
    public static AgorConfig Load(string home, IReadOnlyDictionary<string, string?> environment)
    {
        var path = Path.Combine(home, FileName);
        var text = File.Exists(path) ? File.ReadAllText(path) : string.Empty;
        return Parse(text, home, environment, path);
    }

    /// <summary>Parses configuration text; <paramref name="source"/> names it in errors.</summary>
    public static AgorConfig Parse(string yaml, string home, IReadOnlyDictionary<string, string?> environment, string source = FileName)
    {
        var problems = new List<string>();
        var root = new YamlSection(string.Empty, ReadRoot(yaml, source), problems);

        var daemonSection = root.Section("daemon");
        var daemonDefaults = new DaemonSettings();
        var daemon = new DaemonSettings
        {
            Host = daemonSection.String("host", "127.0.0.1"),
            Port = (int)daemonSection.Integer("port", 3030, 0, 65535),
            SseClientQueueEvents = (int)daemonSection.Integer("sse_client_queue_events", daemonDefaults.SseClientQueueEvents, 16, 1_000_000),
            SseClientQueueBytes = daemonSection.Integer("sse_client_queue_bytes", daemonDefaults.SseClientQueueBytes, 64 * 1024, 1L << 32),
            MaxRequestBodyBytes = daemonSection.Integer("max_request_body_bytes", daemonDefaults.MaxRequestBodyBytes, 1024, 1L << 32),
            MaxTitleLength = (int)daemonSection.Integer("max_title_length", daemonDefaults.MaxTitleLength, 1, 1_000_000),
            ListLimitDefault = (int)daemonSection.Integer("list_limit_default", daemonDefaults.ListLimitDefault, 1, 100_000),
            ListLimitMax = (int)daemonSection.Integer("list_limit_max", daemonDefaults.ListLimitMax, 1, 100_000),
        };
        daemonSection.RejectUnknownKeys();
        if (daemon.ListLimitDefault > daemon.ListLimitMax)
        {
            problems.Add($"daemon.list_limit_default: must not exceed daemon.list_limit_max ({daemon.ListLimitMax})");
        }

        var databaseSection = root.Section("database");
        var database = new DatabaseSettings { Path = databaseSection.String("path", "agor.db") };
        databaseSection.RejectUnknownKeys();

        var credentials = ReadCredentials(root.Section("credentials"));

        var agentsSection = root.Section("agents");
        var agents = ReadAgents(agentsSection);
        agentsSection.RejectUnknownKeys();

        var execution = ReadExecution(root.Section("execution"), problems);
        var limits = ReadLimits(root.Section("limits"));
        var sandbox = SandboxConfigReader.Read(root.Section("sandbox"), problems);
        var network = NetworkConfigReader.Read(root.Section("network"), daemon.Port, problems);
        root.RejectUnknownKeys();

        var config = ApplyEnvironment(
            new AgorConfig { Home = home, Daemon = daemon, Database = database, Credentials = credentials, Agents = agents, Execution = execution, Limits = limits, Sandbox = sandbox, Network = network },
            environment,
            problems);

        if (problems.Count > 0)
        {
            throw new ConfigException(source, problems);
        }

        return config;
    }

    private static YamlMappingNode? ReadRoot(string yaml, string source)
    {
        if (string.IsNullOrWhiteSpace(yaml))
        {
            return null;
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new ConfigException(source, [$"not valid YAML at line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}"]);
        }

        return stream.Documents.Count == 0
            ? null
            : stream.Documents[0].RootNode switch
            {
                YamlMappingNode mapping => mapping,
                YamlScalarNode { Value: null or "" } => null,
                _ => throw new ConfigException(source, ["the file must be a mapping of sections (daemon, database, credentials, agents, execution, limits, sandbox, network)"]),
            };
    }

    private static AgentSettings ReadAgents(YamlSection section)
    {
        var claude = section.Section("claude_code");
        var codex = section.Section("codex");
        var gemini = section.Section("gemini");
        var agents = new AgentSettings
        {
            ClaudeCodePath = claude.String("path", "claude"),
            CodexPath = codex.String("path", "codex"),
            GeminiPath = gemini.String("path", "gemini"),
        };
        claude.RejectUnknownKeys();
        codex.RejectUnknownKeys();
        gemini.RejectUnknownKeys();
        return agents;
    }

    private static CredentialSettings ReadCredentials(YamlSection section)
    {
        var services = new Dictionary<string, ServiceCredential>(StringComparer.Ordinal);
        foreach (var service in section.Keys.ToList())
        {
            var entry = section.Section(service);
            services[service] = new ServiceCredential(entry.OptionalString("api_key"), entry.OptionalString("base_url"));
            entry.RejectUnknownKeys();
        }

        return new CredentialSettings { Services = services };
    }

    private static ExecutionSettings ReadExecution(YamlSection section, List<string> problems)
    {
        var defaults = new ExecutionSettings();
        var execution = new ExecutionSettings
        {
            RunAsUnixUser = section.Bool("run_as_unix_user", defaults.RunAsUnixUser),
            ExecutorUnixUser = section.String("executor_unix_user", defaults.ExecutorUnixUser),
            AllowedUnixUsers = section.StringList("allowed_unix_users", defaults.AllowedUnixUsers),
            AgentUmask = ReadUmask(section, "agent_umask", defaults.AgentUmask, problems),
            MaxExecutors = (int)section.Integer("max_executors", defaults.MaxExecutors, 1, 1000),
            WarmExecutors = (int)section.Integer("warm_executors", defaults.WarmExecutors, 0, 1000),
            IdleTimeoutMs = (int)section.Integer("idle_timeout_ms", defaults.IdleTimeoutMs, 1, int.MaxValue),
            SocketPathTemplate = section.String("socket_path_template", defaults.SocketPathTemplate),
            ConnectionTimeoutMs = (int)section.Integer("connection_timeout_ms", defaults.ConnectionTimeoutMs, 1, int.MaxValue),
            SessionTokenExpirationMs = section.Integer("session_token_expiration_ms", defaults.SessionTokenExpirationMs, 1, long.MaxValue),
            SessionTokenMaxUses = (int)section.Integer("session_token_max_uses", defaults.SessionTokenMaxUses, 1, int.MaxValue),
            PermissionTimeoutMs = (int)section.Integer("permission_timeout_ms", defaults.PermissionTimeoutMs, 1, int.MaxValue),
            ExecutorPath = section.String("executor_path", defaults.ExecutorPath, allowEmpty: true),
            ShutdownGraceMs = (int)section.Integer("shutdown_grace_ms", defaults.ShutdownGraceMs, 1, int.MaxValue),
            MaxLineBytes = (int)section.Integer("max_line_bytes", defaults.MaxLineBytes, 1024, int.MaxValue),
            RequestTimeoutMs = (int)section.Integer("request_timeout_ms", defaults.RequestTimeoutMs, 1, int.MaxValue),
            StopGraceMs = (int)section.Integer("stop_grace_ms", defaults.StopGraceMs, 1, int.MaxValue),
            TaskTimeoutMs = section.Integer("task_timeout_ms", defaults.TaskTimeoutMs, 0, int.MaxValue * 1000L),
            HeartbeatIntervalMs = (int)section.Integer("heartbeat_interval_ms", defaults.HeartbeatIntervalMs, 0, int.MaxValue),
            MaxRequestsInFlight = (int)section.Integer("max_requests_in_flight", defaults.MaxRequestsInFlight, 1, 1_000_000),
            MaxBatchSize = (int)section.Integer("max_batch_size", defaults.MaxBatchSize, 1, 1_000_000),
        };
        section.RejectUnknownKeys();
        Validate(execution, problems);
        return execution;
    }

    private static LimitSettings ReadLimits(YamlSection section)
    {
        var defaults = new LimitSettings();
        var limits = new LimitSettings
        {
            MaxMessagesPerTask = (int)section.Integer("max_messages_per_task", defaults.MaxMessagesPerTask, 1, int.MaxValue),
            MaxEventBytes = (int)section.Integer("max_event_bytes", defaults.MaxEventBytes, 1024, int.MaxValue),
            MaxStoredBytesPerTask = section.Integer("max_stored_bytes_per_task", defaults.MaxStoredBytesPerTask, 1024, long.MaxValue),
            MaxCostUsdPerTask = section.Number("max_cost_usd_per_task", defaults.MaxCostUsdPerTask, 0, 1_000_000),
            MaxCostUsdPerSession = section.Number("max_cost_usd_per_session", defaults.MaxCostUsdPerSession, 0, 1_000_000),
        };
        section.RejectUnknownKeys();
        return limits;
    }

    private static void Validate(ExecutionSettings execution, List<string> problems)
    {
        if (!execution.SocketPathTemplate.Contains("{id}", StringComparison.Ordinal))
        {
            problems.Add("execution.socket_path_template: must contain {id}, so that every executor gets its own socket");
        }
        else if (!Path.IsPathFullyQualified(execution.SocketPathTemplate))
        {
            problems.Add("execution.socket_path_template: must be an absolute path");
        }
        else if (System.Text.Encoding.UTF8.GetByteCount(execution.SocketPathTemplate.Replace("{id}", new string('x', 32), StringComparison.Ordinal)) > 107)
        {
            problems.Add("execution.socket_path_template: too long for a Unix socket path (107 bytes at most with the id)");
        }

        if (execution.WarmExecutors > execution.MaxExecutors)
        {
            problems.Add($"execution.warm_executors: must not exceed execution.max_executors ({execution.MaxExecutors})");
        }

        if (execution.RunAsUnixUser && !IsValidUserName(execution.ExecutorUnixUser))
        {
            problems.Add($"execution.executor_unix_user: '{execution.ExecutorUnixUser}' is not a valid Unix user name");
        }
        else if (execution.RunAsUnixUser && execution.ExecutorUnixUser == "root")
        {
            problems.Add("execution.executor_unix_user: must never be root: agents would run with every right on this machine");
        }

        foreach (var user in execution.AllowedUnixUsers)
        {
            if (!IsValidUserName(user))
            {
                problems.Add($"execution.allowed_unix_users: '{user}' is not a valid Unix user name");
            }
            else if (user == "root")
            {
                problems.Add("execution.allowed_unix_users: must never name root: the agent would run with every right on this machine");
            }
        }
    }

    /// <summary>An octal umask string ("022"); what the agent's new files lose of 0666 (directories: of 0777).</summary>
    private static int ReadUmask(YamlSection section, string key, int fallback, List<string> problems)
    {
        var text = section.String(key, Convert.ToString(fallback, 8).PadLeft(3, '0'));
        if (text.Length is < 1 or > 4 || !text.All(c => c is >= '0' and <= '7') || Convert.ToInt32(text, 8) > 511)
        {
            problems.Add($"execution.{key}: must be an octal umask such as \"022\" or \"077\", not '{text}'");
            return fallback;
        }

        return Convert.ToInt32(text, 8);
    }

    /// <summary>A conservative POSIX user name: it reaches sudo's command line.</summary>
    public static bool IsValidUserName(string name) =>
        name.Length is > 0 and <= 32
        && (char.IsAsciiLetterLower(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-');

    private static AgorConfig ApplyEnvironment(AgorConfig config, IReadOnlyDictionary<string, string?> environment, List<string> problems)
    {
        if (environment.GetValueOrDefault("AGOR_PORT") is { Length: > 0 } portText)
        {
            if (int.TryParse(portText, out var port) && port is >= 0 and <= 65535)
            {
                config = config with { Daemon = config.Daemon with { Port = port } };
            }
            else
            {
                problems.Add($"AGOR_PORT: must be a port number between 0 and 65535, not '{portText}'");
            }
        }

        if (environment.GetValueOrDefault("AGOR_EXECUTOR_PATH") is { Length: > 0 } executorPath)
        {
            config = config with { Execution = config.Execution with { ExecutorPath = executorPath } };
        }

        if (environment.GetValueOrDefault("AGOR_CLAUDE_PATH") is { Length: > 0 } claudePath)
        {
            config = config with { Agents = config.Agents with { ClaudeCodePath = claudePath } };
        }

        if (environment.GetValueOrDefault("AGOR_CODEX_PATH") is { Length: > 0 } codexPath)
        {
            config = config with { Agents = config.Agents with { CodexPath = codexPath } };
        }

        if (environment.GetValueOrDefault("AGOR_GEMINI_PATH") is { Length: > 0 } geminiPath)
        {
            config = config with { Agents = config.Agents with { GeminiPath = geminiPath } };
        }

        config = KeyFromEnvironment(config, environment, "anthropic", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL");
        config = KeyFromEnvironment(config, environment, "openai", "OPENAI_API_KEY", "OPENAI_BASE_URL");
        return KeyFromEnvironment(config, environment, "google", "GEMINI_API_KEY", "GOOGLE_GEMINI_BASE_URL");
    }

    /// <summary>A service's key from the environment when config.yaml has no entry for it (config.yaml wins).</summary>
    private static AgorConfig KeyFromEnvironment(AgorConfig config, IReadOnlyDictionary<string, string?> environment, string service, string keyVariable, string urlVariable)
    {
        if (config.Credentials.Services.ContainsKey(service) || environment.GetValueOrDefault(keyVariable) is not { Length: > 0 } key)
        {
            return config;
        }

        var services = new Dictionary<string, ServiceCredential>(config.Credentials.Services, StringComparer.Ordinal)
        {
            [service] = new(key, environment.GetValueOrDefault(urlVariable) is { Length: > 0 } url ? url : null),
        };
        return config with { Credentials = new CredentialSettings { Services = services } };
    }
}
