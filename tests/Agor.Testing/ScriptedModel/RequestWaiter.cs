namespace Agor.Testing.ScriptedModel;

/// <summary>A pending wait for a request that matches a predicate.</summary>
internal sealed class RequestWaiter(Func<RecordedRequest, bool> predicate)
{
    private readonly TaskCompletionSource<RecordedRequest> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Func<RecordedRequest, bool> Predicate { get; } = predicate;

    public Task<RecordedRequest> Task => _completion.Task;

    public bool TryComplete(RecordedRequest request) => _completion.TrySetResult(request);

    public void Cancel(CancellationToken cancellationToken) => _completion.TrySetCanceled(cancellationToken);

    public void Fail(Exception exception) => _completion.TrySetException(exception);
}
