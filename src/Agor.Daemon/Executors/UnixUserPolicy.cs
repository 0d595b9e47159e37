using System.Globalization;
using Agor.Daemon.Configuration;

namespace Agor.Daemon.Executors;

/// <summary>
/// Which Unix users a session may have its agent run as: the executor user and those
/// <c>execution.allowed_unix_users</c> names; never root (it would undo isolation), and never the
/// daemon's own user while isolation is on (the agent could read the API token and the database).
/// Asked when a session is created and again when its executor is planned.
/// </summary>
internal sealed class UnixUserPolicy(ExecutionSettings settings, string daemonUser, int daemonUid)
{
    /// <summary>The users a session may name.</summary>
    public IReadOnlyList<string> Allowed { get; } = [.. new[] { settings.ExecutorUnixUser }.Concat(settings.AllowedUnixUsers).Distinct(StringComparer.Ordinal)];

    /// <summary>Why <paramref name="user"/> may not be a session's user, or null when it may.</summary>
    public string? Problem(string user)
    {
        if (!ConfigLoader.IsValidUserName(user))
        {
            return "is not a valid Unix user name";
        }

        var uid = UnixUser.Find(user)?.Uid;
        if (user == "root" || uid == 0)
        {
            return "must never be root: the agent would run with every right on this machine";
        }

        if (settings.RunAsUnixUser && (user == daemonUser || uid == daemonUid))
        {
            return string.Create(CultureInfo.InvariantCulture, $"must not be the daemon's own user ('{daemonUser}') while execution.run_as_unix_user is on: the agent could read the daemon's files");
        }

        return Allowed.Contains(user, StringComparer.Ordinal)
            ? null
            : $"'{user}' is not allowed; a session may name {string.Join(", ", Allowed)} (execution.executor_unix_user and execution.allowed_unix_users)";
    }
}
