using System.Net;
using System.Net.Sockets;
using System.Text;
using Agor.Daemon.Domain;

namespace Agor.Daemon.Egress;

/// <summary>
/// One client connection: reads the head (at most <c>max_head_bytes</c>, within the idle timeout),
/// checks the task's credentials, decides on the resolved address, connects to exactly that
/// address (no second lookup), then relays bytes both ways and records the connection.
/// A plain-HTTP request is sent on in origin form with <c>Connection: close</c>, so one client
/// connection carries one upstream connection to the host that was checked.
/// </summary>
internal sealed class ProxyConnection(Socket client, ProxyConnectionContext context)
{
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();
    private static readonly string[] HopHeaders = ["Proxy-Authorization", "Proxy-Connection", "Connection", "Keep-Alive"];
    private Socket? _upstream;

    public void Abort()
    {
        client.Dispose();
        _upstream?.Dispose();
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var started = context.Clock.GetUtcNow();
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(settings.IdleTimeoutMs);
        await using var clientStream = new NetworkStream(client, ownsSocket: false);

        var buffer = new byte[settings.MaxHeadBytes + 4];
        var (headLength, filled) = await ReadHeadAsync(clientStream, buffer, idle.Token);
        if (headLength < 0)
        {
            if (filled >= settings.MaxHeadBytes)
            {
                await AnswerAsync(clientStream, 431, "Request Header Fields Too Large", $"The request head is over network.max_head_bytes ({settings.MaxHeadBytes} bytes).", cancellationToken);
            }

            return;
        }

        var head = ProxyHead.Parse(buffer.AsSpan(0, headLength));
        if (head is null || !TryTarget(head, out var kind, out var host, out var port))
        {
            await AnswerAsync(clientStream, 400, "Bad Request", "The proxy takes CONNECT host:port or an absolute-form http:// request.", cancellationToken);
            return;
        }

        var record = new EgressConnection { Kind = kind, Host = host, Port = port, Allowed = false, Reason = string.Empty, StartedAt = started };
        var taskId = context.Tokens.TaskOf(head.Header("Proxy-Authorization"));
        if (taskId is null)
        {
            await RecordAsync(record with { Reason = "bad_token: no or an unknown proxy credential" });
            await AnswerAsync(clientStream, 407, "Proxy Authentication Required", "The proxy needs the task's credentials (they are in HTTP_PROXY).", cancellationToken, "Proxy-Authenticate: Basic realm=\"agor\"\r\n");
            return;
        }

        record = record with { TaskId = taskId };
        if (!context.Proxy.TryEnter(taskId))
        {
            await RecordAsync(record with { Reason = "connection_limit: max_connections_per_task reached" });
            await AnswerAsync(clientStream, 429, "Too Many Requests", $"The task already holds network.max_connections_per_task ({settings.MaxConnectionsPerTask}) proxy connections.", cancellationToken);
            return;
        }

        try
        {
            await RelayAsync(clientStream, head, buffer, headLength, filled, record, idle, cancellationToken);
        }
        finally
        {
            context.Proxy.Leave(taskId);
        }
    }

    private async Task RelayAsync(NetworkStream clientStream, ProxyHead head, byte[] buffer, int headLength, int filled, EgressConnection record, CancellationTokenSource idle, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var (decision, failure) = await DecideAsync(record.Host, record.Port, cancellationToken);
        if (decision is not { Allowed: true, Address: { } address })
        {
            var reason = failure ?? decision?.Refusal ?? "refused";
            await RecordAsync(record with { Address = decision?.Address?.ToString(), Reason = reason, EndedAt = context.Clock.GetUtcNow() });
            await AnswerAsync(clientStream, failure is null ? 403 : 502, failure is null ? "Forbidden" : "Bad Gateway", $"Agor egress proxy refused {record.Host}:{record.Port}: {reason}", cancellationToken, "X-Agor-Egress: refused\r\n");
            return;
        }

        record = record with { Address = address.ToString() };
        var upstream = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _upstream = upstream;
        try
        {
            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                connectTimeout.CancelAfter(settings.ConnectTimeoutMs);
                await upstream.ConnectAsync(new IPEndPoint(address, record.Port), connectTimeout.Token);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await AnswerAsync(clientStream, 502, "Bad Gateway", $"Agor egress proxy could not connect to {record.Host}:{record.Port} ({address}).", cancellationToken);
            await RecordAsync(record with { Allowed = true, Reason = "connect_failed", EndedAt = context.Clock.GetUtcNow() });
            return;
        }

        await using var upstreamStream = new NetworkStream(upstream, ownsSocket: true);
        long up = 0;
        if (record.Kind == "connect")
        {
            await clientStream.WriteAsync("HTTP/1.1 200 Connection Established\r\n\r\n"u8.ToArray(), cancellationToken);
        }
        else
        {
            var forwarded = Encoding.Latin1.GetBytes(OriginForm(head));
            await upstreamStream.WriteAsync(forwarded, cancellationToken);
            up += forwarded.Length;
        }

        // Whatever the client sent after its head (a request body, the tunnel's first bytes) goes on.
        var extra = filled - headLength - HeadEnd.Length;
        if (extra > 0)
        {
            await upstreamStream.WriteAsync(buffer.AsMemory(headLength + HeadEnd.Length, extra), cancellationToken);
            up += extra;
        }

        idle.CancelAfter(settings.IdleTimeoutMs);
        var upTask = PumpAsync(clientStream, upstreamStream, upstream, idle, settings.IdleTimeoutMs);
        var downTask = PumpAsync(upstreamStream, clientStream, client, idle, settings.IdleTimeoutMs);
        if (record.Kind == "http")
        {
            // One request per connection (Connection: close): once the answer is through, the client's side ends too.
            await downTask;
            await idle.CancelAsync();
        }

        var counts = await Task.WhenAll(upTask, downTask);
        await RecordAsync(record with { Allowed = true, Reason = "allowed", BytesUp = up + counts[0], BytesDown = counts[1], EndedAt = context.Clock.GetUtcNow() });
    }

    private async Task<(EgressDecision? Decision, string? Failure)> DecideAsync(string host, int port, CancellationToken cancellationToken)
    {
        // An unlisted name is not even looked up: a lookup is itself a way out (DNS exfiltration).
        if (!context.Policy.NamesHost(host, port))
        {
            return (context.Policy.Decide(host, port, []), null);
        }

        IReadOnlyList<IPAddress> addresses;
        if (IPAddress.TryParse(host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(context.Settings.ConnectTimeoutMs);
                addresses = await Dns.GetHostAddressesAsync(host, timeout.Token);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return (null, $"resolve_failed: {host} did not resolve");
            }
        }

        return (context.Policy.Decide(host, port, addresses), null);
    }

    private const int PumpBufferBytes = 64 * 1024;

    private static async Task<long> PumpAsync(NetworkStream from, NetworkStream to, Socket toSocket, CancellationTokenSource idle, int idleMs)
    {
        // 64 KiB a direction: fewer trips through the kernel per byte than 16 KiB on a bulk download,
        // and at most 64 MiB across the daemon at max_connections (512).
        var buffer = new byte[PumpBufferBytes];
        long total = 0;
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, idle.Token);
                if (read == 0)
                {
                    break;
                }

                await to.WriteAsync(buffer.AsMemory(0, read), idle.Token);
                total += read;
                idle.CancelAfter(idleMs);
            }

            toSocket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The other side went away or the connection idled out: end both directions.
            await idle.CancelAsync();
        }

        return total;
    }

    private static async Task<(int HeadLength, int Filled)> ReadHeadAsync(NetworkStream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var limit = buffer.Length - 4;
        var filled = 0;
        try
        {
            while (filled < buffer.Length)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                if (read == 0)
                {
                    return (-1, filled);
                }

                var searchFrom = Math.Max(0, filled - 3);
                filled += read;
                var end = buffer.AsSpan(searchFrom, filled - searchFrom).IndexOf(HeadEnd);
                if (end >= 0 && searchFrom + end <= limit)
                {
                    return (searchFrom + end, filled);
                }

                if (filled >= limit)
                {
                    return (-1, filled);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
        {
            return (-1, 0);
        }

        return (-1, filled);
    }

    private static bool TryTarget(ProxyHead head, out string kind, out string host, out int port)
    {
        if (string.Equals(head.Method, "CONNECT", StringComparison.Ordinal))
        {
            kind = "connect";
            return ProxyHead.TryParseAuthority(head.Target, 0, out host, out port);
        }

        kind = "http";
        host = string.Empty;
        port = 0;
        const string Scheme = "http://";
        if (!head.Target.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rest = head.Target[Scheme.Length..];
        var slash = rest.IndexOfAny(['/', '?']);
        var authority = slash < 0 ? rest : rest[..slash];
        return !authority.Contains('@', StringComparison.Ordinal) && ProxyHead.TryParseAuthority(authority, 80, out host, out port);
    }

    private static string OriginForm(ProxyHead head)
    {
        var rest = head.Target["http://".Length..];
        var slash = rest.IndexOfAny(['/', '?']);
        var path = slash < 0 ? "/" : rest[slash..];
        if (path.StartsWith('?'))
        {
            path = "/" + path;
        }

        var text = new StringBuilder($"{head.Method} {path} {head.Version}\r\n");
        foreach (var (name, value) in head.Headers)
        {
            if (!HopHeaders.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                text.Append(name).Append(": ").Append(value).Append("\r\n");
            }
        }

        return text.Append("Connection: close\r\n\r\n").ToString();
    }

    private static async Task AnswerAsync(NetworkStream stream, int status, string phrase, string body, CancellationToken cancellationToken, string extraHeaders = "")
    {
        var bytes = Encoding.UTF8.GetBytes(body + "\n");
        var head = $"HTTP/1.1 {status} {phrase}\r\n{extraHeaders}Content-Type: text/plain; charset=utf-8\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
        try
        {
            await stream.WriteAsync(Encoding.Latin1.GetBytes(head), cancellationToken);
            await stream.WriteAsync(bytes, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            // The client left before the answer: nothing to tell.
        }
    }

    private async Task RecordAsync(EgressConnection record)
    {
        var ended = record.EndedAt ?? context.Clock.GetUtcNow();
        var stored = record with { EndedAt = ended };
        var id = await context.Store.AppendAsync(stored, CancellationToken.None);
        context.Proxy.OnRecorded(stored with { Id = id });
    }
}
