using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Agor.Testing.ScriptedModel;

/// <summary>Writes server-sent events (<c>event: NAME</c>, <c>data: JSON</c>, blank line) and flushes each one.</summary>
internal sealed class ServerSentEventWriter(HttpResponse response)
{
    private static readonly byte[] EventPrefix = "event: "u8.ToArray();
    private static readonly byte[] DataPrefix = "\ndata: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();

    /// <summary>Writes one event; false when the client has gone away.</summary>
    public async ValueTask<bool> WriteAsync(string eventName, byte[] json, CancellationToken cancellationToken)
    {
        var writer = response.BodyWriter;
        writer.Write(EventPrefix);
        writer.Write(Encoding.UTF8.GetBytes(eventName));
        writer.Write(DataPrefix);
        writer.Write(json);
        writer.Write(EventEnd);
        var result = await writer.FlushAsync(cancellationToken);
        return !result.IsCompleted && !result.IsCanceled;
    }
}
