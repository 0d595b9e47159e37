using Agor.Daemon.Executors;

namespace Agor.Cli.Isolation;

/// <summary>
/// Looks a user up as the system does (<c>getent passwd</c>, so LDAP and other NSS sources count),
/// falling back to /etc/passwd where getent is missing.
/// </summary>
internal static class PasswdLookup
{
    public static async Task<UnixUser?> FindAsync(string name, CancellationToken cancellationToken = default) =>
        (await FindEntryAsync(name, cancellationToken))?.User;

    /// <summary>The user and its comment (GECOS) field, or null when there is no such user.</summary>
    public static async Task<(UnixUser User, string Comment)?> FindEntryAsync(string name, CancellationToken cancellationToken = default)
    {
        string? line = null;
        if (SystemCommand.Find("getent") is not null)
        {
            var result = await SystemCommand.RunAsync("getent", ["passwd", name], cancellationToken);
            line = result.ExitCode == 0 ? result.Output.Split('\n')[0] : null;
        }
        else if (File.Exists("/etc/passwd"))
        {
            line = File.ReadLines("/etc/passwd").FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal));
        }

        var fields = line?.Split(':');
        return fields is { Length: >= 7 } && fields[0] == name && int.TryParse(fields[2], out var uid) && int.TryParse(fields[3], out var gid)
            ? (new UnixUser(fields[0], uid, gid, fields[5]), fields[4])
            : null;
    }
}
