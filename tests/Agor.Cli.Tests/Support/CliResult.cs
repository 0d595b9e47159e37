namespace Agor.Cli.Tests.Support;

/// <summary>What one run of <c>agor</c> did.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
