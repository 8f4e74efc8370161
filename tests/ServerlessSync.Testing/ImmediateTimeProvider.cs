using System.Collections.Concurrent;

namespace ServerlessSync.Testing;

/// <summary>
/// A clock whose one-shot timers fire at once, moving the clock forward by their due time: code that waits (polls,
/// backoff, Retry-After) runs without real waiting, and the waits it asked for are in <see cref="Delays"/>.
/// Concurrent waits add up rather than overlap, so the clock runs ahead of a real one.
/// </summary>
public sealed class ImmediateTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _lock = new();
    private DateTimeOffset _now = start;

    /// <summary>Every wait asked for, in order.</summary>
    public ConcurrentQueue<TimeSpan> Delays { get; } = new();

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    /// <summary>Moves the clock (between runs).</summary>
    public void Advance(TimeSpan by)
    {
        lock (_lock)
        {
            _now += by;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new FiredTimer();
        if (dueTime == Timeout.InfiniteTimeSpan)
        {
            return timer;
        }

        Delays.Enqueue(dueTime);
        Advance(dueTime);
        ThreadPool.QueueUserWorkItem(_ => callback(state));
        return timer;
    }

    private sealed class FiredTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => false;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
