namespace Agor.Cli.Isolation;

/// <summary>
/// Ubuntu's <c>kernel.apparmor_restrict_unprivileged_userns = 1</c> stops bubblewrap from making
/// the user namespace it needs; the fix is an AppArmor profile that lets bwrap (and only bwrap) do
/// so: <c>/etc/apparmor.d/agor-bwrap</c>, loaded with <c>apparmor_parser -r</c>. Nothing is done
/// where AppArmor is absent or the restriction is off; each case says so in one line.
/// </summary>
internal static class AppArmorStep
{
    public const string RestrictionPath = "/proc/sys/kernel/apparmor_restrict_unprivileged_userns";

    public const string DefaultProfilePath = "/etc/apparmor.d/agor-bwrap";

    public static string Profile(string bwrapPath) =>
        $$"""
        # Written by `agor setup-executor-isolation`: bubblewrap may create the user namespace of
        # Agor's agent sandbox although kernel.apparmor_restrict_unprivileged_userns is 1.
        abi <abi/4.0>,
        include <tunables/global>

        profile agor-bwrap {{bwrapPath}} flags=(unconfined) {
          userns,

          include if exists <local/bwrap>
        }

        """;

    /// <summary>True when it wrote or loaded the profile.</summary>
    public static async Task<bool> EnsureAsync(string restrictionPath, string profilePath, string bwrapPath, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(restrictionPath))
        {
            Console.Out.WriteLine($"apparmor: skipped ({restrictionPath} is absent: no AppArmor user-namespace restriction on this machine)");
            return false;
        }

        if ((await File.ReadAllTextAsync(restrictionPath, cancellationToken)).Trim() != "1")
        {
            Console.Out.WriteLine($"apparmor: skipped ({restrictionPath} is not 1: unprivileged user namespaces are allowed, bwrap needs no profile)");
            return false;
        }

        var content = Profile(bwrapPath);
        var written = false;
        if (!File.Exists(profilePath) || await File.ReadAllTextAsync(profilePath, cancellationToken) != content)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(profilePath)!);
            await File.WriteAllTextAsync(profilePath, content, cancellationToken);
            File.SetUnixFileMode(profilePath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            written = true;
        }

        if (SystemCommand.Find("apparmor_parser") is null)
        {
            throw new CliException($"{restrictionPath} is 1, so bwrap needs the AppArmor profile {profilePath}{(written ? " (written)" : string.Empty)}, but apparmor_parser is not installed to load it; install apparmor (e.g. `apt-get install apparmor`) and run this again");
        }

        var load = await SystemCommand.RunAsync("apparmor_parser", ["-r", profilePath], cancellationToken);
        if (load.ExitCode != 0)
        {
            throw new CliException($"apparmor_parser -r {profilePath} failed: {load.Output.ReplaceLineEndings(" ")}");
        }

        Console.Out.WriteLine($"apparmor: {(written ? "wrote and " : string.Empty)}loaded {profilePath} (bwrap at {bwrapPath} may create user namespaces although {restrictionPath} is 1)");
        return true;
    }

    /// <summary>Unloads and removes the profile when a setup wrote it and no other daemon's setup remains; says which it did.</summary>
    public static async Task RemoveAsync(string profilePath, IReadOnlyList<string> otherRules, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(profilePath))
        {
            return;
        }

        if (!(await File.ReadAllTextAsync(profilePath, cancellationToken)).StartsWith(SudoersStep.Header, StringComparison.Ordinal))
        {
            Console.Out.WriteLine($"apparmor: kept {profilePath} (not written by a setup)");
            return;
        }

        if (otherRules.Count > 0)
        {
            Console.Out.WriteLine($"apparmor: kept {profilePath} (other daemons' setups use it: {string.Join(", ", otherRules)})");
            return;
        }

        if (SystemCommand.Find("apparmor_parser") is not null)
        {
            _ = await SystemCommand.RunAsync("apparmor_parser", ["-R", profilePath], cancellationToken);
        }

        File.Delete(profilePath);
        Console.Out.WriteLine($"apparmor: unloaded and removed {profilePath}");
    }
}
