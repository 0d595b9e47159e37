using System.Diagnostics;
using System.Net.Sockets;
using Agor.Testing.Support;

namespace Agor.Fuzz;

/// <summary>
/// Target 1: a real agor-executor, its socket fuzzed by this process playing the daemon. Requests
/// the executor makes of its "daemon" are refused with -32001, so no agent ever starts.
/// </summary>
internal static class ExecutorTarget
{
    private const string Refusal = """{"jsonrpc":"2.0","id":ID,"error":{"code":-32001,"message":"fuzz: no such token"}}""";

    public static async Task<FuzzReport> RunAsync(FuzzSettings settings, TextWriter progress, CancellationToken cancellationToken)
    {
        var cwd = Directory.CreateTempSubdirectory("agor-fuzz-cwd-").FullName;
        var corpus = Corpus.ToExecutor(cwd);
        var mutator = new Mutator(settings.Seed);
        var clock = Stopwatch.StartNew();
        long sent = 0, probes = 0, startRss = 0, peak = 0;
        int crashes = 0, hangs = 0, closes = 0;
        string? note = null;
        try
        {
            while (sent < settings.Lines && crashes == 0 && hangs == 0)
            {
                await using var executor = await RawExecutor.StartAsync(cancellationToken: cancellationToken);
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(executor.SocketPath), cancellationToken);
                await using var connection = new LineConnection(socket, AnswerExecutorRequest);
                if (!await connection.ProbeAsync(Ping, settings.ProbeBound, cancellationToken))
                {
                    note = "the executor never answered its first ping";
                    crashes++;
                    break;
                }

                startRss = startRss == 0 ? ProcessMemory.ResidentBytes(executor.Pid) : startRss;
                while (sent < settings.Lines)
                {
                    try
                    {
                        await connection.SendAsync(mutator.Next(corpus), cancellationToken);
                    }
                    catch (IOException)
                    {
                        // The executor closed its end; what it logged says whether that was allowed.
                        break;
                    }

                    sent++;
                    if (sent % settings.ProbeEvery != 0)
                    {
                        continue;
                    }

                    probes++;
                    bool answered;
                    try
                    {
                        answered = await connection.ProbeAsync(Ping, settings.ProbeBound, cancellationToken);
                    }
                    catch (IOException)
                    {
                        break;
                    }

                    if (executor.HasExited || connection.Closed.IsCompleted)
                    {
                        break;
                    }

                    peak = Math.Max(peak, ProcessMemory.PeakResidentBytes(executor.Pid));
                    if (!answered)
                    {
                        hangs++;
                        note = $"a ping went unanswered for {settings.ProbeBound.TotalSeconds:F0} s after line {sent}";
                        break;
                    }

                    if (sent % 100_000 == 0)
                    {
                        await progress.WriteLineAsync($"executor: {sent:N0} lines, peak RSS {peak / 1048576.0:F1} MiB");
                    }
                }

                if (!executor.HasExited && !connection.Closed.IsCompleted)
                {
                    peak = Math.Max(peak, ProcessMemory.PeakResidentBytes(executor.Pid));
                    continue;
                }

                // The executor went away: a logged close is allowed (and reconnected), anything else is a crash.
                await executor.WaitForExitAsync(TimeSpan.FromSeconds(15));
                var stderr = executor.Stderr;
                if (executor.ExitCode == 0 && (stderr.Contains("closing the connection", StringComparison.Ordinal) || stderr.Contains("shutdown", StringComparison.Ordinal)))
                {
                    closes++;
                    await progress.WriteLineAsync($"executor: closed the connection after line {sent}: {Tail(stderr)}");
                }
                else
                {
                    crashes++;
                    note = $"the executor exited {executor.ExitCode} after line {sent}: {Tail(stderr)}";
                }
            }
        }
        finally
        {
            Directory.Delete(cwd, recursive: true);
        }

        return new FuzzReport("executor", sent, probes, clock.Elapsed.TotalSeconds, startRss, peak, crashes, hangs, closes, note);
    }

    private static string Ping(string id) => $$$"""{"jsonrpc":"2.0","id":"{{{id}}}","method":"ping","params":{}}""";

    private static string? AnswerExecutorRequest(string line) =>
        RequestId(line) is { } id ? Refusal.Replace("ID", id, StringComparison.Ordinal) : null;

    /// <summary>The raw id of a request line, or null for a notification or something that does not parse.</summary>
    internal static string? RequestId(string line)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(line);
            return document.RootElement.TryGetProperty("id", out var id) && document.RootElement.TryGetProperty("method", out _) ? id.GetRawText() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>The last log lines, each cut short (a log line may quote a long line of the fuzz).</summary>
    internal static string Tail(string text) =>
        string.Join('\n', text.Split('\n').TakeLast(12).Select(l => l.Length <= 300 ? l : l[..300] + "..."));
}
