using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Agor.Cli.Client;

/// <summary>
/// A task's stored messages, in order. The API lists them per session
/// (<c>GET /sessions/{id}/messages?after_sequence=N&amp;limit=M</c>), so this pages through the
/// session's messages and keeps the task's own.
/// </summary>
internal static class TaskMessages
{
    private const int PageSize = 1000;

    /// <summary>The messages of <paramref name="taskId"/> as the API gave them.</summary>
    public static async Task<JsonArray> ListAsync(DaemonClient client, string sessionId, string taskId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var messages = new JsonArray();
        long after = 0;
        while (true)
        {
            var page = await client.GetAsync(
                string.Create(CultureInfo.InvariantCulture, $"/sessions/{Uri.EscapeDataString(sessionId)}/messages?after_sequence={after}&limit={PageSize}"),
                cancellationToken);
            if (page.Json.ValueKind != JsonValueKind.Array)
            {
                return messages;
            }

            var count = 0;
            var before = after;
            foreach (var message in page.Json.EnumerateArray())
            {
                count++;
                if (message.TryGetProperty("sequence", out var sequence) && sequence.TryGetInt64(out var number))
                {
                    after = Math.Max(after, number);
                }

                if (message.TryGetProperty("task_id", out var task) && task.ValueKind == JsonValueKind.String && task.GetString() == taskId)
                {
                    messages.Add(JsonNode.Parse(message.GetRawText()));
                }
            }

            // A short page is the last; a page that did not move the cursor would repeat forever.
            if (count < PageSize || after == before)
            {
                return messages;
            }
        }
    }
}
