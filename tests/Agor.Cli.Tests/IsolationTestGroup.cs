namespace Agor.Cli.Tests;

/// <summary>Tests that create users and sudoers rules run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class IsolationTestGroup
{
    public const string Name = "isolation";
}
