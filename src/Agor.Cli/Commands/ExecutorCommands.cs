using System.CommandLine;
using Agor.Cli.Output;

namespace Agor.Cli.Commands;

/// <summary><c>agor executor list</c>: the daemon's executor pool.</summary>
internal static class ExecutorCommands
{
    public static Command Create()
    {
        var json = JsonOption.Create();
        var list = new Command("list", "List the executor processes of the pool.") { json };
        CliAction.Set(list, async (parse, cancellationToken) =>
        {
            using var client = CliEnvironment.CreateClient();
            var executors = await client.GetAsync("/executors", cancellationToken);
            if (parse.GetValue(json))
            {
                Tables.WriteJson(executors.Raw);
            }
            else
            {
                Tables.Write(
                    executors.Json,
                    "no executors running",
                    ["EXECUTOR", "PID", "USER", "STATE", "TASK", "STARTED"],
                    e => [e.Text("executor_id"), e.Text("pid"), e.Text("unix_user"), e.Text("state"), e.Text("task_id"), e.Time("started_at")]);
            }

            return ExitCodes.Ok;
        });
        return new Command("executor", "Inspect the executor pool.") { list };
    }
}
