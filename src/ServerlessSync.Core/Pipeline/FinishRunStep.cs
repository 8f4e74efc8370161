using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Core.Pipeline;

/// <summary>
/// Step 6: closes the run and sets the connector's status: FAILED with the first error when any object
/// failed (data stays good as of the previous success); otherwise ACTIVE once every selected object has
/// finished its historical sync, IN_PROGRESS before that.
/// </summary>
public sealed class FinishRunStep(IStatusStore status, TimeProvider time)
{
    public async Task<RunRecord> FinishAsync(RunPlan run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var now = time.GetUtcNow();
        var record = await status.GetRunAsync(run.ConnectorId, run.RunId, cancellationToken)
            ?? throw new InvalidOperationException($"run {run.RunId} of connector {run.ConnectorId} is not in the status store");
        var failed = record.Objects.Where(o => o.Status != RunStatus.SUCCEEDED).ToList();
        var error = failed.Count == 0
            ? null
            : string.Join("; ", failed.Select(o => $"{o.ObjectName}: {o.Error ?? "did not finish"}"));
        var finished = record with
        {
            Status = failed.Count == 0 ? RunStatus.SUCCEEDED : RunStatus.FAILED,
            EndedAt = now,
            Error = error,
        };
        await status.PutRunAsync(finished, cancellationToken);

        var connector = await status.GetConnectorAsync(run.ConnectorId, cancellationToken)
            ?? throw new InvalidOperationException($"connector {run.ConnectorId} is not in the status store");
        var objects = await status.GetObjectsAsync(run.ConnectorId, cancellationToken);
        var historicalDone = connector.SelectedObjects.All(name => objects.Any(o => o.ObjectName == name && o.HistoricalComplete));
        connector = failed.Count > 0
            ? connector with { Status = ConnectorStatus.FAILED, LastError = error, UpdatedAt = now }
            : connector with
            {
                Status = historicalDone ? ConnectorStatus.ACTIVE : ConnectorStatus.IN_PROGRESS,
                LastError = null,
                LastGoodDataAt = run.Objects.Min(o => o.Window.End),
                UpdatedAt = now,
            };
        await status.PutConnectorAsync(connector, cancellationToken);
        return finished;
    }
}
