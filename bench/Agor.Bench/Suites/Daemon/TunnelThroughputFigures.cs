using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Agor.Bench.Measurement;
using Agor.Daemon.Configuration;
using Agor.Daemon.Domain;
using Agor.Daemon.Egress;
using Agor.Daemon.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agor.Bench.Suites.Daemon;

/// <summary>
/// Throughput of one CONNECT tunnel through the daemon's real <see cref="EgressProxy"/> (over a
/// real SQLite store, with an <c>allowed_hosts</c> entry for a loopback <see cref="ByteSinkServer"/>)
/// beside a direct loopback socket to the same server, upload and download; and, to tell the
/// proxy's own cost from the second hop's, a <see cref="BareRelay"/> in between. The paths take
/// turns; each figure is the median of <see cref="Runs"/> transfers of <see cref="Bytes"/>. Every
/// tunnel's egress record must count the bytes that went through it.
/// </summary>
internal sealed class TunnelThroughputFigures(DaemonContext context)
{
    public const long Bytes = 256L * 1024 * 1024;
    public const int Runs = 5;
    private const long WarmupBytes = 32L * 1024 * 1024;
    private const double TargetFraction = 0.5;
    private const string TaskId = "task_bench_tunnel";
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    private readonly byte[] _payload = CreatePayload();

    private enum Direction
    {
        Upload,
        Download,
    }

    private enum Via
    {
        Direct,
        Proxy,
        BareRelay,
    }

    public async Task MeasureAsync(ResultTable table, CancellationToken cancellationToken)
    {
        context.Log.WriteLine($"tunnel: {Runs} × {Bytes >> 20} MiB each way through one CONNECT tunnel of EgressProxy and over a direct loopback socket, taking turns, after a {WarmupBytes >> 20} MiB warm-up ...");
        var storeDirectory = Directory.CreateDirectory(Path.Combine(context.WorkDirectory, "egress-store")).FullName;
        await using var sink = ByteSinkServer.Start();
        var records = Channel.CreateUnbounded<EgressConnection>();
        var results = new Dictionary<(Direction, Via), List<double>>();
        var store = await SqliteAgorStore.OpenAsync(Path.Combine(storeDirectory, "agor.db"), cancellationToken);
        try
        {
            var settings = new NetworkSettings { AllowedHosts = [$"127.0.0.1:{sink.Port}"] };
            await using var proxy = new EgressProxy(settings, new EgressTokens(), store.Egress, TimeProvider.System, NullLogger.Instance);
            proxy.Recorded += r => records.Writer.TryWrite(r);
            proxy.Start();
            await using var relay = BareRelay.Start(sink.Port);
            var token = proxy.Tokens.Mint(TaskId);
            var route = new Route(sink.Port, proxy.Port, relay.Port, token, records.Reader);

            foreach (var direction in new[] { Direction.Upload, Direction.Download })
            {
                foreach (var via in Enum.GetValues<Via>())
                {
                    _ = await TransferAsync(route, direction, via, WarmupBytes, cancellationToken);
                }

                for (var run = 0; run < Runs; run++)
                {
                    foreach (var via in Enum.GetValues<Via>())
                    {
                        var seconds = await TransferAsync(route, direction, via, Bytes, cancellationToken);
                        AddSample(results, (direction, via), Bytes / seconds);
                    }
                }
            }
        }
        finally
        {
            await store.DisposeAsync();
            Directory.Delete(storeDirectory, recursive: true);
        }

        foreach (var direction in new[] { Direction.Upload, Direction.Download })
        {
            var direct = new Stats(results[(direction, Via.Direct)]).P50;
            var tunnel = new Stats(results[(direction, Via.Proxy)]).P50;
            var bare = new Stats(results[(direction, Via.BareRelay)]).P50;
            var fraction = tunnel / direct;
            context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tunnel: {direction.ToString().ToLowerInvariant()} MB/s: proxy {Listed(results[(direction, Via.Proxy)])}; bare relay {Listed(results[(direction, Via.BareRelay)])}; direct {Listed(results[(direction, Via.Direct)])}"));
            table.Add(new Figure(
                $"CONNECT tunnel throughput, {(direction == Direction.Upload ? "upload (agent → host)" : "download (host → agent)")}, {Bytes >> 20} MiB",
                $"{Units.MegabytesPerSecond(tunnel)} ({Units.Percent(fraction)} of direct)",
                Units.MegabytesPerSecond(direct) + " (direct socket)",
                $"≥ {Units.Percent(TargetFraction)} of direct",
                fraction >= TargetFraction));
            table.Add(new Figure(
                $"  the second hop alone (bare relay, {BareRelay.BufferBytes >> 10} KiB buffers), {direction.ToString().ToLowerInvariant()}",
                $"{Units.MegabytesPerSecond(bare)} ({Units.Percent(bare / direct)} of direct)",
                Units.MegabytesPerSecond(direct) + " (direct socket)",
                "-",
                null));
        }

        table.Note(string.Create(CultureInfo.InvariantCulture, $"CONNECT tunnel: the daemon's EgressProxy (raw sockets, 64 KiB relay buffers, a real SQLite egress store) started inside the bench on a free loopback port, network.allowed_hosts = [127.0.0.1:PORT] of a loopback byte server in the bench; one task token. Each transfer opens a connection (direct to the byte server, or CONNECT through the proxy with Proxy-Authorization, not timed), then times from the first byte written to the server's 8-byte count (upload: the client writes {Bytes >> 20} MiB in 64 KiB writes and half-closes) or to the end of the stream (download: the server writes {Bytes >> 20} MiB in 64 KiB writes). Median of {Runs} per path, the paths taking turns, after one {WarmupBytes >> 20} MiB warm-up each; MB = 10^6 bytes. Each tunnel's egress record was checked to count the bytes each way. The second-hop row puts BareRelay (the bench's own: accept, connect to the byte server, copy both ways with one {BareRelay.BufferBytes >> 10} KiB buffer per direction as the proxy does; no head, policy, idle timer or record) in place of the proxy: the relay's floor on this machine, so the gap between the two rows is the proxy's own cost. Client, relay and byte server share the bench process and the machine's {Environment.ProcessorCount} CPUs: every relayed byte is copied through the kernel twice more than a direct one, on the same CPUs."));
    }

    private static string Listed(List<double> bytesPerSecond) => string.Join(", ", bytesPerSecond.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r / 1e6:0}")));

    private static void AddSample(Dictionary<(Direction, Via), List<double>> results, (Direction, Via) key, double value)
    {
        if (!results.TryGetValue(key, out var list))
        {
            results[key] = list = [];
        }

        list.Add(value);
    }

    /// <summary>One transfer; returns its seconds. Through the tunnel it also checks the egress record.</summary>
    private async Task<double> TransferAsync(Route route, Direction direction, Via via, long bytes, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RunTimeout);
        double seconds;
        using (var socket = await route.ConnectAsync(via, timeout.Token))
        {
            seconds = direction == Direction.Upload
                ? await UploadAsync(socket, bytes, timeout.Token)
                : await DownloadAsync(socket, bytes, timeout.Token);
        }

        if (via == Via.Proxy)
        {
            var record = await route.Records.ReadAsync(timeout.Token);
            var (up, down) = direction == Direction.Upload ? (1 + bytes, 8L) : (9L, bytes);
            if (record is not { Allowed: true, TaskId: TaskId } || record.BytesUp != up || record.BytesDown != down)
            {
                throw new InvalidOperationException($"The tunnel's egress record is {record}; expected allowed for {TaskId} with {up} bytes up and {down} down.");
            }
        }

        return seconds;
    }

    private async Task<double> UploadAsync(Socket socket, long bytes, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        await socket.SendAsync("U"u8.ToArray(), cancellationToken);
        for (var remaining = bytes; remaining > 0;)
        {
            remaining -= await socket.SendAsync(_payload.AsMemory(0, (int)Math.Min(remaining, _payload.Length)), cancellationToken);
        }

        socket.Shutdown(SocketShutdown.Send);
        var count = new byte[8];
        await ByteSinkServer.ReceiveExactlyAsync(socket, count, cancellationToken);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var received = BinaryPrimitives.ReadInt64BigEndian(count);
        return received == bytes ? seconds : throw new InvalidOperationException($"The byte server received {received} of {bytes} bytes.");
    }

    private async Task<double> DownloadAsync(Socket socket, long bytes, CancellationToken cancellationToken)
    {
        var request = new byte[9];
        request[0] = (byte)'D';
        BinaryPrimitives.WriteInt64BigEndian(request.AsSpan(1), bytes);
        var start = Stopwatch.GetTimestamp();
        await socket.SendAsync(request, cancellationToken);
        long received = 0;
        int read;
        while ((read = await socket.ReceiveAsync(_payload, cancellationToken)) > 0)
        {
            received += read;
        }

        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return received == bytes ? seconds : throw new InvalidOperationException($"The client received {received} of {bytes} bytes.");
    }

    private static byte[] CreatePayload()
    {
        var payload = new byte[ByteSinkServer.BufferBytes];
        new Random(11).NextBytes(payload);
        return payload;
    }

    /// <summary>How a transfer reaches the byte server: straight, through a CONNECT tunnel with the task's credentials, or through the bare relay.</summary>
    private sealed record Route(int SinkPort, int ProxyPort, int RelayPort, string Token, ChannelReader<EgressConnection> Records)
    {
        public async Task<Socket> ConnectAsync(Via via, CancellationToken cancellationToken)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                var port = via switch
                {
                    Via.Proxy => ProxyPort,
                    Via.BareRelay => RelayPort,
                    _ => SinkPort,
                };
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
                if (via == Via.Proxy)
                {
                    var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{EgressTokens.UserName}:{Token}"));
                    await socket.SendAsync(Encoding.ASCII.GetBytes($"CONNECT 127.0.0.1:{SinkPort} HTTP/1.1\r\nHost: 127.0.0.1:{SinkPort}\r\nProxy-Authorization: Basic {credentials}\r\n\r\n"), cancellationToken);
                    var answer = await ReadHeadAsync(socket, cancellationToken);
                    if (!answer.StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
                    {
                        throw new InvalidOperationException($"The egress proxy answered CONNECT with: {answer}");
                    }
                }

                return socket;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        /// <summary>The answer's head, a byte at a time so that no tunnel byte is read with it.</summary>
        private static async Task<string> ReadHeadAsync(Socket socket, CancellationToken cancellationToken)
        {
            var head = new StringBuilder();
            var one = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                if (await socket.ReceiveAsync(one, cancellationToken) == 0)
                {
                    break;
                }

                head.Append((char)one[0]);
            }

            return head.ToString();
        }
    }
}
