namespace Agor.Daemon.Configuration;

/// <summary>The configuration cannot be used; the message names each key and what is wrong with it.</summary>
internal sealed class ConfigException(string source, IReadOnlyList<string> problems)
    : Exception($"{source}: {string.Join("; ", problems)}")
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
