namespace Agor.Testing.ScriptedModel;

/// <summary>A text block, streamed as one <c>text_delta</c> per chunk.</summary>
internal sealed record TextBlock(IReadOnlyList<string> Chunks) : ScriptedBlock
{
    public string FullText => string.Concat(Chunks);
}
