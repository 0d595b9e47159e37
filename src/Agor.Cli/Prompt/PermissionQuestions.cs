using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Agor.Cli.Client;
using Agor.Cli.Output;

namespace Agor.Cli.Prompt;

/// <summary>
/// The permission requests of one followed task, asked at the terminal one at a time while the
/// event stream goes on. A request decided elsewhere (another terminal, the page, the API, the
/// timeout) stops being asked: its question gives way to a line saying how it was decided.
/// </summary>
internal sealed class PermissionQuestions : IAsyncDisposable
{
    /// <summary>The reasons this terminal gives, so the page and other terminals can say who decided.</summary>
    public const string AllowedHere = "Allowed at the terminal (agor prompt).";
    public const string DeniedHere = "The user denied this at the terminal.";

    private readonly DaemonClient _client;
    private readonly TaskTranscript _transcript;
    private readonly AnswerReader _answers;
    private readonly string? _cwd;
    private readonly bool _allowAll;
    private readonly Channel<JsonElement> _requests = Channel.CreateUnbounded<JsonElement>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly HashSet<string> _decidedHere = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonElement> _decidedElsewhere = new(StringComparer.Ordinal);
    private readonly Task _asking;
    private (string Id, CancellationTokenSource Withdraw)? _current;

    public PermissionQuestions(DaemonClient client, TaskTranscript transcript, AnswerReader answers, string? cwd, bool allowAll)
    {
        _client = client;
        _transcript = transcript;
        _answers = answers;
        _cwd = cwd;
        _allowAll = allowAll;
        _asking = Task.Run(AskLoopAsync);
    }

    /// <summary>A <c>permission.requested</c> of the task (or a pending one listed when following began); repeats are ignored.</summary>
    public void OnRequested(JsonElement request)
    {
        lock (_gate)
        {
            if (!_seen.Add(request.Text("id")))
            {
                return;
            }
        }

        _requests.Writer.TryWrite(request.Clone());
    }

    /// <summary>A <c>permission.resolved</c>: when this terminal did not decide it, its question (asked or queued) gives way.</summary>
    public void OnResolved(JsonElement resolved)
    {
        var id = resolved.Text("id");
        lock (_gate)
        {
            if (_decidedHere.Contains(id) || !_seen.Contains(id))
            {
                return;
            }

            _decidedElsewhere[id] = resolved.Clone();
            if (_current is { } current && current.Id == id)
            {
                current.Withdraw.Cancel();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _requests.Writer.TryComplete();
        await _stop.CancelAsync();
        try
        {
            await _asking;
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }

        _stop.Dispose();
    }

    /// <summary>How a request was decided, in one line: <c>allowed elsewhere: Allowed on the web page.</c></summary>
    public static string DecidedElsewhere(JsonElement resolved)
    {
        var reason = resolved.Text("reason");
        var how = resolved.Text("status") switch
        {
            "allowed" => "allowed elsewhere",
            "denied" => "denied elsewhere",
            "timed_out" => "timed out",
            "cancelled" => "cancelled",
            var other => other,
        };
        return reason.Length > 0 ? $"{how}: {reason}" : how;
    }

    private async Task AskLoopAsync()
    {
        while (await _requests.Reader.WaitToReadAsync(_stop.Token))
        {
            while (_requests.Reader.TryRead(out var request))
            {
                await AskAsync(request, _stop.Token);
            }
        }
    }

    private async Task AskAsync(JsonElement request, CancellationToken cancellationToken)
    {
        var id = request.Text("id");
        var summary = ToolSummary.Describe(request.Member("tool_input"), _cwd, 80);
        var what = $"{request.Text("tool_name")}{(summary.Length > 0 ? " " + summary : string.Empty)}";
        var question = $"Allow {what}? [y/N] ";
        using var withdraw = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        lock (_gate)
        {
            if (_decidedElsewhere.TryGetValue(id, out var already))
            {
                _transcript.Note($"{what}: {Paint.Status(already.Text("status"), DecidedElsewhere(already), _transcript.Colored)}");
                return;
            }

            _current = (id, withdraw);
        }

        try
        {
            bool allow;
            if (_allowAll)
            {
                _transcript.Note(question + "y (--yes)");
                allow = true;
            }
            else
            {
                _transcript.Ask(Paint.Bold(question, _transcript.Colored));
                string? answer;
                try
                {
                    answer = await _answers.ReadLineAsync(withdraw.Token);
                }
                catch (OperationCanceledException) when (withdraw.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    JsonElement resolved;
                    lock (_gate)
                    {
                        resolved = _decidedElsewhere[id];
                    }

                    _transcript.ReplaceQuestion($"{what}: {Paint.Status(resolved.Text("status"), DecidedElsewhere(resolved), _transcript.Colored)}");
                    return;
                }

                if (Console.IsInputRedirected)
                {
                    // Typed answers echo on the terminal; piped ones are shown so the transcript reads whole.
                    _transcript.Note(answer ?? "(no answer: stdin is closed)");
                }

                allow = answer?.Trim().ToUpperInvariant() is "Y" or "YES";
            }

            await DecideAsync(id, allow, cancellationToken);
        }
        finally
        {
            lock (_gate)
            {
                _current = null;
            }
        }
    }

    private async Task DecideAsync(string id, bool allow, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _decidedHere.Add(id);
        }

        var body = new JsonObject { ["decision"] = allow ? "allow" : "deny", ["reason"] = allow ? AllowedHere : DeniedHere };
        try
        {
            await _client.PostAsync($"/permissions/{Uri.EscapeDataString(id)}", body, cancellationToken);
            _transcript.Note(Paint.Status(allow ? "allowed" : "denied", allow ? "  allowed" : "  denied", _transcript.Colored));
        }
        catch (CliException ex)
        {
            // Decided elsewhere in the meantime, or timed out: the task goes on either way.
            _transcript.Note($"  not recorded: {ex.Message}");
        }
    }
}
