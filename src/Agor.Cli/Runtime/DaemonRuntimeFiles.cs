using System.Globalization;
namespace Agor.Cli.Runtime;

/// <summary>A daemon that is running now: its pid and the address it listens on.</summary>
internal sealed record RunningDaemon(int Pid, string? Address);

/// <summary>
/// <c>daemon.pid</c> and <c>daemon.address</c> in AGOR_HOME, written (0600) by the daemon process
/// itself once it listens and removed when it stops, and <c>daemon.log</c> of a background start.
/// </summary>
internal sealed class DaemonRuntimeFiles(string home)
{
    public const string PidFileName = "daemon.pid";
    public const string AddressFileName = "daemon.address";
    public const string LogFileName = "daemon.log";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public string PidPath { get; } = Path.Combine(home, PidFileName);

    public string AddressPath { get; } = Path.Combine(home, AddressFileName);

    public string LogPath { get; } = Path.Combine(home, LogFileName);

    /// <summary>The daemon the pid file names, when that process is alive and is an agor daemon.</summary>
    public RunningDaemon? ReadRunning()
    {
        if (!TryReadPid(out var pid) || !DaemonProcessProbe.IsAgorDaemon(pid))
        {
            return null;
        }

        var address = File.Exists(AddressPath) ? File.ReadAllText(AddressPath).Trim() : null;
        return new RunningDaemon(pid, string.IsNullOrEmpty(address) ? null : address);
    }

    /// <summary>Records this process as the daemon of the home; the address first, so a reader that sees the pid finds it.</summary>
    public void Write(int pid, string address)
    {
        WriteAtomically(AddressPath, address + "\n");
        WriteAtomically(PidPath, pid.ToString(CultureInfo.InvariantCulture) + "\n");
    }

    /// <summary>Removes both files if they still name <paramref name="pid"/> (a newer daemon may have replaced them).</summary>
    public void RemoveIfOwnedBy(int pid)
    {
        if (TryReadPid(out var recorded) && recorded == pid)
        {
            Remove();
        }
    }

    public void Remove()
    {
        File.Delete(PidPath);
        File.Delete(AddressPath);
    }

    private bool TryReadPid(out int pid)
    {
        pid = 0;
        try
        {
            return File.Exists(PidPath)
                && int.TryParse(File.ReadAllText(PidPath).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out pid)
                && pid > 0;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void WriteAtomically(string path, string content)
    {
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, content);
        File.SetUnixFileMode(temporary, OwnerOnly);
        File.Move(temporary, path, overwrite: true);
    }
}
