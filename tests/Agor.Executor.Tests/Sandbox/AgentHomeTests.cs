using Agor.Executor.Sandbox;
using Agor.Testing.Support;

namespace Agor.Executor.Tests.Sandbox;

/// <summary>Preparing an agent home on the host: private parents, refusals, and an existing home kept as it is.</summary>
public sealed class AgentHomeTests : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly string _root = Directory.CreateTempSubdirectory("agor-homes-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void MissingParents_AreCreated0700_TooAndAnExistingHomeIsNotReseeded()
    {
        var template = Directory.CreateDirectory(Path.Combine(_root, "template")).FullName;
        File.WriteAllText(Path.Combine(template, "CLAUDE.md"), "v1");
        var home = Path.Combine(_root, "a", "b", "session");

        Assert.Null(AgentHome.Prepare(home, template));
        File.WriteAllText(Path.Combine(template, "CLAUDE.md"), "v2");
        File.WriteAllText(Path.Combine(home, "CLAUDE.md"), "the agent's own");
        Assert.Null(AgentHome.Prepare(home, template));

        Assert.Equal(Private, File.GetUnixFileMode(Path.Combine(_root, "a")));
        Assert.Equal(Private, File.GetUnixFileMode(Path.Combine(_root, "a", "b")));
        Assert.Equal(Private, File.GetUnixFileMode(home));
        Assert.Equal("the agent's own", File.ReadAllText(Path.Combine(home, "CLAUDE.md")));
    }

    [Fact]
    public void AFileWhereTheHomeShouldBe_IsRefused()
    {
        var home = Path.Combine(_root, "file");
        File.WriteAllText(home, string.Empty);

        Assert.Contains("not a directory", AgentHome.Prepare(home, null), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task AHomeOwnedBySomeoneElse_IsRefused()
    {
        Isolation.Require();
        var home = Directory.CreateDirectory(Path.Combine(_root, "theirs")).FullName;
        Assert.Equal(0, (await ProcessRunner.RunAsync("chown", ["nobody", home])).ExitCode);

        Assert.Contains("owned by another user", AgentHome.Prepare(home, null), StringComparison.Ordinal);
    }
}
