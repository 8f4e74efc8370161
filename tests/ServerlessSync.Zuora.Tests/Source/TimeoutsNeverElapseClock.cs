using ServerlessSync.Testing;

namespace ServerlessSync.Zuora.Tests.Source;

/// <summary>
/// The source's clock in these tests: <see cref="ImmediateTimeProvider"/>'s time and waits (a <c>Task.Delay</c> ends at
/// once), but a cancellation timeout (a timer whose state is a <see cref="CancellationTokenSource"/>) never elapses, as
/// nothing in these tests really takes that long; on the immediate clock it would cancel the call it bounds at once.
/// </summary>
internal sealed class TimeoutsNeverElapseClock(ImmediateTimeProvider clock) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        state is CancellationTokenSource ? new IdleTimer() : clock.CreateTimer(callback, state, dueTime, period);

    private sealed class IdleTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
