using Agor.Cli.Tests.Support;
using Agor.Testing.Daemon;
using Agor.Testing.Support;

namespace Agor.Cli.Tests;

/// <summary>
/// <c>agor service install|uninstall</c>: the unit it writes passes <c>systemd-analyze verify</c>
/// (there is no running systemd here, so nothing is started), and uninstall removes what install wrote.
/// </summary>
public sealed class ServiceTests
{
    private const string SystemUnit = "etc/systemd/system/agor.service";

    [SkippableFact(Timeout = 60_000)]
    public async Task InstallSystem_DryRun_PrintsAUnitThatSystemdAccepts_AndWritesNothing()
    {
        var analyze = RequireSystemdAnalyze();
        await using var home = AgorHomeDirectory.CreateEmpty();
        var agorHome = Path.Combine(Path.GetDirectoryName(home.Path)!, "a home with 100% spaces");
        var existedBefore = File.Exists("/" + SystemUnit);

        var result = await home.RunAsync("service", "install", "--system", "--dry-run", "--daemon-user", DaemonUser, "--agor-home", agorHome);
        var verified = await VerifyAsync(analyze, result.Stdout, home.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("would write /etc/systemd/system/agor.service", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(existedBefore, File.Exists("/" + SystemUnit));
        Assert.True(verified.ExitCode == 0 && verified.Stderr.Length == 0, $"systemd-analyze verify: exit {verified.ExitCode}: {verified.Stderr}");
        var lines = result.Stdout.Split('\n');
        Assert.Contains($"ExecStart={DaemonProcess.AgorPath} daemon start --foreground", lines);
        Assert.Contains($"Environment=\"AGOR_HOME={agorHome.Replace("%", "%%", StringComparison.Ordinal)}\"", lines);
        Assert.Contains($"User={DaemonUser}", lines);
        Assert.Contains("Delegate=yes", lines);
        Assert.Contains("KillMode=mixed", lines);
        Assert.Contains("Restart=on-failure", lines);
        Assert.Contains("ProtectSystem=full", lines);
        Assert.Contains("WantedBy=multi-user.target", lines);
        Assert.Contains(lines, l => l.StartsWith("TimeoutStopSec=", StringComparison.Ordinal) && int.Parse(l["TimeoutStopSec=".Length..^1], System.Globalization.CultureInfo.InvariantCulture) > 26);

        // Directives that would break sudo, bwrap or the cgroup delegation are absent.
        foreach (var breaking in new[] { "NoNewPrivileges=", "PrivateTmp=", "PrivateUsers=", "RestrictNamespaces=", "RestrictSUIDSGID=", "SystemCallFilter=", "ProtectControlGroups=", "ProtectHome=" })
        {
            Assert.DoesNotContain(lines, l => l.StartsWith(breaking, StringComparison.Ordinal));
        }
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task InstallSystem_IntoARoot_ThenUninstall_RemovesTheUnitAndItsEnablementLink()
    {
        var analyze = RequireSystemdAnalyze();
        await using var home = AgorHomeDirectory.CreateEmpty();
        var root = Directory.CreateTempSubdirectory("agor-service-root-").FullName;
        try
        {
            var installed = await home.RunAsync("service", "install", "--system", "--root", root, "--daemon-user", DaemonUser);
            var unit = Path.Combine(root, SystemUnit);
            var verified = await VerifyAsync(analyze, await File.ReadAllTextAsync(unit), home.Path);
            var mode = File.GetUnixFileMode(unit);

            // What `systemctl enable` would have made.
            var wants = Directory.CreateDirectory(Path.Combine(root, "etc/systemd/system/multi-user.target.wants")).FullName;
            File.CreateSymbolicLink(Path.Combine(wants, "agor.service"), "/" + SystemUnit);
            var again = await home.RunAsync("service", "install", "--system", "--root", root, "--daemon-user", DaemonUser);
            var removed = await home.RunAsync("service", "uninstall", "--system", "--root", root);
            var removedAgain = await home.RunAsync("service", "uninstall", "--system", "--root", root);

            Assert.True(installed.ExitCode == 0, installed.ToString());
            Assert.Contains($"wrote {unit}", installed.Stdout, StringComparison.Ordinal);
            Assert.Contains($"AGOR_HOME={home.Path}", installed.Stdout, StringComparison.Ordinal);
            Assert.Contains("systemctl enable --now agor.service", installed.Stdout, StringComparison.Ordinal);
            Assert.Contains("systemctl daemon-reload", installed.Stdout, StringComparison.Ordinal);
            Assert.True(verified.ExitCode == 0 && verified.Stderr.Length == 0, $"systemd-analyze verify: exit {verified.ExitCode}: {verified.Stderr}");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, mode);
            Assert.True(again.ExitCode == 0, again.ToString());
            Assert.Contains($"replaced {unit}", again.Stdout, StringComparison.Ordinal);
            Assert.True(removed.ExitCode == 0, removed.ToString());
            Assert.Contains($"removed {unit}", removed.Stdout, StringComparison.Ordinal);
            Assert.Contains($"removed {Path.Combine(wants, "agor.service")}", removed.Stdout, StringComparison.Ordinal);
            Assert.Contains("systemctl stop agor.service", removed.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(Path.Combine(root, "etc/systemd/system"), "*", SearchOption.AllDirectories), p => !Directory.Exists(p));
            Assert.Equal(0, removedAgain.ExitCode);
            Assert.Contains("nothing to remove", removedAgain.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task InstallUser_WritesUnderTheUsersConfig_WithoutProtectSystem_AndSystemdAcceptsIt()
    {
        var analyze = RequireSystemdAnalyze();
        await using var home = AgorHomeDirectory.CreateEmpty();
        var root = Directory.CreateTempSubdirectory("agor-service-root-").FullName;
        var userHome = Path.Combine(Path.GetDirectoryName(home.Path)!, "user-home");
        try
        {
            var installed = await home.RunAsync("service", "install", "--user", "--root", root);
            var unit = Path.Join(root, userHome, ".config/systemd/user/agor.service");
            var text = await File.ReadAllTextAsync(unit);
            var verified = await VerifyAsync(analyze, text, home.Path);
            var removed = await home.RunAsync("service", "uninstall", "--user", "--root", root);

            Assert.True(installed.ExitCode == 0, installed.ToString());
            Assert.Contains("systemctl --user enable --now agor.service", installed.Stdout, StringComparison.Ordinal);
            Assert.Contains("journalctl --user -u agor.service -f", installed.Stdout, StringComparison.Ordinal);
            Assert.True(verified.ExitCode == 0 && verified.Stderr.Length == 0, $"systemd-analyze verify: exit {verified.ExitCode}: {verified.Stderr}");
            var lines = text.Split('\n');
            Assert.Contains("WantedBy=default.target", lines);
            Assert.Contains($"Environment=AGOR_HOME={home.Path}", lines);
            Assert.DoesNotContain(lines, l => l.StartsWith("User=", StringComparison.Ordinal) || l.StartsWith("ProtectSystem=", StringComparison.Ordinal));
            Assert.True(removed.ExitCode == 0, removed.ToString());
            Assert.False(File.Exists(unit));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task AUnitAgorDidNotWrite_IsNeitherReplacedNorRemoved_WithoutForce()
    {
        await using var home = AgorHomeDirectory.CreateEmpty();
        var root = Directory.CreateTempSubdirectory("agor-service-root-").FullName;
        try
        {
            var unit = Path.Combine(root, SystemUnit);
            Directory.CreateDirectory(Path.GetDirectoryName(unit)!);
            const string Theirs = "[Service]\nExecStart=/usr/bin/their-own-agor\n";
            await File.WriteAllTextAsync(unit, Theirs);

            var install = await home.RunAsync("service", "install", "--system", "--root", root, "--daemon-user", DaemonUser);
            var uninstall = await home.RunAsync("service", "uninstall", "--system", "--root", root);
            var contentAfterRefusals = await File.ReadAllTextAsync(unit);
            var forced = await home.RunAsync("service", "install", "--system", "--root", root, "--daemon-user", DaemonUser, "--force");

            Assert.NotEqual(0, install.ExitCode);
            Assert.Contains("was not written by agor", install.Stderr, StringComparison.Ordinal);
            Assert.NotEqual(0, uninstall.ExitCode);
            Assert.Contains("was not written by agor", uninstall.Stderr, StringComparison.Ordinal);
            Assert.Equal(Theirs, contentAfterRefusals);
            Assert.True(forced.ExitCode == 0, forced.ToString());
            Assert.Contains("daemon start --foreground", await File.ReadAllTextAsync(unit), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task ASystemUnitNeverRunsTheDaemonAsRoot()
    {
        await using var home = AgorHomeDirectory.CreateEmpty();

        var result = await home.RunAsync("service", "install", "--system", "--dry-run", "--daemon-user", "root");

        Assert.Equal(64, result.ExitCode);
        Assert.Contains("as root", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    /// <summary>
    /// The user a system unit names. verify does not look users up (the unit is never started here),
    /// so as root a name that need not exist keeps the test from creating one.
    /// </summary>
    private static string DaemonUser => Agor.Testing.Support.Isolation.IsRoot ? "agor_service_owner" : Environment.UserName;

    private static string RequireSystemdAnalyze()
    {
        var path = new[] { "/usr/bin/systemd-analyze", "/bin/systemd-analyze" }.FirstOrDefault(File.Exists);
        if (path is null && Agor.Testing.Support.Isolation.Required)
        {
            Assert.Fail("systemd-analyze is missing (Debian package systemd); CI installs it");
        }

        Skip.If(path is null, "systemd-analyze is not installed (Debian package systemd)");
        return path!;
    }

    /// <summary><c>systemd-analyze verify</c> on the unit as <c>agor.service</c> in a fresh directory.</summary>
    private static async Task<ProcessResult> VerifyAsync(string analyze, string unitText, string scratch)
    {
        var directory = Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(scratch)!, "verify")).FullName;
        var unit = Path.Combine(directory, "agor.service");
        await File.WriteAllTextAsync(unit, unitText);
        return await ProcessRunner.RunAsync(analyze, ["verify", unit], new Dictionary<string, string> { ["SYSTEMD_LOG_COLOR"] = "0" });
    }
}
