using System.CommandLine;
using Agor.Cli.Commands;

var root = new RootCommand("Agor: runs AI coding agents for you, each prompt in an isolated executor.")
{
    InitCommand.Create(),
    DaemonCommands.Create(),
};

// Commands handle SIGINT and SIGTERM themselves (the daemon stops its tasks first, which can take
// longer than System.CommandLine's default grace before it gives up on an action).
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
