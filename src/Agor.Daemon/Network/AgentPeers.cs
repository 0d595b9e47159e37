using System.Net.Sockets;
using Agor.Daemon.Configuration;
using Agor.Daemon.Executors;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Network;

/// <summary>
/// Which local users may connect to the agents' Unix sockets: the daemon's own user (executors that
/// run as it) and the users executors may run as (<c>execution.executor_unix_user</c> and
/// <c>allowed_unix_users</c>). The names are resolved again when an unknown uid knocks, so a user
/// created after the daemon started is found; anyone else is turned away before a byte is read,
/// with one log line per ten seconds however many knock.
/// </summary>
internal sealed partial class AgentPeers(ExecutionSettings execution, uint ownUid, ILogger logger)
{
    private const long LogEveryMs = 10_000;

    // Far enough in the past that "now - Never" neither overflows nor falls inside an interval.
    private const long Never = long.MinValue / 2;

    private readonly object _gate = new();
    private HashSet<uint> _uids = [ownUid];
    private long _resolvedAt = Never;
    private long _loggedAt = Never;
    private int _unlogged;

    /// <summary>Whether the peer of <paramref name="socket"/> (accepted on <paramref name="listener"/>) may talk to it; refusals are logged.</summary>
    public bool Admit(Socket socket, string listener)
    {
        var peer = PeerCredentials.Of(socket);
        if (peer is { } known && Admits(known.Uid))
        {
            return true;
        }

        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _loggedAt);
        if (now - last >= LogEveryMs && Interlocked.CompareExchange(ref _loggedAt, now, last) == last)
        {
            Log.Refused(logger, listener, peer?.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown", peer?.Pid ?? 0, Interlocked.Exchange(ref _unlogged, 0));
        }
        else
        {
            Interlocked.Increment(ref _unlogged);
        }

        return false;
    }

    private bool Admits(uint uid)
    {
        if (Volatile.Read(ref _uids).Contains(uid))
        {
            return true;
        }

        // At most one re-read of the user database per second, however hard a stranger knocks.
        lock (_gate)
        {
            var now = Environment.TickCount64;
            if (now - _resolvedAt >= 1000)
            {
                _resolvedAt = now;
                Volatile.Write(ref _uids, Resolve());
            }

            return _uids.Contains(uid);
        }
    }

    private HashSet<uint> Resolve()
    {
        var uids = new HashSet<uint> { ownUid };
        if (execution.RunAsUnixUser)
        {
            foreach (var name in execution.AllowedUnixUsers.Prepend(execution.ExecutorUnixUser))
            {
                if (UnixUser.Find(name) is { Uid: > 0 } user)
                {
                    uids.Add((uint)user.Uid);
                }
            }
        }

        return uids;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1350, Level = LogLevel.Warning, Message = "Refused a connection to the agents' {Listener} socket from uid {Uid} (pid {Pid}), which runs no executor ({Unlogged} more refused since the last line)")]
        public static partial void Refused(ILogger logger, string listener, string uid, int pid, int unlogged);
    }
}
