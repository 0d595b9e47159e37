using System.Globalization;
using System.Text;

namespace Agor.Cli.Service;

/// <summary>
/// The systemd unit that runs <c>agor daemon start --foreground</c>. Each directive, and each one
/// left out on purpose, carries its reason in the written file (and in docs/DECISIONS.md).
/// </summary>
internal sealed record SystemdUnit
{
    /// <summary>The first line of every unit agor writes; uninstall removes only a file that starts with it.</summary>
    public const string Marker = "# Written by `agor service install`; `agor service uninstall` removes it.";

    public required ServiceScope Scope { get; init; }

    /// <summary>The absolute command that starts agor (the agor executable, or dotnet and agor.dll).</summary>
    public required IReadOnlyList<string> AgorCommand { get; init; }

    /// <summary>AGOR_HOME of the daemon.</summary>
    public required string Home { get; init; }

    /// <summary>The user a system unit runs the daemon as; null in a user unit (the manager's own user).</summary>
    public string? User { get; init; }

    /// <summary>Variables the daemon needs besides AGOR_HOME (PATH to find the agent, DOTNET_ROOT to find the runtime).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; } = [];

    /// <summary>How long systemd waits after SIGTERM before SIGKILL: above the daemon's own stop bound.</summary>
    public required TimeSpan StopTimeout { get; init; }

    public string Render()
    {
        var text = new StringBuilder();
        Line(text, Marker);
        Line(text, "[Unit]");
        Line(text, "Description=Agor daemon: runs AI coding agents, each prompt in an isolated executor");
        Line(text, "Documentation=man:systemd.service(5)");
        Line(text, "After=network.target");
        Line(text);
        Line(text, "[Service]");
        Line(text, "# The daemon logs to stderr (the journal) and does not fork; systemd knows it started once agor runs.");
        Line(text, "Type=exec");
        if (User is not null)
        {
            Line(text, "# Never root: the daemon holds the keys and the database of this user; isolation runs agents as another user through sudo.");
            Line(text, $"User={SystemdQuoting.Word(User, inCommandLine: false)}");
        }

        Line(text, $"Environment={SystemdQuoting.Assignment("AGOR_HOME", Home)}");
        foreach (var (name, value) in Environment)
        {
            Line(text, $"Environment={SystemdQuoting.Assignment(name, value)}");
        }

        Line(text, $"ExecStart={SystemdQuoting.CommandLine([.. AgorCommand, "daemon", "start", "--foreground"])}");
        Line(text, "# SIGHUP: the daemon re-reads config.yaml and applies what it can without a restart (`systemctl reload`).");
        Line(text, "ExecReload=kill -HUP $MAINPID");
        Line(text, "Restart=on-failure");
        Line(text, "RestartSec=2s");
        Line(text, "# SIGTERM to the daemon alone: it stops its tasks and executors itself; whatever is left at the timeout is killed.");
        Line(text, "KillMode=mixed");
        Line(text, string.Create(CultureInfo.InvariantCulture, $"TimeoutStopSec={(int)Math.Ceiling(StopTimeout.TotalSeconds)}s"));
        Line(text, "# The sandbox puts each task's agent in a cgroup of its own below the daemon's, with memory, pids and cpu limits.");
        Line(text, "Delegate=yes");
        Line(text, "# Many SSE clients and proxied agent connections at once.");
        Line(text, "LimitNOFILE=65536");
        Line(text, "# Hardening that leaves sudo and bubblewrap working:");
        Line(text, "#  NoNewPrivileges is not set: sudo (impersonation) and a setuid bwrap need it off. Nor is any directive that");
        Line(text, "#  implies it (SystemCallFilter, RestrictNamespaces, RestrictSUIDSGID, PrivateDevices, ProtectKernelModules,");
        Line(text, "#  ProtectKernelLogs, ProtectClock, MemoryDenyWriteExecute, LockPersonality, RestrictRealtime, RestrictAddressFamilies);");
        Line(text, "#  RestrictNamespaces would also stop bwrap making its namespaces, PrivateUsers would break sudo.");
        Line(text, "#  PrivateTmp is not set: session working directories and AGOR_HOME may be under /tmp, and the executor sockets");
        Line(text, "#  (execution.socket_path_template) must be where `agor doctor` and the executors' own users look.");
        Line(text, "#  ProtectHome is not set: sessions work in your projects under /home. ProtectControlGroups is not set: it would");
        Line(text, "#  make the delegated cgroup read-only.");
        if (Scope == ServiceScope.System)
        {
            Line(text, "#  ProtectSystem=full: /usr, /boot and /etc read-only for the daemon and its agents (strict would also close the homes).");
            Line(text, "ProtectSystem=full");
        }
        else
        {
            Line(text, "#  No ProtectSystem in a user unit: there it needs PrivateUsers, which breaks sudo.");
        }

        Line(text);
        Line(text, "[Install]");
        Line(text, Scope == ServiceScope.System ? "WantedBy=multi-user.target" : "WantedBy=default.target");
        return text.ToString();
    }

    private static void Line(StringBuilder text, string line = "") => text.Append(line).Append('\n');
}
