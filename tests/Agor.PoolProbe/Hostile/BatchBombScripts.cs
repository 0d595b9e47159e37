using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Agor.PoolProbe.Hostile;

/// <summary>Executors that send batch lines just under the line limit, hoping for an answer per element.</summary>
internal static class BatchBombScripts
{
    private const int BombBytes = 8_000_000;

    /// <summary>
    /// Two batch bombs of 8 MB — <c>[1,1,1,…]</c> and a batch of <c>ping</c> requests — then, once
    /// both are answered, a good message and a completion. Records how many answers came and the
    /// longest one's size.
    /// </summary>
    public static async Task BatchBombAsync(HostileContext context, JsonElement? id)
    {
        var answers = new ConcurrentQueue<string>();
        var bothAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        context.Connection.OnUnmatchedAnswer = line =>
        {
            answers.Enqueue(line);
            if (answers.Count >= 2)
            {
                bothAnswered.TrySetResult();
            }
        };
        await context.Connection.AnswerAsync(id, new JsonObject { ["accepted"] = true });

        await context.Connection.WriteRawAsync(Bomb("1"));
        await context.Connection.WriteRawAsync(Bomb("""{"jsonrpc":"2.0","id":7,"method":"ping","params":{}}"""));
        var answered = await Task.WhenAny(bothAnswered.Task, Task.Delay(TimeSpan.FromSeconds(60))) == bothAnswered.Task;
        context.Record.Write("bomb_answers", answers.Count.ToString(CultureInfo.InvariantCulture));
        context.Record.Write("bomb_answer_max_bytes", (answers.IsEmpty ? 0 : answers.Max(a => a.Length)).ToString(CultureInfo.InvariantCulture));
        if (!answered)
        {
            return;
        }

        await context.Connection.NotifyAsync("report_message", context.Message(1, new JsonObject { ["text"] = "after the bombs" }));
        context.Record.Write("completion", await context.CompleteAsync());
    }

    /// <summary>One line <c>[e,e,e,…]</c> of about <see cref="BombBytes"/> bytes.</summary>
    private static byte[] Bomb(string element)
    {
        var builder = new StringBuilder(BombBytes + element.Length + 2).Append('[').Append(element);
        while (builder.Length + element.Length + 3 < BombBytes)
        {
            builder.Append(',').Append(element);
        }

        return Encoding.UTF8.GetBytes(builder.Append("]\n").ToString());
    }
}
