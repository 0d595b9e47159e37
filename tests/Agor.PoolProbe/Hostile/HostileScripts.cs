namespace Agor.PoolProbe.Hostile;

/// <summary>The scripts by name, for <c>hostile-executor --script NAME</c>.</summary>
internal static class HostileScripts
{
    public static readonly IReadOnlyDictionary<string, HostileScript> ByName = new Dictionary<string, HostileScript>(StringComparer.Ordinal)
    {
        ["silent"] = new(HangingScripts.NeverAnswerAsync, AnswersStop: false, AnswersShutdown: false),
        ["accept-then-hang"] = new(HangingScripts.AcceptThenHangAsync, AnswersStop: false, AnswersShutdown: false),
        ["sigstop"] = new(HangingScripts.AcceptThenStopSelfAsync),
        ["stop-aware"] = new(ReportingScripts.StopAwareAsync),
        ["no-event-data"] = new(ReportingScripts.MissingFieldsAsync),
        ["double-completion"] = new(ReportingScripts.DoubleCompletionAsync),
        ["after-completion"] = new(ReportingScripts.AfterCompletionAsync),
        ["sequence-replay"] = new(ReportingScripts.SequenceReplayAsync),
        ["flood"] = new(FloodScripts.FloodAsync),
        ["flood-after-completion"] = new(FloodScripts.FloodAfterCompletionAsync),
        ["big-events"] = new(FloodScripts.BigEventsAsync),
        ["batch-bomb"] = new(BatchBombScripts.BatchBombAsync),
        ["key-services"] = new(KeyScripts.EveryServiceAsync),
    };
}
