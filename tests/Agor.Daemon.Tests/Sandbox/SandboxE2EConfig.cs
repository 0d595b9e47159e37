using Agor.Testing.Daemon;

namespace Agor.Daemon.Tests.Sandbox;

/// <summary>
/// The config.yaml of a sandbox spec's daemon: what <see cref="DaemonProcess.ConfigYaml"/> writes,
/// with the spec's <c>sandbox:</c> lines. Written into an AGOR_HOME made here, outside <c>/tmp</c>.
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

    public static string Yaml(DaemonProcessOptions options, IReadOnlyList<string> sandboxLines) =>
        DaemonProcess.ConfigYaml(options with { Sandbox = [.. options.Sandbox, .. sandboxLines] });
}
