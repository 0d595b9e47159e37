namespace Agor.Executor.Guard;

/// <summary>How the executor starts an agent: through its own binary in guard mode (see <see cref="AgentGuard"/>).</summary>
internal sealed record GuardedLaunch(string GuardPath, IReadOnlyList<string> GuardPrefix, int AgentUmask)
{
    /// <summary>This executor's binary as the guard; under <c>dotnet agor-executor.dll</c>, the dll after the host.</summary>
    public static GuardedLaunch ForThisExecutor(int agentUmask)
    {
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("the executor's own path is unknown");
        var hosted = Path.GetFileNameWithoutExtension(path) == "dotnet";
        return new GuardedLaunch(path, hosted ? [Path.Combine(AppContext.BaseDirectory, "agor-executor.dll")] : [], agentUmask);
    }

    /// <summary>The program and arguments that run <paramref name="program"/> under the guard.</summary>
    public (string FileName, IReadOnlyList<string> Arguments) Wrap(string program, IEnumerable<string> arguments) =>
        (GuardPath, [.. GuardPrefix, .. AgentGuardOptions.CommandLine(Environment.ProcessId, AgentUmask, program, arguments)]);
}
