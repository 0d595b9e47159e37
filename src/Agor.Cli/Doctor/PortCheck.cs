using Agor.Daemon.Configuration;
using Agor.Daemon.Hosting;

namespace Agor.Cli.Doctor;

/// <summary>The daemon's port: free, or held by this home's daemon.</summary>
internal static class PortCheck
{
    public static ReadinessCheck Run(DaemonSettings daemon, int? runningPid)
    {
        if (daemon.Port == 0)
        {
            return ReadinessCheck.Pass("port", "daemon.port is 0: the daemon takes a free one at start");
        }

        return PortOwner.Find(daemon.Port) switch
        {
            null => ReadinessCheck.Pass("port", $"{daemon.Port} is free"),
            { Pid: { } pid } when pid == runningPid => ReadinessCheck.Pass("port", $"{daemon.Port} is ours (the daemon, pid {pid})"),
            var other => ReadinessCheck.Fail("port", $"{daemon.Port} is in use by {other.Describe()}", "set daemon.port or AGOR_PORT to a free port, or stop that program"),
        };
    }
}
