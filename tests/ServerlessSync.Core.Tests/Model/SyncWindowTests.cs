using Microsoft.Extensions.Time.Testing;
using ServerlessSync.Core.Model;

namespace ServerlessSync.Core.Tests.Model;

public class SyncWindowTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void For_NoCursor_IsHistoricalUpToNow()
    {
        var window = SyncWindow.For(null, Now, TimeSpan.FromMinutes(5));

        Assert.Equal(SyncMode.Historical, window.Mode);
        Assert.Null(window.Start);
        Assert.Equal(Now, window.End);
    }

    [Fact]
    public void For_Cursor_StartsLookbackBeforeCursor()
    {
        var cursor = Now.AddHours(-1);

        var window = SyncWindow.For(cursor, Now, TimeSpan.FromMinutes(5));

        Assert.Equal(SyncMode.Incremental, window.Mode);
        Assert.Equal(cursor.AddMinutes(-5), window.Start);
        Assert.Equal(Now, window.End);
    }

    [Fact]
    public void For_CursorAheadOfClock_NeverStartsAfterEnd()
    {
        var window = SyncWindow.For(Now.AddMinutes(10), Now, TimeSpan.FromMinutes(5));

        Assert.Equal(Now, window.Start);
        Assert.Equal(Now, window.End);
        Assert.False(window.Contains(Now));
    }

    [Fact]
    public void For_NegativeLookback_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SyncWindow.For(Now, Now, TimeSpan.FromMinutes(-1)));
    }

    [Fact]
    public void Contains_IsHalfOpen()
    {
        var window = new SyncWindow(Now.AddMinutes(-5), Now);

        Assert.True(window.Contains(Now.AddMinutes(-5)));
        Assert.True(window.Contains(Now.AddTicks(-10)));
        Assert.False(window.Contains(Now));
        Assert.False(window.Contains(Now.AddMinutes(-5).AddTicks(-10)));
    }

    [Fact]
    public void For_SuccessiveWindowsFromFakeClock_OverlapByLookbackAndLeaveNoGap()
    {
        var clock = new FakeTimeProvider(Now);
        var lookback = TimeSpan.FromMinutes(5);
        var first = SyncWindow.For(null, clock.GetUtcNow(), lookback);
        clock.Advance(TimeSpan.FromHours(3));
        var second = SyncWindow.For(first.End, clock.GetUtcNow(), lookback);
        clock.Advance(TimeSpan.FromMinutes(1));
        var third = SyncWindow.For(second.End, clock.GetUtcNow(), lookback);

        Assert.Equal(first.End - lookback, second.Start);
        Assert.Equal(second.End - lookback, third.Start);
        Assert.True(second.Start < first.End && third.Start < second.End);
        Assert.Equal(Now.AddHours(3).AddMinutes(1), third.End);
    }
}
