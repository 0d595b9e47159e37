namespace Agor.Daemon.Executors;

/// <summary>A caller in line for a place in the pool. Only the pool touches it, under its lock.</summary>
internal sealed class SlotWaiter(string user)
{
    public string User { get; } = user;

    /// <summary>Null: a free slot, spawn one. Otherwise: a ready warm executor.</summary>
    public TaskCompletionSource<PooledExecutor?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LinkedListNode<SlotWaiter>? Node { get; set; }
}
