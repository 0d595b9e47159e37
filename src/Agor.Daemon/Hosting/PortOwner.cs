using System.Globalization;

namespace Agor.Daemon.Hosting;

/// <summary>A process listening on a TCP port: its pid and name, or null where this user cannot see which.</summary>
internal sealed record PortListener(int Port, int? Pid, string? Name)
{
    /// <summary><c>pid 1234 (nginx)</c>, or <c>a process this user cannot see</c>.</summary>
    public string Describe() => Pid is { } pid ? $"pid {pid} ({Name ?? "?"})" : "a process this user cannot see (try as root: ss -ltnp)";
}

/// <summary>
/// Who listens on a port, from the kernel's tables: the socket's inode in <c>/proc/net/tcp</c> and
/// <c>tcp6</c>, then the process holding a descriptor for it in <c>/proc/*/fd</c>.
/// </summary>
internal static class PortOwner
{
    private const string ListenState = "0A";

    /// <summary>The listener on <paramref name="port"/>, or null when nothing listens there.</summary>
    public static PortListener? Find(int port)
    {
        var inode = ListeningInodes(port).FirstOrDefault();
        if (inode is null)
        {
            return null;
        }

        var link = $"socket:[{inode}]";
        foreach (var process in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(process), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                if (Directory.EnumerateFileSystemEntries(Path.Combine(process, "fd")).Any(fd => new FileInfo(fd).LinkTarget == link))
                {
                    return new PortListener(port, pid, ReadName(process));
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Another user's process, or one that just ended.
            }
        }

        return new PortListener(port, null, null);
    }

    /// <summary>Inodes of listening sockets on the port, any address, IPv4 then IPv6.</summary>
    private static IEnumerable<string> ListeningInodes(int port)
    {
        var portHex = port.ToString("X4", CultureInfo.InvariantCulture);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(table);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            // "sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ..."
            foreach (var line in lines.Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 9 && fields[3] == ListenState && fields[1].EndsWith(":" + portHex, StringComparison.OrdinalIgnoreCase) && fields[9] != "0")
                {
                    yield return fields[9];
                }
            }
        }
    }

    private static string? ReadName(string process)
    {
        try
        {
            return File.ReadAllText(Path.Combine(process, "comm")).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
