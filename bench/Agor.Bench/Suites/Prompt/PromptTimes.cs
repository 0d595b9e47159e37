namespace Agor.Bench.Suites.Prompt;

/// <summary>
/// One prompt's clock readings, in milliseconds from the start: the conversation request reaching
/// the scripted model server, the first streamed text delta, the end (report_completion on the
/// executor side, the <c>result</c> line for the baseline) and, for the baseline, the CLI's exit
/// after its stdin was closed at the result; for the executor, the <c>get_api_key</c> call, its
/// last step before it starts the CLI; whether the agent ran confined, as the task's record says
/// (null where no record says), and the record's reason or mechanism, for the table.
/// </summary>
internal sealed record PromptTimes(double RequestMs, double FirstDeltaMs, double CompletionMs, double? ExitMs = null, double? ApiKeyMs = null, bool? Confined = null, string? SandboxNote = null);
