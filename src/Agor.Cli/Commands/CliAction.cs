using System.CommandLine;

namespace Agor.Cli.Commands;

/// <summary>Runs a command's action so that a <see cref="CliException"/> ends it with one line on stderr and its exit code.</summary>
internal static class CliAction
{
    public static void Set(Command command, Func<ParseResult, CancellationToken, Task<int>> action)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                return await action(parseResult, cancellationToken);
            }
            catch (CliException ex)
            {
                await Console.Error.WriteLineAsync($"agor: {ex.Message}");
                return ex.ExitCode;
            }
        });
    }
}
