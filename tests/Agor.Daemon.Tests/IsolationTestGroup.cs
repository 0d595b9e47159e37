using Agor.Testing.Support;

namespace Agor.Daemon.Tests;

/// <summary>Tests that create users and sudoers rules run one at a time; the users they created are removed after the last.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class IsolationTestGroup : ICollectionFixture<CreatedUsersCleanup>
{
    public const string Name = "isolation";
}
