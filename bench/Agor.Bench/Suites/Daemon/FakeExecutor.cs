using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Agor.Protocol.JsonRpc;
using Agor.Protocol.Wire;

namespace Agor.Bench.Suites.Daemon;

/// <summary>
/// The bench's hidden <c>daemon-executor</c> mode: an executor without an agent, which the daemon
/// starts through <c>execution.executor_path</c> (a wrapper script naming this mode, see
/// <see cref="WriteWrapper"/>). It serves the daemon as <c>agor-executor</c> does (ready line,
/// accepts the daemon's connection, answers <c>ping</c>, <c>shutdown</c>, <c>execute_prompt</c>,
/// <c>stop_task</c>) and, for each task, sends <c>report_message</c> notifications with the token
/// it was given, each carrying in its event data the CLOCK_MONOTONIC reading
/// (<see cref="Stopwatch.GetTimestamp"/>, nanoseconds on Linux) taken just before it is sent:
/// <list type="bullet">
/// <item><c>--pattern burst</c>: <c>--count</c> messages, one per <c>--interval-us</c>, every
/// <c>--stored-every</c>-th an <c>assistant_message</c> (stored), the rest <c>content_block_delta</c>
/// (broadcast only); then <c>report_completion</c>.</item>
/// <item><c>--pattern stream</c>: a <c>content_block_delta</c> every <c>--interval-us</c> until
/// the task is stopped; then <c>report_completion</c> (cancelled).</item>
/// </list>
/// </summary>
internal static class FakeExecutor
{
    public const string Mode = "daemon-executor";

    /// <summary>The event data property that carries the send time.</summary>
    public const string SentProperty = "bench_sent_ns";

    private const string ReadyLine = "agor-executor ready";

    public static async Task<int> RunAsync(string[] args)
    {
        var socketPath = Argument(args, "--socket") ?? throw new ArgumentException("--socket is required");
        var pattern = Argument(args, "--pattern") ?? "burst";
        var count = long.Parse(Argument(args, "--count") ?? "1000", CultureInfo.InvariantCulture);
        var interval = TimeSpan.FromMicroseconds(long.Parse(Argument(args, "--interval-us") ?? "1000", CultureInfo.InvariantCulture));
        var storedEvery = int.Parse(Argument(args, "--stored-every") ?? "0", CultureInfo.InvariantCulture);

        Socket connection;
        using (var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            listener.Listen(1);
            await Console.Out.WriteLineAsync(ReadyLine);
            await Console.Out.FlushAsync();
            using var acceptTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            connection = await listener.AcceptAsync(acceptTimeout.Token);
        }

        File.Delete(socketPath);
        await using var peer = new JsonRpcPeer(new NetworkStream(connection, ownsSocket: true), new JsonRpcPeerOptions { Name = "bench-executor" });
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        Task streaming = Task.CompletedTask;
        peer.AddRequestHandler(Methods.Ping, (_, _) => ValueTask.FromResult(new PingResult(true, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Environment.ProcessId, (int)Native.Libc.geteuid(), Environment.UserName)));
        peer.AddRequestHandler(Methods.Shutdown, (_, _) =>
        {
            stop.Cancel();
            done.TrySetResult();
            return ValueTask.FromResult(new ShutdownResult("idle"));
        });
        peer.AddRequestHandler(Methods.StopTask, (_, _) =>
        {
            stop.Cancel();
            return ValueTask.FromResult(new StopTaskResult(true));
        });
        peer.AddRequestHandler(Methods.ExecutePrompt, (p, _) =>
        {
            // The task outlives the request that started it, as in the real executor.
            streaming = Task.Run(() => pattern == "stream"
                ? StreamAsync(peer, p, interval, stop.Token)
                : BurstAsync(peer, p, count, interval, storedEvery, stop.Token), CancellationToken.None);
            return ValueTask.FromResult(new ExecutePromptResult(true));
        });
        peer.Start();
        await Task.WhenAny(done.Task, peer.Completion);
        await stop.CancelAsync();
        await streaming;
        return 0;
    }

    /// <summary>The executable the daemon is pointed at: a script that starts this mode with <paramref name="modeArguments"/> and passes the daemon's arguments on.</summary>
    public static string WriteWrapper(string directory, string name, IEnumerable<string> modeArguments)
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("The bench cannot find its own executable.");
        IEnumerable<string> command = Path.GetFileNameWithoutExtension(processPath) == "dotnet"
            ? [processPath, typeof(FakeExecutor).Assembly.Location, Mode, .. modeArguments]
            : [processPath, Mode, .. modeArguments];
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, $"#!/bin/sh\nexec {string.Join(' ', command.Select(Quote))} \"$@\"\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return path;
    }

    /// <summary>
    /// A content_block_delta frame as Claude Code streams it (about 150 bytes, as the ipc suite's
    /// sample), or an assistant frame, with the send time.
    /// </summary>
    public static JsonElement EventData(bool stored, long sentTimestamp)
    {
        var frame = stored
            ? /*lang=json,strict*/ "{\"type\":\"assistant\",\"message\":{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"I'll start by reading the configuration loader to see where \"}]}"
            : /*lang=json,strict*/ "{\"type\":\"stream_event\",\"event\":{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"I'll start by reading the configuration loader to see where \"}}";
        return JsonElement.Parse(string.Create(CultureInfo.InvariantCulture, $"{frame},\"{SentProperty}\":{sentTimestamp}}}"));
    }

    private static async Task BurstAsync(JsonRpcPeer peer, ExecutePromptParams task, long count, TimeSpan interval, int storedEvery, CancellationToken cancellationToken)
    {
        try
        {
            for (long sequence = 1; sequence <= count && !cancellationToken.IsCancellationRequested; sequence++)
            {
                await Task.Delay(interval, cancellationToken);
                var stored = storedEvery > 0 && sequence % storedEvery == 0;
                await SendAsync(peer, task, sequence, stored);
            }

            await CompleteAsync(peer, task, cancellationToken.IsCancellationRequested ? CompletionStatus.Cancelled : CompletionStatus.Completed);
        }
        catch (Exception ex) when (ex is OperationCanceledException or JsonRpcConnectionLostException or ObjectDisposedException or IOException)
        {
            await TryCompleteAsync(peer, task);
        }
    }

    private static async Task StreamAsync(JsonRpcPeer peer, ExecutePromptParams task, TimeSpan interval, CancellationToken cancellationToken)
    {
        try
        {
            for (long sequence = 1; !cancellationToken.IsCancellationRequested; sequence++)
            {
                await Task.Delay(interval, cancellationToken);
                await SendAsync(peer, task, sequence, stored: false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or JsonRpcConnectionLostException or ObjectDisposedException or IOException)
        {
        }

        await TryCompleteAsync(peer, task);
    }

    private static ValueTask SendAsync(JsonRpcPeer peer, ExecutePromptParams task, long sequence, bool stored)
    {
        var sent = Stopwatch.GetTimestamp();
        return peer.NotifyAsync(Methods.ReportMessage, new ReportMessageParams
        {
            SessionToken = task.SessionToken,
            TaskId = task.TaskId,
            Sequence = sequence,
            Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            EventType = stored ? EventTypes.AssistantMessage : EventTypes.ContentBlockDelta,
            EventData = EventData(stored, sent),
        });
    }

    private static async Task TryCompleteAsync(JsonRpcPeer peer, ExecutePromptParams task)
    {
        try
        {
            await CompleteAsync(peer, task, CompletionStatus.Cancelled);
        }
        catch (Exception ex) when (ex is JsonRpcConnectionLostException or JsonRpcTimeoutException or JsonRpcException or ObjectDisposedException or IOException)
        {
            // The daemon is gone or has given up on the task.
        }
    }

    private static Task<AcknowledgedResult> CompleteAsync(JsonRpcPeer peer, ExecutePromptParams task, string status) =>
        peer.InvokeAsync(Methods.ReportCompletion, new ReportCompletionParams { SessionToken = task.SessionToken, TaskId = task.TaskId, Status = status }, TimeSpan.FromSeconds(10));

    private static string? Argument(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private static string Quote(string argument) => "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
