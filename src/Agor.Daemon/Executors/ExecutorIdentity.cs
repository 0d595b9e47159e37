using System.Globalization;
using Agor.Daemon.Interop;
using Agor.Protocol.Unix;

namespace Agor.Daemon.Executors;

/// <summary>
/// Decides whether the peer of a freshly connected executor socket is the executor the daemon
/// launched, from the kernel's word alone (SO_PEERCRED and /proc), before a byte is sent: anyone
/// of the executor user can unlink the socket and bind their own, and would otherwise receive the
/// prompt and its session token, and could name any pid for the daemon to kill.
/// </summary>
internal static class ExecutorIdentity
{
    /// <summary>
    /// The peer must have <paramref name="expectedUid"/> and be the launched process itself
    /// (directly) or sudo's child (through sudo; with <c>use_pty</c> and a terminal, the child of
    /// sudo's monitor, itself sudo's child). Throws <see cref="ExecutorIdentityException"/> otherwise.
    /// </summary>
    public static VerifiedExecutor Verify(PeerCredentials peer, int expectedUid, LaunchedProcess launched, bool throughSudo)
    {
        if (peer.Uid != expectedUid)
        {
            throw Refuse(peer, $"it runs as uid {peer.Uid}, not the executor's uid {expectedUid}");
        }

        if (launched.StartTime is not { } launchedStart)
        {
            throw Refuse(peer, $"the launched process {launched.Pid} was gone before it could be checked");
        }

        // Opened first and checked alive last: everything read in between is this process's.
        var handle = PidFd.Open(peer.Pid) ?? throw Refuse(peer, "no such process");
        try
        {
            var stat = ProcessStat.Read(peer.Pid) ?? throw Refuse(peer, "no such process");
            var problem = throughSudo
                ? CheckSudoChild(peer.Pid, stat, launched, launchedStart)
                : launched.Is(peer.Pid, stat.StartTime) ? null : $"it is not the launched process {launched.Pid}";
            if (problem is not null)
            {
                throw Refuse(peer, problem);
            }

            if (!handle.IsAlive())
            {
                throw Refuse(peer, "it exited while it was checked");
            }

            return new VerifiedExecutor(peer.Pid, peer.Uid, stat.StartTime, handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static string? CheckSudoChild(int pid, ProcessStat stat, LaunchedProcess sudo, long sudoStart)
    {
        if (stat.StartTime < sudoStart)
        {
            return $"it started before sudo ({sudo.Pid})";
        }

        // sudo must still be the process we started (not reaped and its pid given to another).
        if (ProcessStat.Read(sudo.Pid) is not { } sudoStat || !sudo.Is(sudo.Pid, sudoStat.StartTime))
        {
            return $"sudo ({sudo.Pid}) is gone";
        }

        if (stat.ParentPid == sudo.Pid)
        {
            return null;
        }

        // use_pty: sudo forks a monitor (running as root, named sudo) which forks the command.
        if (ProcessStat.Read(stat.ParentPid) is { } monitor
            && monitor.ParentPid == sudo.Pid
            && monitor.StartTime >= sudoStart
            && Command(stat.ParentPid) == "sudo")
        {
            return null;
        }

        return string.Create(CultureInfo.InvariantCulture, $"its parent {stat.ParentPid} is neither sudo ({sudo.Pid}) nor sudo's monitor (pid {pid})");
    }

    private static string? Command(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static ExecutorIdentityException Refuse(PeerCredentials peer, string problem) =>
        new(string.Create(CultureInfo.InvariantCulture, $"the process at the socket (pid {peer.Pid}, uid {peer.Uid}) is not the executor the daemon launched: {problem}; nothing was sent to it"));
}
