using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Agor.Protocol.JsonRpc;

/// <summary>A request this side sent and whose response has not arrived yet.</summary>
internal abstract class PendingRequest
{
    public abstract void SetResult(ReadOnlySpan<byte> resultJson);

    public abstract void SetException(Exception exception);
}

internal sealed class PendingRequest<TResult>(string method, JsonTypeInfo<TResult> resultType) : PendingRequest
{
    private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<TResult> Task => _completion.Task;

    public override void SetResult(ReadOnlySpan<byte> resultJson)
    {
        try
        {
            var result = JsonSerializer.Deserialize(resultJson, resultType);
            if (result is null)
            {
                _completion.TrySetException(new JsonRpcException(JsonRpcErrorCode.InternalError, $"The response to '{method}' had a null result."));
                return;
            }

            _completion.TrySetResult(result);
        }
        catch (JsonException ex)
        {
            _completion.TrySetException(new JsonRpcException(JsonRpcErrorCode.InternalError, $"The response to '{method}' did not match its contract: {ex.Message}"));
        }
    }

    public override void SetException(Exception exception) => _completion.TrySetException(exception);
}
