using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Core.Pipeline;

/// <summary>
/// Step 5 for one object: after its load committed, moves its cursor to the window end (conditional on the
/// cursor the run started from) and records the object's outcome; after a failure, records the error and
/// leaves the cursor where it was.
/// </summary>
public sealed class CompleteObjectStep(IStatusStore status, TimeProvider time)
{
    public async Task<ObjectRunRecord> SucceededAsync(RunPlan run, ObjectPlan plan, ExtractResult extract, LoadReport load, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(load);
        string? note = null;
        var moved = await status.TryAdvanceCursorAsync(run.ConnectorId, plan.ObjectName, plan.ExpectedCursor, plan.Window.End, load.Outcome, time.GetUtcNow(), cancellationToken);
        if (!moved)
        {
            // Another run moved the cursor first. The data is merged (loads are idempotent), but this
            // run must not move the cursor back, so it says so and leaves it.
            note = $"cursor of {plan.ObjectName} was moved by another run; left as it is";
        }

        var record = ObjectRuns.Extracted(run.RunId, plan, extract) with
        {
            Status = RunStatus.SUCCEEDED,
            RowsInserted = load.Outcome.Inserted,
            RowsUpdated = load.Outcome.Updated,
            RowsDeleted = load.Outcome.Deleted,
            LoadMilliseconds = load.LoadMilliseconds,
            Error = note,
        };
        await status.PutObjectRunAsync(run.ConnectorId, record, cancellationToken);
        return record;
    }

    public async Task<ObjectRunRecord> FailedAsync(RunPlan run, ObjectPlan plan, ExtractResult? extract, string error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var record = (extract is null ? ObjectRuns.Pending(run.RunId, plan) : ObjectRuns.Extracted(run.RunId, plan, extract)) with
        {
            Status = RunStatus.FAILED,
            Error = error,
        };
        await status.PutObjectRunAsync(run.ConnectorId, record, cancellationToken);
        return record;
    }
}
