namespace Agor.Cli.Service;

/// <summary>Writes and removes the unit file, touching only files agor wrote.</summary>
internal static class ServiceFiles
{
    /// <summary>Writes the unit (0644, atomically); true when the file was there before and is replaced.</summary>
    public static bool Write(ServicePaths paths, string unitText, bool force)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var existed = File.Exists(paths.UnitPath);
        if (existed && !force && !IsOurs(paths.UnitPath))
        {
            throw new CliException($"{paths.UnitPath} exists and was not written by agor; remove it yourself, or pass --force to replace it");
        }

        var directory = Path.GetDirectoryName(paths.UnitPath)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{ServicePlan.UnitName}.{Environment.ProcessId}.tmp");
        File.WriteAllText(temporary, unitText);
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.Move(temporary, paths.UnitPath, overwrite: true);
        return existed;
    }

    /// <summary>
    /// Removes the unit and the enablement links that point at it (what <c>systemctl disable</c>
    /// would remove); returns every path removed, empty when there was no unit.
    /// </summary>
    public static IReadOnlyList<string> Remove(ServicePaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (!File.Exists(paths.UnitPath))
        {
            return [];
        }

        if (!IsOurs(paths.UnitPath))
        {
            throw new CliException($"{paths.UnitPath} was not written by agor; left as it is");
        }

        var removed = new List<string>();
        var directory = Path.GetDirectoryName(paths.UnitPath)!;
        foreach (var wants in Directory.EnumerateDirectories(directory, "*.wants"))
        {
            var link = Path.Combine(wants, ServicePlan.UnitName);
            if (new FileInfo(link) is { LinkTarget: { } target } && (target == paths.UnitPathInSystem || target == paths.UnitPath))
            {
                File.Delete(link);
                removed.Add(link);
            }
        }

        File.Delete(paths.UnitPath);
        removed.Add(paths.UnitPath);
        return removed;
    }

    private static bool IsOurs(string path)
    {
        using var reader = new StreamReader(path);
        return reader.ReadLine() == SystemdUnit.Marker;
    }
}
