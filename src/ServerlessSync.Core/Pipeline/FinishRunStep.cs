using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Core.Pipeline;

/// <summary>
/// Step 6: closes the run and sets the connector's status: FAILED with the first error when any object
/// failed (data stays good as of the previous success); otherwise ACTIVE once every selected object has
/// finished its historical sync, IN_PROGRESS before that. With a <paramref name="runLock"/>, it then gives up the
/// connector's lock the run took at its start.
/// </summary>
public sealed class FinishRunStep(IStatusStore status, TimeProvider time, IRunLock? runLock = null)
{
    /// <summary>
    /// Closes a run whose workflow failed around its objects (a step that kept failing, a timeout): every object
    /// still RUNNING fails with <paramref name="error"/>, staged files and cursors stay as they are, and the run
    /// finishes FAILED.
    /// </summary>
    public Task<RunRecord> FailAsync(string connectorId, string runId, string error, CancellationToken cancellationToken) =>
        FailAsync(connectorId, runId, error, blocked: false, cancellationToken);

    /// <summary>
    /// Closes a run that did not start extracting because the destination's checks failed before the connector's first
    /// historical sync: its objects fail with <paramref name="failedCheck"/> and the run finishes FAILED, but the connector
    /// stays IN_PROGRESS (nothing was loaded, so nothing is broken), its last error naming the failed check.
    /// </summary>
    public Task<RunRecord> BlockAsync(string connectorId, string runId, string failedCheck, CancellationToken cancellationToken) =>
        FailAsync(connectorId, runId, failedCheck, blocked: true, cancellationToken);

    private async Task<RunRecord> FailAsync(string connectorId, string runId, string error, bool blocked, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(error);
        var run = await status.GetRunAsync(connectorId, runId, cancellationToken)
            ?? throw new InvalidOperationException($"run {runId} of connector {connectorId} is not in the status store");
        foreach (var record in run.Objects.Where(o => o.Status == RunStatus.Running))
        {
            await status.PutObjectRunAsync(connectorId, record with { Status = RunStatus.Failed, Error = error }, cancellationToken);
        }

        return await FinishAsync(PlanOf(run), blocked ? error : null, cancellationToken);
    }

    /// <summary>The plan a stored run was started with (windows from its object records).</summary>
    public static RunPlan PlanOf(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new RunPlan(run.ConnectorId, run.RunId, run.StartedAt, [.. run.Objects.Select(o => new ObjectPlan(o.ObjectName, new SyncWindow(o.WindowStart, o.WindowEnd), null))]);
    }

    public Task<RunRecord> FinishAsync(RunPlan run, CancellationToken cancellationToken) => FinishAsync(run, null, cancellationToken);

    private async Task<RunRecord> FinishAsync(RunPlan run, string? blockedBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var now = time.GetUtcNow();
        var record = await status.GetRunAsync(run.ConnectorId, run.RunId, cancellationToken)
            ?? throw new InvalidOperationException($"run {run.RunId} of connector {run.ConnectorId} is not in the status store");
        var failed = record.Objects.Where(o => o.Status != RunStatus.Succeeded).ToList();
        var error = failed.Count == 0
            ? null
            // Objects that failed alike (an interruption, an unreachable source) are named together, once.
            : string.Join("; ", failed.GroupBy(o => o.Error ?? "did not finish", StringComparer.Ordinal).Select(g => $"{string.Join(", ", g.Select(o => o.ObjectName))}: {g.Key}"));
        var finished = record with
        {
            Status = failed.Count == 0 ? RunStatus.Succeeded : RunStatus.Failed,
            EndedAt = now,
            Error = error,
        };
        await status.PutRunAsync(finished, cancellationToken);

        var connector = await status.GetConnectorAsync(run.ConnectorId, cancellationToken)
            ?? throw new InvalidOperationException($"connector {run.ConnectorId} is not in the status store");
        var objects = await status.GetObjectsAsync(run.ConnectorId, cancellationToken);
        var historicalDone = connector.SelectedObjects.All(name => objects.Any(o => o.ObjectName == name && o.HistoricalComplete));
        connector = blockedBy is not null
            ? connector with { Status = ConnectorStatus.InProgress, LastError = blockedBy, UpdatedAt = now }
            : failed.Count > 0
            ? connector with { Status = ConnectorStatus.Failed, LastError = error, UpdatedAt = now }
            : connector with
            {
                Status = historicalDone ? ConnectorStatus.Active : ConnectorStatus.InProgress,
                LastError = null,
                LastGoodDataAt = run.Objects.Min(o => o.Window.End),
                UpdatedAt = now,
            };
        await status.PutConnectorAsync(connector, cancellationToken);
        if (runLock is not null)
        {
            await runLock.ReleaseAsync(run.ConnectorId, run.RunId, cancellationToken);
        }

        return finished;
    }

    /// <summary>
    /// Closes the connector's last run if it is still RUNNING although nothing runs it any more (its process
    /// ended: a crash, a kill). Only for callers that know no other run is active, such as the embedded
    /// runner holding its home's lock. Its unfinished objects fail; staged files and cursors stay as they are.
    /// </summary>
    public async Task<RunRecord?> CloseAbandonedAsync(string connectorId, CancellationToken cancellationToken)
    {
        var connector = await status.GetConnectorAsync(connectorId, cancellationToken);
        if (connector?.LastRunId is not { } runId
            || await status.GetRunAsync(connectorId, runId, cancellationToken) is not { Status: RunStatus.Running } run)
        {
            return null;
        }

        return await FailAsync(connectorId, runId, "abandoned: the process running it ended before it finished", cancellationToken);
    }
}
