using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Core.Pipeline;

/// <summary>
/// Step 5 for one object, a step of its own after the load (the workflow's RecordLoaded / RecordFailure states): after
/// its load committed, moves its cursor to the window end (conditional on the cursor the run started from) and records
/// the object's outcome; after a failure, records the error and leaves the cursor where it was. The extraction's figures
/// come from the object's record in the status store, which the extract step wrote.
/// </summary>
public sealed class CompleteObjectStep(IStatusStore status, TimeProvider time)
{
    /// <summary>Records the committed load and moves the cursor.</summary>
    public async Task<ObjectRunRecord> RecordLoadedAsync(RunPlan run, ObjectPlan plan, LoadReport load, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(load);
        var extracted = await StoredRecordAsync(run, plan, cancellationToken);
        string? note = null;
        var moved = await status.TryAdvanceCursorAsync(run.ConnectorId, plan.ObjectName, plan.ExpectedCursor, plan.Window.End, load.Outcome, time.GetUtcNow(), fullSync: plan.Window.Mode == SyncMode.Historical, cancellationToken);
        if (!moved)
        {
            // Another run moved the cursor first. The data is merged (loads are idempotent), but this
            // run must not move the cursor back, so it says so and leaves it.
            note = $"cursor of {plan.ObjectName} was moved by another run; left as it is";
        }

        var record = extracted with
        {
            Status = RunStatus.Succeeded,
            RowsInserted = load.Outcome.Inserted,
            RowsUpdated = load.Outcome.Updated,
            RowsDeleted = load.Outcome.Deleted,
            LoadMilliseconds = load.LoadMilliseconds,
            Error = note,
        };
        await status.PutObjectRunAsync(run.ConnectorId, record, cancellationToken);
        return record;
    }

    /// <summary>Records the object's failure, keeping whatever the extraction recorded; the cursor is not touched.</summary>
    public async Task<ObjectRunRecord> RecordFailedAsync(RunPlan run, ObjectPlan plan, string error, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(error);
        var record = await StoredRecordAsync(run, plan, cancellationToken) with { Status = RunStatus.Failed, Error = error };
        await status.PutObjectRunAsync(run.ConnectorId, record, cancellationToken);
        return record;
    }

    private async Task<ObjectRunRecord> StoredRecordAsync(RunPlan run, ObjectPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(plan);
        var stored = await status.GetRunAsync(run.ConnectorId, run.RunId, cancellationToken)
            ?? throw new InvalidOperationException($"run {run.RunId} of connector {run.ConnectorId} is not in the status store");
        return stored.Objects.FirstOrDefault(o => o.ObjectName == plan.ObjectName) ?? ObjectRuns.Pending(run.RunId, plan);
    }
}
