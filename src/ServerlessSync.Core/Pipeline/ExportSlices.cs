using ServerlessSync.Core.Model;

namespace ServerlessSync.Core.Pipeline;

/// <summary>
/// One slice of an object's historical read: <paramref name="Window"/> is the part of the object's window its jobs read
/// (live rows only, as the whole historical read would). The slices of one object are staged apart and loaded together,
/// as one manifest.
/// </summary>
/// <param name="Index">0-based, in <c>UpdatedDate</c> order</param>
/// <param name="Count">how many slices the object has</param>
/// <param name="Window">the slice's range of <c>UpdatedDate</c>: the first has no lower bound, the last ends where the object's window ends</param>
public sealed record ExportSlice(int Index, int Count, SyncWindow Window);

/// <summary>How a historical read is split into slices by <c>UpdatedDate</c> (docs/workflow.md, "Slices").</summary>
public static class ExportSlices
{
    /// <summary>The most slices of one object: each is a Map iteration with its own jobs.</summary>
    public const int MaxSlices = 100;

    /// <summary>
    /// <paramref name="count"/> slices of equal length from <paramref name="from"/> to the window's end, the first also
    /// holding everything before <paramref name="from"/>. None (read the object whole) for an incremental window, a count
    /// below 2, or a window ending before <paramref name="from"/> plus a minute per slice.
    /// </summary>
    public static IReadOnlyList<ExportSlice> Plan(SyncWindow window, int count, DateTimeOffset from)
    {
        ArgumentNullException.ThrowIfNull(window);
        if (count is < 2 or > MaxSlices)
        {
            return count > MaxSlices ? throw new ArgumentOutOfRangeException(nameof(count), $"at most {MaxSlices} slices, not {count}") : [];
        }

        var length = window.End - from;
        if (window.Mode != SyncMode.Historical || length < TimeSpan.FromMinutes(count))
        {
            return [];
        }

        var step = TimeSpan.FromTicks(length.Ticks / count);
        var slices = new List<ExportSlice>(count);
        for (var i = 0; i < count; i++)
        {
            var start = i == 0 ? (DateTimeOffset?)null : from + (step * i);
            var end = i == count - 1 ? window.End : from + (step * (i + 1));
            slices.Add(new ExportSlice(i, count, new SyncWindow(start, end)));
        }

        return slices;
    }
}
