namespace Agor.Protocol.JsonRpc;

/// <summary>Decodes the params of one incoming notification and runs its handler.</summary>
internal abstract class NotificationHandler
{
    public abstract string Method { get; }

    /// <summary>
    /// Decodes the params and runs the handler. When the params do not fit the contract the handler
    /// does not run: <paramref name="problem"/> names the field and the notification is dropped.
    /// The handler's own exceptions (thrown or faulted) are the caller's to catch.
    /// </summary>
    public abstract ValueTask InvokeAsync(ReadOnlySpan<byte> paramsJson, CancellationToken cancellationToken, out string? problem);
}

internal sealed class NotificationHandler<TParams>(
    JsonRpcNotification<TParams> notification,
    Func<TParams, CancellationToken, ValueTask> handler) : NotificationHandler
{
    public override string Method => notification.Name;

    public override ValueTask InvokeAsync(ReadOnlySpan<byte> paramsJson, CancellationToken cancellationToken, out string? problem)
    {
        if (!ParamsDecoder.TryDecode(paramsJson, notification.ParamsType, out var parameters, out var invalid))
        {
            problem = invalid;
            return ValueTask.CompletedTask;
        }

        problem = null;
        return handler(parameters, cancellationToken);
    }
}
