using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Agor.Testing.ScriptedOpenAI;

/// <summary>
/// Plays one turn as the Responses API's server-sent events: <c>response.created</c>,
/// <c>response.output_item.added</c>, text deltas, <c>response.output_item.done</c> and
/// <c>response.completed</c> with usage.
/// </summary>
internal static class ResponsesStreamer
{
    /// <summary>Streams the turn; false when the client went away first.</summary>
    public static async Task<bool> StreamAsync(HttpResponse response, ResponsesTurn turn, CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var responseId = "resp_" + Guid.NewGuid().ToString("N")[..16];
        var itemId = (turn is TextTurn ? "msg_" : "fc_") + Guid.NewGuid().ToString("N")[..16];

        if (!await WriteAsync(response, "response.created", w =>
        {
            w.WriteStartObject("response");
            w.WriteString("id", responseId);
            w.WriteString("object", "response");
            w.WriteString("status", "in_progress");
            w.WriteStartArray("output");
            w.WriteEndArray();
            w.WriteEndObject();
        }, cancellationToken))
        {
            return false;
        }

        if (!await WriteAsync(response, "response.output_item.added", w =>
        {
            w.WriteNumber("output_index", 0);
            w.WritePropertyName("item");
            WriteItem(w, turn, itemId, done: false);
        }, cancellationToken))
        {
            return false;
        }

        if (turn is TextTurn text)
        {
            foreach (var chunk in text.Chunks)
            {
                if (text.Delay > TimeSpan.Zero)
                {
                    await Task.Delay(text.Delay, cancellationToken);
                }

                if (!await WriteAsync(response, "response.output_text.delta", w =>
                {
                    w.WriteString("item_id", itemId);
                    w.WriteNumber("output_index", 0);
                    w.WriteNumber("content_index", 0);
                    w.WriteString("delta", chunk);
                }, cancellationToken))
                {
                    return false;
                }
            }
        }

        if (!await WriteAsync(response, "response.output_item.done", w =>
        {
            w.WriteNumber("output_index", 0);
            w.WritePropertyName("item");
            WriteItem(w, turn, itemId, done: true);
        }, cancellationToken))
        {
            return false;
        }

        return await WriteAsync(response, "response.completed", w =>
        {
            w.WriteStartObject("response");
            w.WriteString("id", responseId);
            w.WriteString("object", "response");
            w.WriteString("status", "completed");
            w.WriteStartArray("output");
            WriteItem(w, turn, itemId, done: true);
            w.WriteEndArray();
            w.WriteStartObject("usage");
            w.WriteNumber("input_tokens", turn.Usage.InputTokens);
            w.WriteStartObject("input_tokens_details");
            w.WriteNumber("cached_tokens", turn.Usage.CachedInputTokens);
            w.WriteEndObject();
            w.WriteNumber("output_tokens", turn.Usage.OutputTokens);
            w.WriteStartObject("output_tokens_details");
            w.WriteNumber("reasoning_tokens", turn.Usage.ReasoningTokens);
            w.WriteEndObject();
            w.WriteNumber("total_tokens", turn.Usage.InputTokens + turn.Usage.OutputTokens);
            w.WriteEndObject();
            w.WriteEndObject();
        }, cancellationToken);
    }

    private static void WriteItem(Utf8JsonWriter w, ResponsesTurn turn, string itemId, bool done)
    {
        w.WriteStartObject();
        w.WriteString("id", itemId);
        w.WriteString("status", done ? "completed" : "in_progress");
        switch (turn)
        {
            case TextTurn text:
                w.WriteString("type", "message");
                w.WriteString("role", "assistant");
                w.WriteStartArray("content");
                if (done)
                {
                    w.WriteStartObject();
                    w.WriteString("type", "output_text");
                    w.WriteString("text", string.Concat(text.Chunks));
                    w.WriteStartArray("annotations");
                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                break;
            case FunctionCallTurn call:
                w.WriteString("type", "function_call");
                w.WriteString("call_id", call.CallId);
                w.WriteString("name", call.Name);
                w.WriteString("arguments", done ? call.Arguments : string.Empty);
                break;
            case CustomToolCallTurn custom:
                w.WriteString("type", "custom_tool_call");
                w.WriteString("call_id", custom.CallId);
                w.WriteString("name", custom.Name);
                w.WriteString("input", done ? custom.Input : string.Empty);
                break;
        }

        w.WriteEndObject();
    }

    private static async ValueTask<bool> WriteAsync(HttpResponse response, string type, Action<Utf8JsonWriter> body, CancellationToken cancellationToken)
    {
        var json = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            body(writer);
            writer.WriteEndObject();
        }

        var pipe = response.BodyWriter;
        pipe.Write(Encoding.UTF8.GetBytes($"event: {type}\ndata: "));
        pipe.Write(json.WrittenSpan);
        pipe.Write("\n\n"u8);
        var result = await pipe.FlushAsync(cancellationToken);
        return !result.IsCompleted && !result.IsCanceled;
    }
}
