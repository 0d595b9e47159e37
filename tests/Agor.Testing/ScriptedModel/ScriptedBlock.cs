namespace Agor.Testing.ScriptedModel;

/// <summary>One content block of a scripted assistant message.</summary>
internal abstract record ScriptedBlock;
