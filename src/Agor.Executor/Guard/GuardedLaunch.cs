using Agor.Executor.Network;
using Agor.Executor.Sandbox;

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
    public (string FileName, IReadOnlyList<string> Arguments) Wrap(string program, IEnumerable<string> arguments, GuardLimits? limits = null) =>
        (GuardPath, [.. GuardPrefix, .. AgentGuardOptions.CommandLine(Environment.ProcessId, AgentUmask, program, arguments, limits)]);

    /// <summary>
    /// The program and arguments that run <paramref name="program"/> inside bubblewrap under the
    /// guard, and the configured paths skipped because they do not exist.
    /// </summary>
    public (string FileName, IReadOnlyList<string> Arguments, IReadOnlyList<string> Skipped) WrapConfined(
        string program, IEnumerable<string> arguments, SandboxLaunch sandbox, GuardLimits? limits, string? searchPath)
    {
        var programPaths = AgentProgramPaths.For(program, searchPath);
        IReadOnlyList<string> inside = [program, .. arguments];
        if (sandbox.Layout.Network is { } network)
        {
            // The forwarder (this binary) starts first inside, and starts the agent once it listens.
            programPaths = [.. programPaths, .. ForwarderPaths()];
            inside = [GuardPath, .. GuardPrefix, .. NetForwarderOptions.CommandLine(network, program, arguments)];
        }

        var layout = sandbox.Layout with { ProgramPaths = programPaths };
        var (bwrapArguments, skipped) = BwrapCommand.Build(layout);
        var (fileName, wrapped) = Wrap(
            sandbox.BwrapPath,
            [.. bwrapArguments, "--", .. inside],
            (limits ?? new GuardLimits(true, [], 0)) with { Seccomp = true });
        return (fileName, wrapped, skipped);
    }

    /// <summary>The directories of this binary (and, hosted, of the dll and the dotnet host), shown read-only inside.</summary>
    private IEnumerable<string> ForwarderPaths()
    {
        yield return Path.GetDirectoryName(Path.GetFullPath(GuardPath))!;
        if (Interop.Libc.RealPath(GuardPath) is { } real)
        {
            yield return Path.GetDirectoryName(real)!;
        }

        foreach (var prefix in GuardPrefix)
        {
            yield return Path.GetDirectoryName(Path.GetFullPath(prefix))!;
        }
    }
}
