using System.Text.Json;
using Agor.Cli.Interop;

namespace Agor.Cli.Isolation;

/// <summary>
/// Copies the executor shipped beside <c>agor</c> (the program, and for a framework-dependent build
/// its assembly, deps, runtime config and the libraries its deps name) to a root-owned directory
/// every user can read and run but only root can change (one per daemon, under
/// <c>/usr/local/lib/agor</c>). Identical files are left alone.
/// </summary>
internal static class ExecutorInstallStep
{
    public const string ExecutorName = "agor-executor";

    private const UnixFileMode Directory0755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode File0644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Installs into <paramref name="directory"/>; returns the executor's path there and whether anything changed.</summary>
    public static (string ExecutorPath, bool Changed) Install(string sourceDirectory, string directory)
    {
        var files = FilesToInstall(sourceDirectory);
        var changed = false;
        var parent = Path.GetDirectoryName(directory)!;
        if (!Directory.Exists(parent))
        {
            Directory.CreateDirectory(parent, Directory0755);
            Native.chown(parent, 0, 0);
            File.SetUnixFileMode(parent, Directory0755);
        }

        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, Directory0755);
            changed = true;
        }

        // Whoever could write here could swap the program the daemon's user may run as another user.
        Native.chown(directory, 0, 0);
        File.SetUnixFileMode(directory, Directory0755);

        var copied = new List<string>();
        foreach (var source in files)
        {
            var target = Path.Combine(directory, Path.GetFileName(source));
            var mode = Path.GetFileName(source) == ExecutorName ? Directory0755 : File0644;
            if (File.Exists(target) && SameBytes(source, target) && File.GetUnixFileMode(target) == mode)
            {
                continue;
            }

            var temporary = Path.Combine(directory, $".{Path.GetFileName(source)}.{Environment.ProcessId}.tmp");
            File.Copy(source, temporary, overwrite: true);
            Native.chown(temporary, 0, 0);
            File.SetUnixFileMode(temporary, mode);
            File.Move(temporary, target, overwrite: true);
            copied.Add(Path.GetFileName(source));
        }

        var executor = Path.Combine(directory, ExecutorName);
        Console.Out.WriteLine(copied.Count == 0
            ? $"executor: already installed at {executor}"
            : $"executor: installed {executor} ({copied.Count} of {files.Count} files copied from {sourceDirectory})");
        return (executor, changed || copied.Count > 0);
    }

    /// <summary>Removes the daemon's install directory, and its parent once nothing else is in it; says so.</summary>
    public static void Remove(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
            Console.Out.WriteLine($"executor: removed {directory}");
        }
        else
        {
            Console.Out.WriteLine($"executor: {directory} already gone");
        }

        var parent = Path.GetDirectoryName(directory)!;
        if (Directory.Exists(parent) && !Directory.EnumerateFileSystemEntries(parent).Any())
        {
            Directory.Delete(parent);
            Console.Out.WriteLine($"executor: removed {parent} (nothing else was in it)");
        }
    }

    private static List<string> FilesToInstall(string sourceDirectory)
    {
        var executor = Path.Combine(sourceDirectory, ExecutorName);
        if (!File.Exists(executor))
        {
            throw new CliException($"there is no {ExecutorName} beside agor in {sourceDirectory}; install Agor completely, then run this again");
        }

        var files = new List<string> { executor };
        var assembly = Path.Combine(sourceDirectory, ExecutorName + ".dll");
        if (!File.Exists(assembly))
        {
            // A self-contained (NativeAOT) executor is the one file.
            return files;
        }

        files.Add(assembly);
        foreach (var extra in new[] { ".deps.json", ".runtimeconfig.json" })
        {
            var path = Path.Combine(sourceDirectory, ExecutorName + extra);
            if (File.Exists(path))
            {
                files.Add(path);
            }
        }

        var deps = Path.Combine(sourceDirectory, ExecutorName + ".deps.json");
        if (File.Exists(deps))
        {
            foreach (var library in RuntimeLibraries(File.ReadAllText(deps)))
            {
                var path = Path.Combine(sourceDirectory, library);
                if (File.Exists(path) && !files.Contains(path))
                {
                    files.Add(path);
                }
            }
        }

        return files;
    }

    /// <summary>The file names of the runtime assemblies a deps.json lists.</summary>
    private static IEnumerable<string> RuntimeLibraries(string depsJson)
    {
        using var document = JsonDocument.Parse(depsJson);
        if (!document.RootElement.TryGetProperty("targets", out var targets))
        {
            yield break;
        }

        foreach (var target in targets.EnumerateObject())
        {
            foreach (var library in target.Value.EnumerateObject())
            {
                if (library.Value.TryGetProperty("runtime", out var runtime))
                {
                    foreach (var file in runtime.EnumerateObject())
                    {
                        yield return Path.GetFileName(file.Name);
                    }
                }
            }
        }
    }

    private static bool SameBytes(string a, string b)
    {
        var left = new FileInfo(a);
        var right = new FileInfo(b);
        return left.Length == right.Length && File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b));
    }
}
