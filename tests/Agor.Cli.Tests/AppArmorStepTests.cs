using Agor.Cli.Isolation;

namespace Agor.Cli.Tests;

/// <summary>The bwrap AppArmor profile of setup-executor-isolation: only where Ubuntu's user-namespace restriction is on.</summary>
public sealed class AppArmorStepTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("agor-apparmor-");

    private string Restriction => Path.Combine(_directory.FullName, "apparmor_restrict_unprivileged_userns");

    private string ProfilePath => Path.Combine(_directory.FullName, "apparmor.d", "agor-bwrap");

    [Fact]
    public async Task NoRestrictionFile_SkipsWithALine_AndWritesNothing()
    {
        var (changed, output) = await RunAsync();

        Assert.False(changed);
        Assert.StartsWith("apparmor: skipped", output, StringComparison.Ordinal);
        Assert.False(File.Exists(ProfilePath));
    }

    [Fact]
    public async Task RestrictionOff_SkipsWithALine_AndWritesNothing()
    {
        await File.WriteAllTextAsync(Restriction, "0\n");

        var (changed, output) = await RunAsync();

        Assert.False(changed);
        Assert.Contains("is not 1", output, StringComparison.Ordinal);
        Assert.False(File.Exists(ProfilePath));
    }

    [SkippableFact]
    public async Task RestrictionOn_WritesTheProfileForBwrap_AndSaysWhatIsMissingToLoadIt()
    {
        // With apparmor_parser present the step would load a real profile into the kernel.
        Skip.If(SystemCommand.Find("apparmor_parser") is not null, "apparmor_parser is installed: loading the profile would change this machine");
        await File.WriteAllTextAsync(Restriction, "1\n");

        Exception? failure = null;
        try
        {
            await RunAsync();
        }
        catch (CliException ex)
        {
            failure = ex;
        }

        var profile = await File.ReadAllTextAsync(ProfilePath);
        Assert.Contains("abi <abi/4.0>,", profile, StringComparison.Ordinal);
        Assert.Contains("include <tunables/global>", profile, StringComparison.Ordinal);
        Assert.Contains("profile agor-bwrap /usr/bin/bwrap flags=(unconfined) {", profile, StringComparison.Ordinal);
        Assert.Contains("userns,", profile, StringComparison.Ordinal);
        Assert.Contains("include if exists <local/bwrap>", profile, StringComparison.Ordinal);
        Assert.NotNull(failure);
        Assert.Contains("apparmor_parser is not installed", failure.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Delete(recursive: true);

    private async Task<(bool Changed, string Output)> RunAsync()
    {
        var original = Console.Out;
        using var output = new StringWriter();
        Console.SetOut(output);
        try
        {
            var changed = await AppArmorStep.EnsureAsync(Restriction, ProfilePath, "/usr/bin/bwrap");
            return (changed, output.ToString());
        }
        finally
        {
            Console.SetOut(original);
        }
    }
}
