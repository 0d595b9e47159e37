using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Agor.PoolProbe.Hostile;

/// <summary>Executors that send too much: a million messages, or events of many megabytes.</summary>
internal static class FloodScripts
{
    private const int FlushBytes = 256 * 1024;

    /// <summary>Completes first, then sends <c>--count</c> messages with the revoked token.</summary>
    public static async Task FloodAfterCompletionAsync(HostileContext context, JsonElement? id)
    {
        await context.Connection.AnswerAsync(id, new JsonObject { ["accepted"] = true });
        context.Record.Write("completion", await context.CompleteAsync());
        context.Record.Write("flood_sent", (await SendFloodAsync(context)).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary><c>--count</c> small messages as fast as the socket takes them, then a completion.</summary>
    public static async Task FloodAsync(HostileContext context, JsonElement? id)
    {
        await context.Connection.AnswerAsync(id, new JsonObject { ["accepted"] = true });
        context.Record.Write("flood_sent", (await SendFloodAsync(context)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        context.Record.Write("completion", await context.CompleteAsync());
    }

    /// <summary>Writes the flood in big writes; returns how many messages went out before the daemon hung up, if it did.</summary>
    private static async Task<long> SendFloodAsync(HostileContext context)
    {
        var prefix = $"{{\"jsonrpc\":\"2.0\",\"method\":\"report_message\",\"params\":{{\"session_token\":\"{context.Token}\",\"task_id\":\"{context.TaskId}\",\"event_type\":\"system\",\"timestamp\":0,\"event_data\":{{\"flood\":true}},\"sequence\":";
        var buffer = new StringBuilder(FlushBytes + 1024);
        long sent = 0;
        try
        {
            for (long sequence = 1; sequence <= context.Options.Count; sequence++)
            {
                buffer.Append(prefix).Append(sequence).Append("}}\n");
                if (buffer.Length >= FlushBytes)
                {
                    await context.Connection.WriteRawAsync(Encoding.UTF8.GetBytes(buffer.ToString()));
                    sent = sequence;
                    buffer.Clear();
                }
            }

            await context.Connection.WriteRawAsync(Encoding.UTF8.GetBytes(buffer.ToString()));
            sent = context.Options.Count;
        }
        catch (IOException)
        {
            // The daemon hung up on the flood: that is one of the acceptable outcomes.
        }

        return sent;
    }

    /// <summary><c>--count</c> events whose data is a string of <c>--bytes</c> bytes, then a completion.</summary>
    public static async Task BigEventsAsync(HostileContext context, JsonElement? id)
    {
        await context.Connection.AnswerAsync(id, new JsonObject { ["accepted"] = true });
        var blob = new string('x', context.Options.Bytes);
        long sent = 0;
        try
        {
            for (long sequence = 1; sequence <= context.Options.Count; sequence++)
            {
                await context.Connection.NotifyAsync("report_message", context.Message(sequence, new JsonObject { ["blob"] = blob }));
                sent = sequence;
            }
        }
        catch (IOException)
        {
        }

        context.Record.Write("big_sent", sent.ToString(System.Globalization.CultureInfo.InvariantCulture));
        context.Record.Write("completion", await context.CompleteAsync());
    }
}
