using ServerlessSync.Core.Model;
using ServerlessSync.Core.Pipeline;

namespace ServerlessSync.Core.Tests.Pipeline;

public class ExportSlicesTests
{
    private static readonly DateTimeOffset From = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset End = new(2026, 11, 26, 21, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Plan_HistoricalInEight_FirstOpenBelow_EachStartsWhereThePreviousEnds_LastEndsAtTheWindowEnd()
    {
        var slices = ExportSlices.Plan(SyncWindow.Historical(End), 8, From);

        Assert.Equal(8, slices.Count);
        Assert.Null(slices[0].Window.Start);
        Assert.Equal(End, slices[^1].Window.End);
        for (var i = 1; i < slices.Count; i++)
        {
            Assert.Equal(slices[i - 1].Window.End, slices[i].Window.Start);
            Assert.Equal((i, 8), (slices[i].Index, slices[i].Count));
        }

        // Every instant before the end is in exactly one slice, as in the whole read.
        foreach (var t in new[] { DateTimeOffset.MinValue, From, From.AddTicks(-1), slices[3].Window.Start!.Value, End.AddTicks(-1) })
        {
            Assert.Single(slices, s => s.Window.Contains(t));
        }

        Assert.DoesNotContain(slices, s => s.Window.Contains(End));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public void Plan_OneSliceOrNone_NotSliced(int count) =>
        Assert.Empty(ExportSlices.Plan(SyncWindow.Historical(End), count, From));

    [Theory]
    [InlineData(0, 1_000_000, 1)]
    [InlineData(999_999, 1_000_000, 1)]
    [InlineData(1_000_000, 1_000_000, 1)]
    [InlineData(1_000_001, 1_000_000, 2)]
    [InlineData(8_000_000, 1_000_000, 8)]
    [InlineData(8_000_001, 1_000_000, 9)]
    [InlineData(100_000_000, 1_000_000, 100)]
    [InlineData(100_000_001, 1_000_000, 100)]
    [InlineData(long.MaxValue, 1, 100)]
    public void CountFor_RecordsAndRowsPerSlice_CeilingWithinOneToMaxSlices(long rows, long rowsPerSlice, int expected) =>
        Assert.Equal(expected, ExportSlices.CountFor(rows, rowsPerSlice));

    [Fact]
    public void CountFor_NoRowsPerSlice_Refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ExportSlices.CountFor(10, 0));

    [Fact]
    public void Plan_IncrementalWindow_NotSliced() =>
        Assert.Empty(ExportSlices.Plan(new SyncWindow(End.AddHours(-1), End), 8, From));

    [Fact]
    public void Plan_WindowEndingBeforeTheSlicesStart_NotSliced() =>
        Assert.Empty(ExportSlices.Plan(SyncWindow.Historical(From.AddMinutes(5)), 8, From));

    [Fact]
    public void WaitingText_JobsRunning_SaysWhichSinceWhenAndSlices()
    {
        var record = new ObjectRunRecord
        {
            RunId = "r1",
            ObjectName = "invoice",
            Mode = SyncMode.Historical,
            WindowEnd = End,
            Status = RunStatus.Running,
            JobsSubmittedAt = End,
            Jobs = "aqua 8a1f",
        };

        Assert.Equal("waiting for Zuora job aqua 8a1f (12 minutes)", record.WaitingText(End.AddMinutes(12.5), "Zuora"));
        Assert.Equal("waiting for Zuora jobs aqua 8a1f, aqua 2c3 (12 minutes), slices 3 of 8", (record with { Jobs = "aqua 8a1f, aqua 2c3", SlicesDone = 3, SlicesTotal = 8 }).WaitingText(End.AddMinutes(12.5), "Zuora"));
        Assert.Equal("waiting for Zuora jobs (0 minutes), slices 0 of 8", (record with { Jobs = null, SlicesTotal = 8 }).WaitingText(End, "Zuora"));
        Assert.Null((record with { Status = RunStatus.Succeeded }).WaitingText(End, "Zuora"));
        Assert.Null((record with { RowsExtracted = 5 }).WaitingText(End, "Zuora"));
        Assert.Null((record with { JobsSubmittedAt = null, Jobs = null }).WaitingText(End, "Zuora"));
    }
}
