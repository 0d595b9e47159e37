using Agor.Cli.Commands;

namespace Agor.Cli.Isolation;

/// <summary>
/// <c>setup-executor-isolation --undo</c>: removes what setup made for one daemon — its sudoers file
/// and installed executor (found by the daemon's name), the config.yaml lines the manifest lists —
/// and the executor user and AppArmor profile a setup made, once no other daemon's rule uses them.
/// Each step is said; the manifest goes last.
/// </summary>
internal static class IsolationUndo
{
    public static async Task<int> RunAsync(IsolationTarget target, string? executorUserName, CancellationToken cancellationToken)
    {
        var manifest = await SetupManifest.ReadAsync(target.ManifestPath, cancellationToken);
        var executorUser = manifest?.ExecutorUser ?? executorUserName ?? SetupIsolationCommand.DefaultExecutorUser;
        Console.Out.WriteLine($"undo for the daemon of {target.DaemonUser.Name}, AGOR_HOME {target.Home} ({target.HomeSource}); "
            + (manifest is null ? $"no record at {target.ManifestPath}, so config.yaml stays as it is" : $"the record: {target.ManifestPath}"));

        SudoersStep.Remove(target.SudoersPath);
        ExecutorInstallStep.Remove(target.InstallDirectory);
        await ConfigStep.RevertAsync(target.Home, target.DaemonUser, manifest?.ConfigEdits ?? [], cancellationToken);
        var userRemoved = await ExecutorUserStep.RemoveAsync(
            executorUser, manifest?.CreatedUser ?? false, SudoersStep.OtherRules(IsolationTarget.SudoersDirectory, target.SudoersPath, executorUser), cancellationToken);
        await AppArmorStep.RemoveAsync(AppArmorStep.DefaultProfilePath, SudoersStep.OtherRules(IsolationTarget.SudoersDirectory, target.SudoersPath, null), cancellationToken);
        if (!userRemoved)
        {
            // The manifest stays, so running this again finishes the job.
            return ExitCodes.Failed;
        }

        if (File.Exists(target.ManifestPath))
        {
            File.Delete(target.ManifestPath);
        }

        RemoveCreatedHome(target, manifest);
        Console.Out.WriteLine($"undone: the daemon of {target.DaemonUser.Name} runs executors as itself once restarted (`agor daemon stop`, then `agor daemon start`)");
        return ExitCodes.Ok;
    }

    /// <summary>A home that setup created and that holds nothing but what setup put there goes too.</summary>
    private static void RemoveCreatedHome(IsolationTarget target, SetupManifest? manifest)
    {
        if (manifest is null || !manifest.CreatedInHome.Contains(target.Home) || !Directory.Exists(target.Home))
        {
            return;
        }

        var madeBySetup = manifest.CreatedInHome.ToHashSet(StringComparer.Ordinal);
        var entries = Directory.EnumerateFileSystemEntries(target.Home).ToList();
        if (entries.Any(e => !madeBySetup.Contains(e)))
        {
            Console.Out.WriteLine($"config: kept {target.Home} (setup created it, and the daemon has used it since)");
            return;
        }

        Directory.Delete(target.Home, recursive: true);
        Console.Out.WriteLine($"config: removed {target.Home} (setup created it, and nothing else was put in it)");
    }
}
