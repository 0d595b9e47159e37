namespace Agor.Testing.ScriptedModel;

/// <summary>An assistant message: its content blocks in order, the pacing of text chunks and the stop reason.</summary>
internal sealed class MessageTurn(IReadOnlyList<ScriptedBlock> blocks, TimeSpan chunkDelay, string stopReason) : ScriptedTurn
{
    public IReadOnlyList<ScriptedBlock> Blocks { get; } = blocks;

    /// <summary>Waited before every text chunk but the first of the message.</summary>
    public TimeSpan ChunkDelay { get; } = chunkDelay;

    public string StopReason { get; } = stopReason;
}
