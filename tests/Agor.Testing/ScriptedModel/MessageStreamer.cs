using Microsoft.AspNetCore.Http;

namespace Agor.Testing.ScriptedModel;

/// <summary>Plays a <see cref="MessageTurn"/> as the Messages API's event stream.</summary>
internal static class MessageStreamer
{
    /// <summary>How many <c>input_json_delta</c> pieces a tool input is cut into, so clients exercise partial JSON.</summary>
    private const int InputJsonPieces = 3;

    /// <summary>Streams the turn; returns false when the client went away before the end.</summary>
    public static async Task<bool> StreamAsync(HttpResponse response, MessageTurn turn, string model, int inputTokens, CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        var events = new ServerSentEventWriter(response);
        if (!await events.WriteAsync("message_start", MessageEvents.MessageStart(Ids.NewMessageId(), model, inputTokens), cancellationToken)
            || !await events.WriteAsync("ping", MessageEvents.Ping(), cancellationToken))
        {
            return false;
        }

        var firstChunk = true;
        for (var index = 0; index < turn.Blocks.Count; index++)
        {
            var written = turn.Blocks[index] switch
            {
                TextBlock text => await StreamTextAsync(events, index, text, turn.ChunkDelay, firstChunk, cancellationToken),
                ToolUseBlock toolUse => await StreamToolUseAsync(events, index, toolUse, cancellationToken),
                _ => throw new InvalidOperationException($"Unknown block {turn.Blocks[index]}."),
            };
            if (!written)
            {
                return false;
            }

            firstChunk = false;
        }

        return await events.WriteAsync("message_delta", MessageEvents.MessageDelta(turn.StopReason, TokenEstimate.Output(turn)), cancellationToken)
            && await events.WriteAsync("message_stop", MessageEvents.MessageStop(), cancellationToken);
    }

    private static async Task<bool> StreamTextAsync(ServerSentEventWriter events, int index, TextBlock block, TimeSpan delay, bool firstChunk, CancellationToken cancellationToken)
    {
        if (!await events.WriteAsync("content_block_start", MessageEvents.TextBlockStart(index), cancellationToken))
        {
            return false;
        }

        foreach (var chunk in block.Chunks)
        {
            if (!firstChunk && delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, cancellationToken);
            }

            firstChunk = false;
            if (!await events.WriteAsync("content_block_delta", MessageEvents.TextDelta(index, chunk), cancellationToken))
            {
                return false;
            }
        }

        return await events.WriteAsync("content_block_stop", MessageEvents.BlockStop(index), cancellationToken);
    }

    private static async Task<bool> StreamToolUseAsync(ServerSentEventWriter events, int index, ToolUseBlock block, CancellationToken cancellationToken)
    {
        // Like the real API: the start carries an empty input, then an empty delta, then the JSON in pieces.
        if (!await events.WriteAsync("content_block_start", MessageEvents.ToolUseBlockStart(index, block), cancellationToken)
            || !await events.WriteAsync("content_block_delta", MessageEvents.InputJsonDelta(index, ""), cancellationToken))
        {
            return false;
        }

        var json = block.InputJson;
        var pieceLength = Math.Max(1, (json.Length + InputJsonPieces - 1) / InputJsonPieces);
        for (var start = 0; start < json.Length;)
        {
            var end = Math.Min(start + pieceLength, json.Length);
            if (end < json.Length && char.IsHighSurrogate(json[end - 1]))
            {
                end++; // never split a surrogate pair
            }

            if (!await events.WriteAsync("content_block_delta", MessageEvents.InputJsonDelta(index, json[start..end]), cancellationToken))
            {
                return false;
            }

            start = end;
        }

        return await events.WriteAsync("content_block_stop", MessageEvents.BlockStop(index), cancellationToken);
    }
}
