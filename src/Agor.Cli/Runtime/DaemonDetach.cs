using Agor.Cli.Interop;

namespace Agor.Cli.Runtime;

/// <summary>
/// The child side of <c>agor daemon start</c> in the background. Before anything else touches the
/// console, the child leaves the terminal's session (no SIGHUP when it closes), sends its stderr
/// to the log file, and reads stdin from /dev/null. Stdout stays the pipe on which the starter
/// waits for the listening line.
/// </summary>
internal static class DaemonDetach
{
    /// <summary>Set by the starter to the log file's path; its presence asks for detaching.</summary>
    public const string LogVariable = "AGOR_DAEMON_DETACHED_LOG";

    public static void ApplyIfRequested()
    {
        if (Environment.GetEnvironmentVariable(LogVariable) is not { Length: > 0 } logPath)
        {
            return;
        }

        Environment.SetEnvironmentVariable(LogVariable, null);
        Native.setsid();
        using (var log = new FileStream(logPath, new FileStreamOptions
        {
            Mode = FileMode.Append,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            Native.dup2((int)log.SafeFileHandle.DangerousGetHandle(), 2);
        }

        using var devNull = new FileStream("/dev/null", FileMode.Open, FileAccess.Read);
        Native.dup2((int)devNull.SafeFileHandle.DangerousGetHandle(), 0);
    }
}
