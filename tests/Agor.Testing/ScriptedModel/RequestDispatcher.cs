using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Agor.Testing.ScriptedModel;

/// <summary>
/// Answers every HTTP request: records it, classifies it (<see cref="RecordedRequestKind"/>) and writes
/// a scripted, canned or error answer. Paths are matched by suffix, so a base URL with a path prefix works.
/// </summary>
internal sealed class RequestDispatcher(ModelScript script, RequestRecorder recorder, ScriptedModelServerOptions options, ILogger logger, CancellationToken stopping)
{
    private const string MessagesPath = "/v1/messages";
    private const string CountTokensPath = "/v1/messages/count_tokens";
    private const string DefaultModel = "claude-scripted";

    private readonly MessageTurn _defaultTurn = (MessageTurn)ScriptedTurn.Text(options.DefaultReplyText);

    public async Task HandleAsync(HttpContext context)
    {
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var cancellationToken = aborted.Token;
        RecordedRequest recorded;
        try
        {
            recorded = await RecordAsync(context.Request, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }

        ScriptedModelServerLog.Received(logger, recorded);
        var outcome = RecordedResponseOutcome.Aborted;
        try
        {
            outcome = await AnswerAsync(context.Response, recorded, cancellationToken)
                ? RecordedResponseOutcome.Completed
                : RecordedResponseOutcome.Aborted;
            if (outcome == RecordedResponseOutcome.Aborted)
            {
                ScriptedModelServerLog.Aborted(logger, recorded.Sequence, "the client went away");
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            ScriptedModelServerLog.Aborted(logger, recorded.Sequence, stopping.IsCancellationRequested ? "the server is stopping" : "the client went away");
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            // A bug here (or in a turn condition) should reach the test as a readable API error, not a bare 500.
            ScriptedModelServerLog.Failed(logger, ex, recorded.Sequence);
            await WriteJsonAsync(context.Response, StatusCodes.Status500InternalServerError, MessageEvents.Error("api_error", $"Scripted model server failure: {ex}", Ids.NewRequestId()), CancellationToken.None);
        }
        finally
        {
            recorded.SetOutcome(outcome);
        }
    }

    private static RecordedRequestKind Classify(HttpRequest request, JsonElement? body)
    {
        if (HttpMethods.IsPost(request.Method))
        {
            var path = request.Path.Value ?? "";
            if (path.EndsWith(CountTokensPath, StringComparison.Ordinal))
            {
                return RecordedRequestKind.CountTokens;
            }

            if (path.EndsWith(MessagesPath, StringComparison.Ordinal))
            {
                var streaming = body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True;
                return streaming ? RecordedRequestKind.Conversation : RecordedRequestKind.NonStreamingMessage;
            }
        }

        return RecordedRequestKind.Other;
    }

    private static JsonElement? TryParse(string bodyText)
    {
        if (bodyText.Length == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(bodyText);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<bool> WriteJsonAsync(HttpResponse response, int statusCode, byte[] json, CancellationToken cancellationToken)
    {
        response.StatusCode = statusCode;
        response.ContentType = "application/json";
        response.ContentLength = json.Length;
        await response.Body.WriteAsync(json, cancellationToken);
        return true;
    }

    private async Task<RecordedRequest> RecordAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var bodyText = await reader.ReadToEndAsync(cancellationToken);
        var body = TryParse(bodyText);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = string.Join(", ", values.ToArray());
        }

        return recorder.Record(Classify(request, body), request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", headers, bodyText, body);
    }

    private async Task<bool> AnswerAsync(HttpResponse response, RecordedRequest request, CancellationToken cancellationToken)
    {
        var requestId = Ids.NewRequestId();
        response.Headers["request-id"] = requestId;
        var inputTokens = TokenEstimate.Input(request.BodyText);
        var model = request.Model ?? DefaultModel;
        switch (request.Kind)
        {
            case RecordedRequestKind.Conversation:
                var turn = script.TryTake(request);
                if (turn is ErrorTurn error)
                {
                    ScriptedModelServerLog.Answered(logger, request.Sequence, $"error {error.StatusCode} {error.ErrorType}");
                    return await WriteJsonAsync(response, error.StatusCode, MessageEvents.Error(error.ErrorType, error.Message, requestId), cancellationToken);
                }

                var message = turn as MessageTurn ?? _defaultTurn;
                ScriptedModelServerLog.Answered(logger, request.Sequence, turn is null ? "the default turn (script empty)" : "a scripted turn");
                return await MessageStreamer.StreamAsync(response, message, model, inputTokens, cancellationToken);

            case RecordedRequestKind.NonStreamingMessage:
                // Probes send max_tokens 1: say we stopped for that reason, as the real API would.
                var stopReason = request.MaxTokens is <= 1 ? StopReasons.MaxTokens : StopReasons.EndTurn;
                var json = MessageEvents.Message(Ids.NewMessageId(), model, _defaultTurn, stopReason, inputTokens);
                return await WriteJsonAsync(response, StatusCodes.Status200OK, json, cancellationToken);

            case RecordedRequestKind.CountTokens:
                return await WriteJsonAsync(response, StatusCodes.Status200OK, MessageEvents.TokenCount(inputTokens), cancellationToken);

            default:
                if (HttpMethods.IsHead(request.Method))
                {
                    response.StatusCode = StatusCodes.Status200OK;
                    return true;
                }

                var notFound = MessageEvents.Error(AnthropicErrors.TypeFor(404), $"Not found: {request.Method} {request.Path}", requestId);
                return await WriteJsonAsync(response, StatusCodes.Status404NotFound, notFound, cancellationToken);
        }
    }
}
