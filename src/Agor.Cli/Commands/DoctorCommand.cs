using System.CommandLine;
using Agor.Cli.Doctor;

namespace Agor.Cli.Commands;

/// <summary><c>agor doctor</c>: what works here and how to fix what does not; exit 0 only when everything the configuration needs is there.</summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var json = JsonOption.Create();
        var command = new Command("doctor", "Check this machine and configuration: one line per check, ✓ or ✗ with the fix.") { json };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            var checks = await DoctorRun.RunAsync(CliEnvironment.Home, CliEnvironment.Variables, cancellationToken);
            if (parse.GetValue(json))
            {
                DoctorOutput.WriteJson(Console.Out, checks);
            }
            else
            {
                DoctorOutput.Write(Console.Out, checks);
            }

            return checks.All(c => c.Ok) ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }
}
