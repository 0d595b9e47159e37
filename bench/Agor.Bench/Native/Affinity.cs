using System.ComponentModel;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Agor.Bench.Native;

/// <summary>
/// CPU affinity of the whole bench process. Linux keeps affinity per thread, so pinning means
/// setting it on every thread in /proc/self/task; threads and child processes created afterwards
/// inherit it from the thread that creates them, which is how the measured children end up on
/// the same CPU as the bench.
/// </summary>
internal static partial class Affinity
{
    /// <summary>cpu_set_t of glibc: 1024 bits.</summary>
    private const int MaskWords = 16;

    /// <summary>Pins every thread of this process to <paramref name="cpu"/>; disposing restores the previous mask everywhere.</summary>
    public static IDisposable PinProcess(int cpu)
    {
        var previous = new ulong[MaskWords];
        Check(sched_getaffinity(0, MaskWords * sizeof(ulong), previous), "sched_getaffinity");
        var pinned = new ulong[MaskWords];
        pinned[cpu / 64] = 1UL << (cpu % 64);
        SetOnAllThreads(pinned);
        return new Restore(previous);
    }

    /// <summary>The CPUs a process may run on, as /proc shows them (for example "0" or "0-1").</summary>
    public static string AllowedCpus(int pid) => ProcStatus.Read(pid, "Cpus_allowed_list") ?? "?";

    /// <summary>The distinct Cpus_allowed_list values of this process's threads, to check a pin took everywhere.</summary>
    public static string AllowedCpusOfOwnThreads()
    {
        var lists = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (ProcStatus.ReadFile(Path.Combine(task, "status"), "Cpus_allowed_list") is { } list)
            {
                lists.Add(list);
            }
        }

        return string.Join(",", lists);
    }

    private static void SetOnAllThreads(ulong[] mask)
    {
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            var tid = int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture);

            // A thread may end between listing and setting; that one needs no pinning.
            if (sched_setaffinity(tid, MaskWords * sizeof(ulong), mask) != 0 && Marshal.GetLastPInvokeError() != 3 /* ESRCH */)
            {
                throw new Win32Exception(Marshal.GetLastPInvokeError(), $"sched_setaffinity({tid}) failed");
            }
        }
    }

    private static void Check(int result, string call)
    {
        if (result != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), $"{call} failed");
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_setaffinity(int pid, nint cpusetsize, ulong[] mask);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_getaffinity(int pid, nint cpusetsize, [Out] ulong[] mask);

    private sealed class Restore(ulong[] previous) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                SetOnAllThreads(previous);
            }
        }
    }
}
