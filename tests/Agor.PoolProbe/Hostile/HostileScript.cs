using System.Text.Json;

namespace Agor.PoolProbe.Hostile;

/// <summary>
/// One way of misbehaving: what the executor does with <c>execute_prompt</c> (it may answer it or
/// not: the answer is the script's to send), and whether it answers <c>stop_task</c> and <c>shutdown</c>.
/// </summary>
internal sealed record HostileScript(Func<HostileContext, JsonElement?, Task> OnExecutePrompt, bool AnswersStop = true, bool AnswersShutdown = true);
