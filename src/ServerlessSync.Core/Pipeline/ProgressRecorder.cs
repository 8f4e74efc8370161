using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Core.Pipeline;

/// <summary>
/// Records a run's live progress in the status store (<see cref="IStatusStore.PutRunProgressAsync"/>) as the runner
/// reports it: when an object starts, when it starts loading, and while it extracts at most once per
/// <see cref="Interval"/> of <paramref name="clock"/>. Writes go one after another in the background; a failed write
/// is dropped (progress is a display, never a reason to fail a run). <see cref="FlushAsync"/> waits for them.
/// </summary>
public sealed class ProgressRecorder(IStatusStore status, TimeProvider clock) : IProgress<SyncEvent>
{
    /// <summary>The least time between two writes while an object extracts.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private Task _writes = Task.CompletedTask;
    private RunPlan? _plan;
    private DateTimeOffset _runStartedAt;
    // Each object's start: objects overlap, so the one loading is not the one that started last.
    private readonly Dictionary<string, DateTimeOffset> _objectStartedAt = new(StringComparer.Ordinal);
    private DateTimeOffset _lastWrite;

    public void Report(SyncEvent value)
    {
        var now = clock.GetUtcNow();
        switch (value)
        {
            case SyncEvent.RunStarted s:
                (_plan, _runStartedAt) = (s.Plan, now);
                break;
            case SyncEvent.ObjectStarted s:
                lock (_gate)
                {
                    _objectStartedAt[s.Plan.ObjectName] = now;
                }

                Write(s.Plan.ObjectName, "extracting", 0, 0, now);
                break;
            case SyncEvent.Extracting e when now - _lastWrite >= Interval:
                Write(e.Progress.ObjectName, "extracting", e.Progress.Rows, e.Progress.CompressedBytes, now);
                break;
            case SyncEvent.Loading l:
                Write(l.ObjectName, "loading", l.Rows, l.Bytes, now);
                break;
        }
    }

    /// <summary>Waits for the writes started so far.</summary>
    public Task FlushAsync()
    {
        lock (_gate)
        {
            return _writes;
        }
    }

    private void Write(string objectName, string phase, long rows, long bytes, DateTimeOffset now)
    {
        if (_plan is not { } plan)
        {
            return;
        }

        _lastWrite = now;
        DateTimeOffset objectStartedAt;
        lock (_gate)
        {
            objectStartedAt = _objectStartedAt.GetValueOrDefault(objectName, now);
        }

        var progress = new RunProgress
        {
            // The object's place in the run's plan: with objects overlapping, the one loading is not the one extracting.
            ObjectIndex = plan.PositionOf(objectName),
            ObjectCount = plan.Objects.Count,
            ObjectName = objectName,
            Phase = phase,
            Rows = rows,
            Bytes = bytes,
            RunStartedAt = _runStartedAt,
            ObjectStartedAt = objectStartedAt,
            UpdatedAt = now,
        };
        lock (_gate)
        {
            _writes = _writes.ContinueWith(
                async _ =>
                {
                    try
                    {
                        await status.PutRunProgressAsync(plan.ConnectorId, plan.RunId, progress, CancellationToken.None);
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        // Dropped: the next report writes again.
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default).Unwrap();
        }
    }
}

/// <summary>Hands each report to every one of <paramref name="targets"/>, in order (a terminal display and a <see cref="ProgressRecorder"/>, say).</summary>
public sealed class ProgressFanOut(params IProgress<SyncEvent>[] targets) : IProgress<SyncEvent>
{
    public void Report(SyncEvent value)
    {
        foreach (var target in targets)
        {
            target.Report(value);
        }
    }
}
