using System.CommandLine;
using Agor.Cli.Commands;
using Agor.Cli.Runtime;

// A daemon started in the background detaches before anything touches the console.
DaemonDetach.ApplyIfRequested();

var root = new RootCommand("Agor: runs AI coding agents for you, each prompt in an isolated executor.")
{
    InitCommand.Create(),
    DaemonCommands.Create(),
    SessionCommands.Create(),
    PromptCommand.Create(),
    TaskCommands.Create(),
    PermissionCommands.Create(),
    ExecutorCommands.Create(),
    SetupIsolationCommand.Create(),
    OpenCommand.Create(),
    DoctorCommand.Create(),
    LogsCommand.Create(),
    ServiceCommands.Create(),
};

var parseResult = root.Parse(args);
if (parseResult.Errors.Count > 0)
{
    // One line a person can act on, not the whole help text.
    var command = string.Join(' ', parseResult.CommandResult.Command is var c && c == root ? ["agor"] : ["agor", .. CommandPath(parseResult.CommandResult)]);
    await Console.Error.WriteLineAsync($"agor: {string.Join("; ", parseResult.Errors.Select(e => e.Message.TrimEnd('.')))} (see `{command} --help`)");
    return ExitCodes.Usage;
}

// Commands handle SIGINT and SIGTERM themselves (the daemon stops its tasks first, which can take
// longer than System.CommandLine's default grace before it gives up on an action).
return await parseResult.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult result)
{
    var names = new Stack<string>();
    for (var current = result; current is not null && current.Parent is not null; current = current.Parent as System.CommandLine.Parsing.CommandResult)
    {
        names.Push(current.Command.Name);
    }

    return names;
}
