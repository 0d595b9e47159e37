using System.Text.Json;
using System.Text.Json.Nodes;
using Agor.Daemon.Interop;

namespace Agor.PoolProbe.Hostile;

/// <summary>Executors that stop talking: the daemon must end their tasks by itself, within its bounds.</summary>
internal static class HangingScripts
{
    private const int SigStop = 19;

    /// <summary>Takes the prompt and never answers it (nor stop_task, nor shutdown).</summary>
    public static Task NeverAnswerAsync(HostileContext context, JsonElement? id) => Task.CompletedTask;

    /// <summary>Accepts the prompt, then never says anything again (nor answers stop_task or shutdown).</summary>
    public static Task AcceptThenHangAsync(HostileContext context, JsonElement? id) =>
        context.Connection.AnswerAsync(id, new JsonObject { ["accepted"] = true });

    /// <summary>Accepts, then stops itself with SIGSTOP, as any agent of the executor's user could do to it.</summary>
    public static async Task AcceptThenStopSelfAsync(HostileContext context, JsonElement? id)
    {
        await context.Connection.AnswerAsync(id, new JsonObject { ["accepted"] = true });
        context.Record.Write("sigstop", context.TaskId);
        Native.Kill(Environment.ProcessId, SigStop);
    }
}
