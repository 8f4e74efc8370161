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

/// <summary>
/// How the slices of a historical read are chosen (docs/workflow.md, "Slices"): with <see cref="RowsPerSlice"/> above 0,
/// from the object's record count (<c>ceil(count / RowsPerSlice)</c>, at most <see cref="ExportSlices.MaxSlices"/>); when
/// it is 0, or the source cannot count, <see cref="FixedCount"/> slices. Either way of equal length from <see cref="From"/>.
/// </summary>
/// <param name="FixedCount">HISTORICAL_SLICES: the slices when not sized by the count (1: read whole)</param>
/// <param name="RowsPerSlice">HISTORICAL_SLICE_ROWS: the records one slice should hold at most (0: do not count)</param>
/// <param name="From">HISTORICAL_SLICE_FROM: where the equal lengths start (the first slice also holds everything before)</param>
public sealed record SliceSizing(int FixedCount, long RowsPerSlice, DateTimeOffset From);

/// <summary>The slices chosen for one object (none: read it whole) and, for the log, how they were chosen.</summary>
public sealed record SlicePlan(IReadOnlyList<ExportSlice> Slices, string Reason);

/// <summary>How a historical read is split into slices by <c>UpdatedDate</c> (docs/workflow.md, "Slices").</summary>
public static class ExportSlices
{
    /// <summary>
    /// The most slices of one object: each is a Map iteration with its own jobs. SubmitExport's answer lists them (about
    /// 110 bytes each: 11 KB for 100, far inside Step Functions' 256 KiB per state), however large the record count.
    /// </summary>
    public const int MaxSlices = 100;

    /// <summary>
    /// How many slices a historical read of <paramref name="rows"/> records takes at <paramref name="rowsPerSlice"/> each:
    /// <c>ceil(rows / rowsPerSlice)</c>, at least 1 (no rows, or fewer than one slice holds: read whole) and at most
    /// <paramref name="max"/> (the slices are then larger than asked).
    /// </summary>
    public static int CountFor(long rows, long rowsPerSlice, int max = MaxSlices)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowsPerSlice, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var slices = (rows / rowsPerSlice) + (rows % rowsPerSlice == 0 ? 0 : 1);
        return (int)Math.Clamp(slices, 1, max);
    }

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
