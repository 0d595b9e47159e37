namespace Agor.Daemon.Executors;

/// <summary>An entry of the user database.</summary>
internal sealed record UnixUser(string Name, int Uid, int Gid, string Home)
{
    /// <summary>Looks a user up in /etc/passwd.</summary>
    public static UnixUser? Find(string name)
    {
        if (!File.Exists("/etc/passwd"))
        {
            return null;
        }

        foreach (var line in File.ReadLines("/etc/passwd"))
        {
            var fields = line.Split(':');
            if (fields.Length >= 7 && fields[0] == name && int.TryParse(fields[2], out var uid) && int.TryParse(fields[3], out var gid))
            {
                return new UnixUser(fields[0], uid, gid, fields[5]);
            }
        }

        return null;
    }
}
