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
}

/// <summary><c>daemon:</c> where the HTTP API listens.</summary>
internal sealed record DaemonSettings
{
    public string Host { get; init; } = "127.0.0.1";

    public int Port { get; init; } = 3030;
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
    public string ClaudeCodePath { get; init; } = "claude";
}

/// <summary><c>execution:</c> the executor pool and the security settings of its IPC.</summary>
internal sealed record ExecutionSettings
{
    public bool RunAsUnixUser { get; init; }

    public string ExecutorUnixUser { get; init; } = "agor_executor";

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

    /// <summary>Incoming IPC requests either side handles at once; beyond it a request is answered -32004.</summary>
    public int MaxRequestsInFlight { get; init; } = Protocol.JsonRpc.JsonRpcPeerOptions.DefaultMaxRequestsInFlight;

    /// <summary>Elements of one incoming IPC batch either side accepts; beyond it the batch gets one -32600.</summary>
    public int MaxBatchSize { get; init; } = Protocol.JsonRpc.JsonRpcPeerOptions.DefaultMaxBatchSize;
}
