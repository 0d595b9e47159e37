namespace Agor.Daemon.Configuration;

/// <summary>The whole of <c>$AGOR_HOME/config.yaml</c> after defaults and environment overrides.</summary>
internal sealed record AgorConfig
{
    public required string Home { get; init; }

    public DaemonSettings Daemon { get; init; } = new();

    public DatabaseSettings Database { get; init; } = new();

    public CredentialSettings Credentials { get; init; } = new();

    public AgentSettings Agents { get; init; } = new();

    public ExecutionSettings Execution { get; init; } = new();

    public LimitSettings Limits { get; init; } = new();

    public SandboxSettings Sandbox { get; init; } = new();

    public NetworkSettings Network { get; init; } = new();
}

/// <summary><c>daemon:</c> where the HTTP API listens.</summary>
internal sealed record DaemonSettings
{
    public string Host { get; init; } = "127.0.0.1";

    public int Port { get; init; } = 3030;

    /// <summary>How many events an SSE client may lag behind before it is dropped (it reconnects with Last-Event-ID).</summary>
    public int SseClientQueueEvents { get; init; } = Events.EventHubOptions.DefaultClientQueueEvents;

    /// <summary>How many bytes of events an SSE client may lag behind before it is dropped.</summary>
    public long SseClientQueueBytes { get; init; } = Events.EventHubOptions.DefaultClientQueueBytes;

    /// <summary>The largest HTTP request body (Kestrel's MaxRequestBodySize); larger ones get 413.</summary>
    public long MaxRequestBodyBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>The longest session title, in characters.</summary>
    public int MaxTitleLength { get; init; } = 512;

    /// <summary>Items a listing returns when the request names no <c>limit</c>.</summary>
    public int ListLimitDefault { get; init; } = 100;

    /// <summary>The largest <c>limit</c> a listing accepts.</summary>
    public int ListLimitMax { get; init; } = 1000;
}

/// <summary><c>database:</c> the SQLite file, relative to AGOR_HOME unless absolute.</summary>
internal sealed record DatabaseSettings
{
    public string Path { get; init; } = "agor.db";
}

/// <summary>An API key and, optionally, the endpoint it is for.</summary>
internal sealed record ServiceCredential(string? ApiKey, string? BaseUrl)
{
    /// <summary>Never print the key.</summary>
    public override string ToString() => $"ServiceCredential {{ ApiKey = {(ApiKey is null ? "none" : "***")}, BaseUrl = {BaseUrl} }}";
}

/// <summary><c>credentials:</c> keys per service (<c>anthropic</c>, <c>openai</c>, ...).</summary>
internal sealed record CredentialSettings
{
    public IReadOnlyDictionary<string, ServiceCredential> Services { get; init; } = new Dictionary<string, ServiceCredential>(StringComparer.Ordinal);
}

/// <summary><c>agents:</c> where each agent's executable is.</summary>
internal sealed record AgentSettings
{
    public const string ClaudeCode = "claude-code";
    public const string Codex = "codex";
    public const string Gemini = "gemini";

    /// <summary>The agents a session may name, in the order people are shown them.</summary>
    public static readonly IReadOnlyList<string> Names = [ClaudeCode, Codex, Gemini];

    public string ClaudeCodePath { get; init; } = "claude";

    public string CodexPath { get; init; } = "codex";

    public string GeminiPath { get; init; } = "gemini";

    /// <summary>True when config.yaml or the environment points <paramref name="agent"/> somewhere other than its default executable.</summary>
    public bool PathConfigured(string agent) => agent switch
    {
        Codex => CodexPath != "codex",
        Gemini => GeminiPath != "gemini",
        _ => ClaudeCodePath != "claude",
    };

    /// <summary>The executable of <paramref name="agent"/>; null for an agent the daemon does not know.</summary>
    public string? PathFor(string agent) => agent switch
    {
        ClaudeCode => ClaudeCodePath,
        Codex => CodexPath,
        Gemini => GeminiPath,
        _ => null,
    };

    /// <summary>The <c>credentials.&lt;service&gt;</c> whose key the agent's model requests use.</summary>
    public static string? ServiceFor(string agent) => agent switch
    {
        ClaudeCode => "anthropic",
        Codex => "openai",
        Gemini => "google",
        _ => null,
    };
}

/// <summary><c>execution:</c> the executor pool and the security settings of its IPC.</summary>
internal sealed record ExecutionSettings
{
    public bool RunAsUnixUser { get; init; }

    public string ExecutorUnixUser { get; init; } = "agor_executor";

    /// <summary>Users besides <see cref="ExecutorUnixUser"/> a session may name in <c>unix_user</c>; never root.</summary>
    public IReadOnlyList<string> AllowedUnixUsers { get; init; } = [];

    /// <summary>The umask of the agent's processes (the executor keeps 077 for its own files).</summary>
    public int AgentUmask { get; init; } = Convert.ToInt32("022", 8);

    public int MaxExecutors { get; init; } = 10;

    public int WarmExecutors { get; init; }

    public int IdleTimeoutMs { get; init; } = 60_000;

    public string SocketPathTemplate { get; init; } = "/tmp/agor-executor-{id}.sock";

    public int ConnectionTimeoutMs { get; init; } = 5_000;

    public long SessionTokenExpirationMs { get; init; } = 86_400_000;

    public int SessionTokenMaxUses { get; init; } = 10_000;

    public int PermissionTimeoutMs { get; init; } = 300_000;

    /// <summary>Empty: the <c>agor-executor</c> shipped beside <c>agor</c>.</summary>
    public string ExecutorPath { get; init; } = string.Empty;

    /// <summary>How long a <c>shutdown</c> request, then SIGTERM, each get before the next step. Not in SPEC; default 3 s.</summary>
    public int ShutdownGraceMs { get; init; } = 3_000;

    /// <summary>The longest IPC line either side accepts.</summary>
    public int MaxLineBytes { get; init; } = Protocol.JsonRpc.JsonRpcPeerOptions.DefaultMaxLineBytes;

    /// <summary>How long the daemon waits for the executor's answer to <c>execute_prompt</c>, <c>stop_task</c> or a heartbeat <c>ping</c>.</summary>
    public int RequestTimeoutMs { get; init; } = 10_000;

    /// <summary>From a stop request (stop, SIGTERM) to the executor being killed if it has not reported by then.</summary>
    public int StopGraceMs { get; init; } = 5_000;

    /// <summary>The longest a task may run (sent as <c>timeout_ms</c>, and enforced by the daemon too); 0: no limit.</summary>
    public long TaskTimeoutMs { get; init; } = 14_400_000;

    /// <summary>How often a running task's executor is pinged; one that does not answer within <see cref="RequestTimeoutMs"/> fails the task. 0: never.</summary>
    public int HeartbeatIntervalMs { get; init; } = 10_000;
    /// <summary>Incoming IPC requests either side handles at once; beyond it a request is answered -32004.</summary>
    public int MaxRequestsInFlight { get; init; } = Protocol.JsonRpc.JsonRpcPeerOptions.DefaultMaxRequestsInFlight;

    /// <summary>Elements of one incoming IPC batch either side accepts; beyond it the batch gets one -32600.</summary>
    public int MaxBatchSize { get; init; } = Protocol.JsonRpc.JsonRpcPeerOptions.DefaultMaxBatchSize;
}
