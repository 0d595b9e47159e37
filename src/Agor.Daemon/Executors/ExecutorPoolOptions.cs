using Agor.Daemon.Configuration;
using Agor.Protocol.JsonRpc;

namespace Agor.Daemon.Executors;

/// <summary>What an <see cref="ExecutorPool"/> is built from.</summary>
internal sealed record ExecutorPoolOptions
{
    public required ExecutionSettings Settings { get; init; }

    /// <summary>The <c>agor-executor</c> binary.</summary>
    public required string ExecutorPath { get; init; }

    /// <summary>Registers the daemon's handlers for an executor's requests on its connection, before it starts.</summary>
    public Action<JsonRpcPeer, string>? RegisterHandlers { get; init; }
}
