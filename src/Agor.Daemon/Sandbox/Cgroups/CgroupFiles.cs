using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Sandbox.Cgroups;

/// <summary>Reading and writing cgroup control files, and emptying and removing cgroup directories (v1 and v2 alike).</summary>
internal static class CgroupFiles
{
    private static readonly TimeSpan EmptyBound = TimeSpan.FromSeconds(2);

    /// <summary>Writes <paramref name="value"/> to a control file; a refusal becomes a <see cref="ResourceLimitException"/> naming it.</summary>
    public static void Write(string directory, string file, string value)
    {
        var path = Path.Combine(directory, file);
        try
        {
            File.WriteAllText(path, value);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ResourceLimitException($"could not write '{value}' to {path}: {ex.Message}", ex);
        }
    }

    /// <summary>Gives a control file to <paramref name="uid"/>, so that user may move its own processes in.</summary>
    public static void Chown(string directory, string file, int uid)
    {
        var path = Path.Combine(directory, file);
        if (!CgroupNative.Chown(path, uid, out var errno))
        {
            throw new ResourceLimitException($"could not give {path} to uid {uid} (errno {errno})");
        }
    }

    /// <summary>The pids in a cgroup's <c>cgroup.procs</c>; empty when it is gone.</summary>
    public static IReadOnlyList<int> Pids(string directory)
    {
        string text;
        try
        {
            text = File.ReadAllText(Path.Combine(directory, "cgroup.procs"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0)];
    }

    /// <summary>The number after <paramref name="key"/> in a flat keyed file (<c>oom_kill 3</c>); null when the file or key is absent.</summary>
    public static long? ReadKeyed(string directory, string file, string key)
    {
        string text;
        try
        {
            text = File.ReadAllText(Path.Combine(directory, file));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return ParseKeyed(text, key);
    }

    /// <summary>The number after <paramref name="key"/> in the text of a flat keyed file; null when absent.</summary>
    public static long? ParseKeyed(string text, string key)
    {
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', 2);
            if (parts.Length == 2 && parts[0] == key
                && long.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>A single number file (<c>memory.failcnt</c>); null when absent.</summary>
    public static long? ReadNumber(string directory, string file)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(directory, file)).Trim();
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// SIGKILLs whatever is inside <paramref name="directories"/> (again each round: a process may
    /// fork while it dies), waits with a short backoff up to ~2 s until they are empty, then removes
    /// them in order (children before parents). Never throws: what cannot be done is logged.
    /// </summary>
    public static async Task KillAndRemoveAsync(IReadOnlyList<string> directories, ILogger logger, CancellationToken cancellationToken = default)
    {
        var existing = directories.Where(Directory.Exists).ToList();
        var started = TimeProvider.System.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(2);
        while (true)
        {
            var inside = existing.SelectMany(Pids).Distinct().ToList();
            if (inside.Count == 0)
            {
                break;
            }

            KillInside(existing, inside);

            var elapsed = TimeProvider.System.GetElapsedTime(started);
            if (elapsed >= EmptyBound)
            {
                foreach (var directory in existing.Where(d => Pids(d).Count > 0))
                {
                    CgroupLog.NotEmptied(logger, directory, string.Join(' ', Pids(directory)), elapsed.TotalMilliseconds);
                }

                break;
            }

            try
            {
                await Task.Delay(delay, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMilliseconds(100).Ticks));
        }

        foreach (var directory in existing)
        {
            Remove(directory, logger);
        }
    }

    // A pid read from cgroup.procs may be gone and reused by the time we signal it; a pidfd opened
    // first and a second read that still lists the pid make sure the signal reaches the process inside.
    private static void KillInside(IReadOnlyList<string> directories, IReadOnlyList<int> pids)
    {
        var handles = new List<(int Pid, Interop.PidFd Handle)>();
        try
        {
            foreach (var pid in pids)
            {
                if (Interop.PidFd.Open(pid) is { } handle)
                {
                    handles.Add((pid, handle));
                }
            }

            var stillInside = directories.SelectMany(Pids).ToHashSet();
            foreach (var (pid, handle) in handles)
            {
                if (stillInside.Contains(pid))
                {
                    _ = handle.Signal(Interop.Native.SigKill);
                }
            }
        }
        finally
        {
            foreach (var (_, handle) in handles)
            {
                handle.Dispose();
            }
        }
    }

    /// <summary>rmdir, logged when refused; true when the directory is gone.</summary>
    public static bool Remove(string directory, ILogger logger)
    {
        if (CgroupNative.RemoveDirectory(directory, out var errno) || !Directory.Exists(directory))
        {
            return true;
        }

        CgroupLog.NotRemoved(logger, directory, errno);
        return false;
    }

    /// <summary>A task id or instance as one path component: letters, digits, '-', '_', '.', never "." or "..".</summary>
    public static string Component(string value, string what)
    {
        var valid = value.Length is > 0 and <= 128
            && value is not ("." or "..")
            && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
        return valid ? value : throw new ArgumentException($"'{value}' is not a valid {what} for a cgroup name", what);
    }
}
