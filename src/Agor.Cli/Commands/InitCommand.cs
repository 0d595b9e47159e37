using System.CommandLine;

namespace Agor.Cli.Commands;

/// <summary><c>agor init</c>: creates AGOR_HOME, a commented config.yaml and the API token; never overwrites.</summary>
internal static class InitCommand
{
    public static Command Create()
    {
        var command = new Command("init", "Create AGOR_HOME with a commented config.yaml and the API token (safe to run twice).");
        command.SetAction(_ =>
        {
            var home = CliEnvironment.Home;
            var created = home.EnsureInitialized();
            foreach (var path in created)
            {
                Console.WriteLine($"created {path}");
            }

            Console.WriteLine(created.Count == 0 ? $"{home.Path} is already set up; nothing changed." : $"Agor home: {home.Path}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
