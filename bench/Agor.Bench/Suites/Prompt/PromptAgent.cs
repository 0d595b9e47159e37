using System.Text.Json;

namespace Agor.Bench.Suites.Prompt;

/// <summary>
/// The agent an executor run asks for: its name in the execution context, the CLI's path, the key
/// and base URL the bench hands out as <c>get_api_key</c>'s answer, which <c>report_message</c>
/// counts as the first text delta, and when the run's conversation request reached the scripted
/// server (NaN where that server keeps no clock).
/// </summary>
internal sealed record PromptAgent(
    string Name,
    string Path,
    string ApiKey,
    string BaseUrl,
    Func<string, JsonElement, bool> IsFirstDelta,
    Func<DateTimeOffset, double> RequestOffsetMs);
