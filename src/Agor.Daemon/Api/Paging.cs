using System.Buffers.Binary;
using System.Buffers.Text;
using Agor.Daemon.Configuration;
using Agor.Daemon.Storage;
using Microsoft.AspNetCore.Http;

namespace Agor.Daemon.Api;

/// <summary>
/// Paged listings: <c>?limit=N</c> (default <c>daemon.list_limit_default</c>, at most
/// <c>daemon.list_limit_max</c>) and <c>?cursor=…</c>. The body stays the JSON array it always
/// was; when there is more, the <c>Next-Cursor</c> header holds the cursor of the next page.
/// A cursor is opaque: base64url of the last item's row and time.
/// </summary>
internal static class Paging
{
    public const string NextCursorHeader = "Next-Cursor";

    /// <summary>Reads <c>limit</c> and <c>cursor</c>; false with a 400 naming the parameter when either is wrong.</summary>
    public static bool TryRead(HttpRequest request, DaemonSettings settings, out int limit, out PageKey? after, out IResult? problem)
    {
        after = null;
        limit = 0;
        if (!QueryNumber.TryRead(request, "limit", settings.ListLimitDefault, 1, settings.ListLimitMax, out var number, out problem))
        {
            return false;
        }

        limit = (int)number;
        if (request.Query["cursor"].ToString() is { Length: > 0 } text)
        {
            after = Decode(text);
            if (after is null)
            {
                problem = Problems.BadRequest("cursor", "is not a cursor this daemon gave out (take it from the Next-Cursor header of the previous page)");
                return false;
            }
        }

        return true;
    }

    /// <summary>Sets <c>Next-Cursor</c> when the page is not the last.</summary>
    public static void Describe<T>(HttpResponse response, Page<T> page)
    {
        if (page.Next is { } next)
        {
            response.Headers[NextCursorHeader] = Encode(next);
        }
    }

    internal static string Encode(PageKey key)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes, key.RowId);
        BinaryPrimitives.WriteInt64BigEndian(bytes[8..], key.Time is { } time ? time.UtcTicks : -1);
        return Base64Url.EncodeToString(bytes);
    }

    internal static PageKey? Decode(string text)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (text.Length != 22 || !Base64Url.TryDecodeFromChars(text, bytes, out var written) || written != 16 || !string.Equals(Base64Url.EncodeToString(bytes), text, StringComparison.Ordinal))
        {
            return null;
        }

        var row = BinaryPrimitives.ReadInt64BigEndian(bytes);
        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes[8..]);
        if (row < 0 || ticks < -1 || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return null;
        }

        return new PageKey(row, ticks == -1 ? null : new DateTimeOffset(ticks, TimeSpan.Zero));
    }
}
