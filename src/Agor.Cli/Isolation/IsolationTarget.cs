using Agor.Cli.Commands;
using Agor.Daemon.Executors;
using Agor.Daemon.Hosting;

namespace Agor.Cli.Isolation;

/// <summary>
/// The daemon a setup is for (its user and AGOR_HOME, and where that home was found), and the
/// machine-wide names derived from them: <c>agor-&lt;user&gt;-&lt;8 hex digits of the home&gt;</c> names
/// the sudoers file and the directory of the installed executor, so two daemons on one host keep
/// their own.
/// </summary>
internal sealed record IsolationTarget(UnixUser DaemonUser, string Home, string HomeSource)
{
    public const string SudoersDirectory = "/etc/sudoers.d";

    public const string InstallRoot = "/usr/local/lib/agor";

    public const string ManifestFileName = "setup-executor-isolation.json";

    /// <summary>Files in sudoers.d with this prefix and our header are rules some setup wrote.</summary>
    public const string NamePrefix = "agor-";

    public string Name { get; } = $"{NamePrefix}{DaemonUser.Name}-{AgorHome.InstanceName(Home)}";

    public string SudoersPath => Path.Combine(SudoersDirectory, Name);

    public string InstallDirectory => Path.Combine(InstallRoot, Name);

    public string ExecutorPath => Path.Combine(InstallDirectory, ExecutorInstallStep.ExecutorName);

    public string ManifestPath => Path.Combine(Home, ManifestFileName);

    /// <summary>
    /// The daemon user is <paramref name="daemonUserName"/>, else <c>SUDO_USER</c> (who ran sudo), else
    /// the current user; the home is <paramref name="agorHome"/>, else <c>AGOR_HOME</c> (sudo drops it
    /// unless told to keep it), else <c>~/.agor</c> of the daemon user as the user database has it.
    /// </summary>
    public static async Task<IsolationTarget> ResolveAsync(string? daemonUserName, string? agorHome, CancellationToken cancellationToken)
    {
        var sudoUser = Environment.GetEnvironmentVariable("SUDO_USER") is { Length: > 0 } fromSudo ? fromSudo : null;
        var name = daemonUserName ?? sudoUser ?? Environment.UserName;
        if (!Agor.Daemon.Configuration.ConfigLoader.IsValidUserName(name))
        {
            throw new CliException($"--daemon-user: '{name}' is not a valid Unix user name", ExitCodes.Usage);
        }

        var user = await PasswdLookup.FindAsync(name, cancellationToken)
            ?? throw new CliException($"the daemon user '{name}' does not exist; name it with --daemon-user", ExitCodes.Usage);
        var who = daemonUserName is not null ? "--daemon-user" : sudoUser is not null ? "SUDO_USER" : "the current user";
        if (agorHome is { Length: > 0 })
        {
            return new IsolationTarget(user, Path.GetFullPath(agorHome), "from --agor-home");
        }

        if (Environment.GetEnvironmentVariable("AGOR_HOME") is { Length: > 0 } configured)
        {
            return new IsolationTarget(user, Path.GetFullPath(configured), "from AGOR_HOME");
        }

        return new IsolationTarget(user, Path.Combine(user.Home, ".agor"), $"the home of {user.Name} ({who}); another: --agor-home DIR");
    }
}
