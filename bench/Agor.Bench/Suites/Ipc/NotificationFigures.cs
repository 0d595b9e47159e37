using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Agor.Bench.Measurement;
using Agor.Bench.Processes;
using Agor.Daemon.Executors;
using Agor.Protocol.JsonRpc;
using Agor.Protocol.Wire;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agor.Bench.Suites.Ipc;

/// <summary>
/// Executor → daemon notifications per second: the bench's <see cref="NotifyChild"/> sends
/// <c>report_message</c> through a <see cref="JsonRpcPeer"/> over a real Unix socket, and the daemon's
/// <see cref="ExecutorClient"/> counts them in a handler. Baseline: the C helper writes the same
/// lines to the same kind of socket and a plain .NET socket reader counts newlines.
/// </summary>
internal sealed class NotificationFigures(IpcContext context, long total, long warmup)
{
    private const double TargetPerSecond = 300_000;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    public async Task MeasureAsync(ResultTable table, CancellationToken cancellationToken = default)
    {
        context.Log.WriteLine($"notifications: {total:#,0} report_message of {WireSamples.ReportMessageBytes} bytes, rate after the first {warmup:#,0} ...");
        var raw = await MeasureRawAsync(cancellationToken);
        var agor = await MeasureAgorAsync(cancellationToken);
        var receiveOnly = await MeasureReceiveOnlyAsync(cancellationToken);
        table.Add(new Figure(
            $"notifications/s executor→daemon ({WireSamples.ReportMessageBytes} B lines)",
            Units.PerSecond(agor.Rate),
            Units.PerSecond(raw),
            $"≥ {Units.PerSecond(TargetPerSecond)}",
            agor.Rate >= TargetPerSecond));
        table.Add(new Figure("  daemon side alone (C writer → ExecutorClient)", Units.PerSecond(receiveOnly.Rate), Units.PerSecond(raw), "-", null));
        var ceiling = Environment.ProcessorCount / ((agor.SenderCpu + agor.ReceiverCpu) / 1e6);
        table.Note(string.Create(
            CultureInfo.InvariantCulture,
            $"notifications: CPU per notification: sender (notify-child: encode, queue, write) {agor.SenderCpu:0.0} µs, receiver (ExecutorClient: read, parse, deserialize, handler) {agor.ReceiverCpu:0.0} µs (C writer → ExecutorClient: receiver {receiveOnly.ReceiverCpu:0.0} µs). With both on {Environment.ProcessorCount} CPUs the CPU-bound ceiling is {ceiling:#,0}/s."));
    }

    /// <summary>The C helper writes the lines and the daemon's peer parses and counts them: the receiving side alone.</summary>
    private async Task<NotifyRun> MeasureReceiveOnlyAsync(CancellationToken cancellationToken)
    {
        await using var server = await StartBlasterAsync(cancellationToken);
        return await CountAsync(server.SocketPath, server.Pid, checkSequence: false, cancellationToken);
    }

    private async Task<NotifyRun> MeasureAgorAsync(CancellationToken cancellationToken)
    {
        var socketPath = SocketPaths.Next("notify");
        var (fileName, arguments) = NotifyChild.SelfCommand(socketPath, total);
        // The child plays the executor, so it runs with the switch agor-executor sets for itself.
        var environment = new Dictionary<string, string> { ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1" };
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { } root)
        {
            environment["DOTNET_ROOT"] = root;
        }

        await using var child = HelperProcess.Start(fileName, arguments, socketPath, environment);
        await child.WaitForLineAsync(NotifyChild.ReadyLine, cancellationToken);
        return await CountAsync(socketPath, child.Pid, checkSequence: true, cancellationToken);
    }

    /// <summary>Connects the daemon's client to a sender at <paramref name="socketPath"/> and counts its notifications.</summary>
    private async Task<NotifyRun> CountAsync(string socketPath, int senderPid, bool checkSequence, CancellationToken cancellationToken)
    {
        var counter = new NotificationCounter(warmup, total, checkSequence);
        var receiverCpu = CpuTime(Environment.ProcessId);
        var senderCpu = CpuTime(senderPid);
        // The daemon checks its peer before a byte is sent; the helper is the process we know.
        using var pinned = LaunchedProcess.Pin(senderPid);
        await using var client = await ExecutorClient.ConnectAsync(
            "notify-child",
            socketPath,
            peer => ExecutorIdentity.Verify(peer, (int)Agor.Daemon.Interop.Native.geteuid(), pinned, throughSudo: false),
            new JsonRpcPeerOptions { Name = "notify-child" },
            peer => peer.AddNotificationHandler(Methods.ReportMessage, counter.OnMessage),
            NullLogger.Instance,
            cancellationToken);
        try
        {
            await counter.Done.WaitAsync(Limit, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Only {counter.Count:#,0} of {total:#,0} notifications arrived within {Limit.TotalSeconds} s ({client.Peer.CloseReason ?? "connection up"}).");
        }

        if (counter.OutOfOrder != 0)
        {
            throw new InvalidOperationException($"{counter.OutOfOrder} notifications arrived out of sequence.");
        }

        return new NotifyRun(
            counter.Rate,
            (CpuTime(senderPid) - senderCpu).TotalMicroseconds / total,
            (CpuTime(Environment.ProcessId) - receiverCpu).TotalMicroseconds / total);
    }

    private static TimeSpan CpuTime(int pid)
    {
        using var process = Process.GetProcessById(pid);
        return process.TotalProcessorTime;
    }

    private async Task<double> MeasureRawAsync(CancellationToken cancellationToken)
    {
        await using var server = await StartBlasterAsync(cancellationToken);
        using var socket = await server.ConnectAsync(cancellationToken);
        var buffer = new byte[64 * 1024];
        long lines = 0;
        long start = 0;
        while (lines < total)
        {
            var got = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (got == 0)
            {
                throw new IOException($"rawsock closed after {lines:#,0} of {total:#,0} lines.");
            }

            var before = lines;
            lines += buffer.AsSpan(0, got).Count((byte)'\n');
            if (before < warmup && lines >= warmup)
            {
                start = Stopwatch.GetTimestamp();
            }
        }

        // The clock started at the read that crossed the warm-up mark, so count from there.
        return (total - warmup) / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private Task<RawSockServer> StartBlasterAsync(CancellationToken cancellationToken) =>
        RawSockServer.StartAsync(
            context.RawSockPath,
            ["blast", total.ToString(System.Globalization.CultureInfo.InvariantCulture), WireSamples.ReportMessageLine],
            cancellationToken: cancellationToken);

    /// <summary>Notifications per second after the warm-up, and the CPU each one cost the sender and the receiver (whole run).</summary>
    private sealed record NotifyRun(double Rate, double SenderCpu, double ReceiverCpu);
}
