namespace Agor.Executor.Sandbox;

/// <summary>The agent is started as <c>BWRAP ARGS -- PROGRAM ...</c>, the guard handing bwrap the seccomp filter.</summary>
internal sealed record SandboxLaunch(string BwrapPath, BwrapLayout Layout);
