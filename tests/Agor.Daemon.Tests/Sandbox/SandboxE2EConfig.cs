using System.Text;
using Agor.Testing.Daemon;

namespace Agor.Daemon.Tests.Sandbox;

/// <summary>
/// The config.yaml of a sandbox spec's daemon: what <see cref="DaemonProcess.ConfigYaml"/> writes,
/// plus a <c>sandbox:</c> section. Written into an AGOR_HOME made here, so that the spec does not
/// depend on <see cref="DaemonProcessOptions"/> having a sandbox list of its own.
/// </summary>
internal static class SandboxE2EConfig
{
    /// <summary>
    /// Creates a fresh AGOR_HOME (0700) holding the config; the caller deletes it. In /var/tmp, not
    /// /tmp: the sandbox's private /tmp would hide a home there whether or not the daemon denies it.
    /// </summary>
    public static string WriteHome(DaemonProcessOptions options, IReadOnlyList<string> sandboxLines)
    {
        var home = CreatePrivateDirectory("agor-daemon-");
        File.WriteAllText(Path.Combine(home, "config.yaml"), Yaml(options, sandboxLines));
        return home;
    }

    /// <summary>A new 0700 directory in /var/tmp (outside the sandbox's private /tmp).</summary>
    public static string CreatePrivateDirectory(string prefix) =>
        Directory.CreateDirectory(Path.Combine("/var/tmp", prefix + Guid.NewGuid().ToString("N")[..12]), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;

    public static string Yaml(DaemonProcessOptions options, IReadOnlyList<string> sandboxLines)
    {
        var yaml = new StringBuilder(DaemonProcess.ConfigYaml(options));
        if (sandboxLines.Count > 0)
        {
            yaml.AppendLine("sandbox:");
            foreach (var line in sandboxLines)
            {
                yaml.Append("  ").AppendLine(line);
            }
        }

        return yaml.ToString();
    }
}
