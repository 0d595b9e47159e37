using Agor.Cli.Commands;

namespace Agor.Cli;

/// <summary>A failure a person can act on: printed as one line on stderr, with its exit code, never a stack trace.</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.Failed) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
