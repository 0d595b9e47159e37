namespace Agor.Testing.ScriptedModel;

/// <summary>How the server's answer to a recorded request ended.</summary>
public enum RecordedResponseOutcome
{
    /// <summary>The whole answer was written.</summary>
    Completed,

    /// <summary>The client went away mid-answer (an interrupt cut the stream), or the server stopped.</summary>
    Aborted,
}
