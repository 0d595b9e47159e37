namespace Agor.Daemon.Storage;

/// <summary>
/// Where a listing's next page starts: the last item's sort key, its row and (for listings sorted
/// by time) its time. Pages follow keys, not offsets, so an item created meanwhile shifts nothing.
/// </summary>
internal sealed record PageKey(long RowId, DateTimeOffset? Time = null);

/// <summary>One page of a listing; <see cref="Next"/> is null on the last page.</summary>
internal sealed record Page<T>(IReadOnlyList<T> Items, PageKey? Next)
{
    /// <summary>Cuts rows read with one row more than <paramref name="limit"/>: the extra row says there is a next page.</summary>
    public static Page<T> From(IReadOnlyList<(T Item, PageKey Key)> rows, int limit) =>
        rows.Count > limit
            ? new Page<T>([.. rows.Take(limit).Select(r => r.Item)], rows[limit - 1].Key)
            : new Page<T>([.. rows.Select(r => r.Item)], null);
}
