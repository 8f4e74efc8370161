using ServerlessSync.Core.Model;
using ServerlessSync.Zuora.Jobs;

namespace ServerlessSync.Zuora.Tests.Source;

public class WindowHalvingTests
{
    private static readonly DateTimeOffset Floor = new(2006, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Halve_IncrementalWindow_SplitsAtMidpoint()
    {
        var (first, second) = WindowHalving.Halve(new SyncWindow(Start, Start.AddHours(2)), Floor, TimeSpan.FromMinutes(1))!.Value;

        Assert.Equal(new SyncWindow(Start, Start.AddHours(1)), first);
        Assert.Equal(new SyncWindow(Start.AddHours(1), Start.AddHours(2)), second);
    }

    [Fact]
    public void Halve_HistoricalWindow_SplitsBetweenFloorAndEndAndKeepsNoLowerBound()
    {
        var end = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var middle = Floor + ((end - Floor) / 2);

        var (first, second) = WindowHalving.Halve(SyncWindow.Historical(end), Floor, TimeSpan.FromMinutes(1))!.Value;

        Assert.Null(first.Start);
        Assert.Equal(middle, first.End);
        Assert.Equal(new SyncWindow(middle, end), second);
        Assert.Equal(SyncMode.Historical, first.Mode);
    }

    [Fact]
    public void Halve_HistoricalFirstHalfAgain_SplitsBetweenFloorAndItsEnd()
    {
        var end = Floor.AddDays(4);

        var (first, _) = WindowHalving.Halve(SyncWindow.Historical(Floor.AddDays(2)), Floor, TimeSpan.FromMinutes(1))!.Value;
        var (again, _) = WindowHalving.Halve(SyncWindow.Historical(end), Floor, TimeSpan.FromMinutes(1))!.Value;

        Assert.Equal(Floor.AddDays(1), first.End);
        Assert.Equal(Floor.AddDays(2), again.End);
    }

    [Fact]
    public void Halve_HalvesShorterThanMinWindow_IsNull()
    {
        Assert.Null(WindowHalving.Halve(new SyncWindow(Start, Start.AddSeconds(119)), Floor, TimeSpan.FromMinutes(1)));
        Assert.NotNull(WindowHalving.Halve(new SyncWindow(Start, Start.AddSeconds(120)), Floor, TimeSpan.FromMinutes(1)));
    }
}
