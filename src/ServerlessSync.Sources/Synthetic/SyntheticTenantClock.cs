namespace ServerlessSync.Sources.Synthetic;

/// <summary>
/// The tenant's "now": the clock value set at creation or at the last advance, plus the real time elapsed
/// since on the base clock. After <c>tenant advance --days 1</c> it runs a day ahead of the base clock, and
/// every row changed by the advance has an <c>updateddate</c> before it. Never earlier than the last set value.
/// Timestamps and timers are the base clock's (they measure durations, which the offset does not change).
/// </summary>
public sealed class SyntheticTenantClock : TimeProvider
{
    private readonly TimeProvider _baseClock;
    private Anchor _anchor;

    internal SyntheticTenantClock(TimeProvider baseClock, DateTimeOffset tenantTime, DateTimeOffset baseTime)
    {
        _baseClock = baseClock;
        _anchor = new Anchor(tenantTime, baseTime);
    }

    /// <summary>The clock this one runs on.</summary>
    public TimeProvider BaseClock => _baseClock;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => _baseClock.TimestampFrequency;

    public override DateTimeOffset GetUtcNow()
    {
        var anchor = Volatile.Read(ref _anchor);
        var elapsed = _baseClock.GetUtcNow() - anchor.BaseTime;
        return elapsed > TimeSpan.Zero ? anchor.TenantTime + elapsed : anchor.TenantTime;
    }

    public override long GetTimestamp() => _baseClock.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        _baseClock.CreateTimer(callback, state, dueTime, period);

    internal void Set(DateTimeOffset tenantTime, DateTimeOffset baseTime) => Volatile.Write(ref _anchor, new Anchor(tenantTime, baseTime));

    private sealed record Anchor(DateTimeOffset TenantTime, DateTimeOffset BaseTime);
}
