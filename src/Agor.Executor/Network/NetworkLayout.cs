using System.Globalization;
using Agor.Protocol.Wire;

namespace Agor.Executor.Network;

/// <summary>One forward as bwrap and the forwarder see it: the port inside, the socket outside and where it is bound inside.</summary>
internal sealed record ForwardLayout(int Port, string OutsideSocket, string InsideSocket);

/// <summary>
/// An isolated sandbox network: <c>--unshare-net</c>, each forward's socket bound at
/// <c>/run/agor-net/N.sock</c>, and <see cref="NetForwarder"/> started first inside to bridge them.
/// </summary>
internal sealed record NetworkLayout(IReadOnlyList<ForwardLayout> Forwards, int MaxConnections)
{
    /// <summary>Where the forwards' sockets are bound inside the sandbox (under the /run mask).</summary>
    public const string InsideDirectory = "/run/agor-net";

    /// <summary>Null unless <paramref name="network"/> asks for isolation.</summary>
    public static NetworkLayout? For(SandboxNetwork? network) =>
        network is not { Isolate: true }
            ? null
            : new NetworkLayout(
                [.. network.Forwards.Select((f, i) => new ForwardLayout(f.Port, f.Socket, $"{InsideDirectory}/{i.ToString(CultureInfo.InvariantCulture)}.sock"))],
                network.MaxConnections);
}
