using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Core.Pipeline;

/// <summary>
/// Runs the destination's checks for a connector and keeps the result as the connector's latest (what
/// <c>GET /connectors/{id}/checks/latest</c> answers). A connector's first historical sync runs it before extracting
/// anything, and does not start on a FAIL.
/// </summary>
public sealed class DestinationCheckStep(IDestinationChecks checks, IDestinationCheckStore store, TimeProvider time)
{
    /// <summary>The trigger of the checks a first historical sync runs before extracting.</summary>
    public const string FirstSyncTrigger = "firstSync";

    /// <param name="connectorId">the connector the result is kept for</param>
    /// <param name="trigger">what started the checks (<c>api</c>, <see cref="FirstSyncTrigger"/>…)</param>
    /// <param name="runId">the sync run the checks gate; null when started on their own</param>
    /// <param name="cancellationToken">cancels the checks</param>
    public async Task<DestinationCheckRun> RunAsync(string connectorId, string trigger, string? runId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectorId);
        ArgumentException.ThrowIfNullOrEmpty(trigger);
        var ranAt = time.GetUtcNow();
        var report = await checks.RunAsync(cancellationToken);
        var run = new DestinationCheckRun(connectorId, ranAt, trigger, runId, report);
        await store.PutLatestChecksAsync(run, cancellationToken);
        return run;
    }

    /// <summary>
    /// Whether a run of this plan is the connector's first historical sync, which runs the checks first: no object of the
    /// run was ever loaded (none moves from a cursor). Later runs, and full re-syncs, skip them.
    /// </summary>
    public static bool GatesRun(RunPlan run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Objects.Count > 0 && run.Objects.All(o => o.Window.Mode == SyncMode.Historical && o.ExpectedCursor is null);
    }
}
