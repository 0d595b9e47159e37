using Agor.Daemon.Configuration;

namespace Agor.Daemon.Api;

/// <summary>
/// Whether a prompt fits the <c>execute_prompt</c> line that carries it to the executor
/// (<c>execution.max_line_bytes</c>): checked at submission, so that a prompt too long is a 400
/// naming <c>prompt</c> and not a task that fails later.
/// </summary>
internal static class PromptSize
{
    /// <summary>
    /// Room kept for the rest of the line besides the prompt and the cwd: the JSON-RPC envelope,
    /// session token, ids, tools, permission mode and timeout take well under a kilobyte today.
    /// </summary>
    public const int EnvelopeReserveBytes = 16 * 1024;

    /// <summary>The most bytes the prompt may take on the wire, JSON-escaped, for a session in <paramref name="cwd"/>.</summary>
    public static long MaxWireBytes(ExecutionSettings execution, string cwd) =>
        execution.MaxLineBytes - EnvelopeReserveBytes - EscapedBytes(cwd);

    /// <summary>
    /// The bytes <paramref name="text"/> takes as a JSON string, as System.Text.Json's default
    /// encoder writes it (an upper bound: every character it may escape counted as <c>\uXXXX</c>).
    /// </summary>
    public static long EscapedBytes(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        long bytes = 2;
        foreach (var c in text)
        {
            bytes += c switch
            {
                '\n' or '\r' or '\t' or '\b' or '\f' or '\\' => 2,
                '"' or '&' or '\'' or '+' or '<' or '>' or '`' => 6,
                >= ' ' and < (char)0x7F => 1,
                _ => 6,
            };
        }

        return bytes;
    }
}
