namespace Agor.Executor;

/// <summary>The executor's command line.</summary>
internal sealed record ExecutorOptions(string SocketPath, int DaemonUid, bool DieWithParent, int MaxLineBytes, TimeSpan AcceptTimeout)
{
    public const string Usage = "usage: agor-executor --socket PATH [--daemon-uid UID] [--die-with-parent] [--max-line-bytes N] [--max-requests-in-flight N] [--max-batch-size N] [--accept-timeout-ms N] [--agent-umask OCTAL] | --probe-sandbox [--bwrap PATH] | --version";

    /// <summary>The umask the agent gets (the executor keeps 077 for its own files).</summary>
    public int AgentUmask { get; init; } = Convert.ToInt32("022", 8);

    /// <summary>Parses an octal umask ("022", "0077"): at most 0777.</summary>
    public static bool TryParseUmask(string text, out int umask)
    {
        umask = 0;
        if (text.Length is < 1 or > 4 || !text.All(c => c is >= '0' and <= '7'))
        {
            return false;
        }

        umask = Convert.ToInt32(text, 8);
        return umask <= 511;
    }

    /// <summary>Incoming requests handled at once; beyond it -32004 (the daemon passes execution.max_requests_in_flight).</summary>
    public int MaxRequestsInFlight { get; init; } = Protocol.JsonRpc.JsonRpcPeerOptions.DefaultMaxRequestsInFlight;

    /// <summary>Elements of one incoming batch; beyond it one -32600 (the daemon passes execution.max_batch_size).</summary>
    public int MaxBatchSize { get; init; } = Protocol.JsonRpc.JsonRpcPeerOptions.DefaultMaxBatchSize;

    /// <summary>Parses the arguments; returns null and a problem when they are wrong.</summary>
    public static ExecutorOptions? Parse(IReadOnlyList<string> args, int ownUid, out string? problem)
    {
        string? socket = null;
        var daemonUid = ownUid;
        var dieWithParent = false;
        var maxLine = Protocol.JsonRpc.JsonRpcPeerOptions.DefaultMaxLineBytes;
        var acceptTimeoutMs = 60_000;
        var agentUmask = Convert.ToInt32("022", 8);
        var maxInFlight = Protocol.JsonRpc.JsonRpcPeerOptions.DefaultMaxRequestsInFlight;
        var maxBatch = Protocol.JsonRpc.JsonRpcPeerOptions.DefaultMaxBatchSize;
        problem = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--socket" when i + 1 < args.Count:
                    socket = args[++i];
                    break;
                case "--daemon-uid" when i + 1 < args.Count && int.TryParse(args[i + 1], out var uid) && uid >= 0:
                    daemonUid = uid;
                    i++;
                    break;
                case "--max-line-bytes" when i + 1 < args.Count && int.TryParse(args[i + 1], out var max) && max > 0:
                    maxLine = max;
                    i++;
                    break;
                case "--max-requests-in-flight" when i + 1 < args.Count && int.TryParse(args[i + 1], out var inFlight) && inFlight > 0:
                    maxInFlight = inFlight;
                    i++;
                    break;
                case "--max-batch-size" when i + 1 < args.Count && int.TryParse(args[i + 1], out var batch) && batch > 0:
                    maxBatch = batch;
                    i++;
                    break;
                case "--accept-timeout-ms" when i + 1 < args.Count && int.TryParse(args[i + 1], out var ms) && ms > 0:
                    acceptTimeoutMs = ms;
                    i++;
                    break;
                case "--agent-umask" when i + 1 < args.Count && TryParseUmask(args[i + 1], out var umask):
                    agentUmask = umask;
                    i++;
                    break;
                case "--die-with-parent":
                    dieWithParent = true;
                    break;
                default:
                    problem = $"unexpected or incomplete argument '{args[i]}'";
                    return null;
            }
        }

        if (string.IsNullOrEmpty(socket))
        {
            problem = "--socket PATH is required";
            return null;
        }

        return new ExecutorOptions(socket, daemonUid, dieWithParent, maxLine, TimeSpan.FromMilliseconds(acceptTimeoutMs))
        {
            AgentUmask = agentUmask,
            MaxRequestsInFlight = maxInFlight,
            MaxBatchSize = maxBatch,
        };
    }
}
