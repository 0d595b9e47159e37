using System.Collections.Concurrent;
using System.Text.Json;

namespace Agor.Executor.Agents.Codex;

/// <summary>
/// Answers the app-server's requests: approvals become permission questions to the daemon (unless
/// the permission mode or the daemon's pre-approval already decides them), anything else is
/// refused as not supported. A question the server withdraws (<c>serverRequest/resolved</c>, as on
/// an interrupt) is cancelled and gets no answer.
/// </summary>
internal sealed class CodexQuestions(CodexConnection connection, IAgentHost host, AgentRunRequest request)
{
    private const int MethodNotFound = -32601;

    private readonly ConcurrentDictionary<string, CancellationTokenSource> _open = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JsonElement> _fileChanges = new(StringComparer.Ordinal);
    private readonly List<Task> _answers = [];

    /// <summary>Remembers a file change's changes from its <c>item/started</c>: its approval request refers to it by id.</summary>
    public void Started(JsonElement parameters)
    {
        if (parameters.TryGetProperty("item", out var item) && CodexEvents.ItemType(parameters) == "fileChange"
            && CodexApprovals.Text(item, "id") is { } id && item.TryGetProperty("changes", out var changes))
        {
            _fileChanges[id] = changes.Clone();
        }
    }

    public void Answer(JsonElement message) => _answers.Add(AnswerAsync(message));

    /// <summary>The server resolved a request itself: its question is withdrawn.</summary>
    public void Resolved(JsonElement parameters)
    {
        if (parameters.TryGetProperty("requestId", out var id) && _open.TryRemove(id.GetRawText(), out var question))
        {
            Withdraw(question);
        }
    }

    /// <summary>Withdraws every open question and waits for the answering to end.</summary>
    public async Task CloseAsync()
    {
        foreach (var key in _open.Keys)
        {
            if (_open.TryRemove(key, out var question))
            {
                Withdraw(question);
            }
        }

        await Task.WhenAll(_answers);
    }

    private static void Withdraw(CancellationTokenSource question)
    {
        try
        {
            question.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The answer came at the same moment and its asking is over.
        }
    }

    private async Task AnswerAsync(JsonElement message)
    {
        var id = message.GetProperty("id");
        var method = message.GetProperty("method").GetString() ?? string.Empty;
        var parameters = CodexFrames.ParamsOf(message);
        if (CodexApprovals.Describe(method, parameters, _fileChanges) is not { } question)
        {
            await connection.WriteAsync(CodexFrames.ErrorResponse(id, MethodNotFound, $"Agor does not handle '{method}'."));
            return;
        }

        if (Decided(question) is { } decided)
        {
            await connection.WriteAsync(CodexFrames.Response(id, CodexApprovals.Answer(question, decided)));
            return;
        }

        var key = id.GetRawText();
        using var cancellation = new CancellationTokenSource();
        _open[key] = cancellation;
        var answer = await host.RequestPermissionAsync(question.ToolName, question.Input, question.ToolUseId, cancellation.Token);
        if (!_open.TryRemove(key, out _))
        {
            return;
        }

        await connection.WriteAsync(CodexFrames.Response(id, CodexApprovals.Answer(question, answer.Approved)));
    }

    /// <summary>What the mode or the daemon's explicit pre-approval decides without asking; null: ask.</summary>
    private bool? Decided(CodexApprovals.Question question)
    {
        if (request.PreApprovedTools.Contains(question.ToolName, StringComparer.Ordinal))
        {
            return true;
        }

        return (request.PermissionMode, question.ToolName) switch
        {
            ("acceptEdits", CodexApprovals.PatchTool) => true,
            ("plan", CodexApprovals.PatchTool) => false,
            _ => null,
        };
    }
}
