using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Core.Pipeline;

/// <summary>
/// The one place an in-process pipeline is composed from its ports, for the CLI and for the tests: the same steps the
/// Lambda handlers call, wired as the state machine chains them.
/// </summary>
/// <param name="Source">where rows come from</param>
/// <param name="Staging">where parts and manifests wait for the load</param>
/// <param name="Warehouse">the destination</param>
/// <param name="Status">runs, objects, cursors and the connector's status</param>
/// <param name="Claims">who loads a manifest (the status store, in both worlds)</param>
/// <param name="Clock">the pipeline's clock</param>
public sealed record InProcessPipeline(ISource Source, IStagingStore Staging, IWarehouse Warehouse, IStatusStore Status, ILoadClaims Claims, TimeProvider Clock)
{
    /// <summary>How parts are cut (their size).</summary>
    public StagingOptions StagingOptions { get; init; } = new();

    /// <summary>How the loader claims manifests; a claimant unique to this pipeline by default.</summary>
    public LoadStepOptions LoadOptions { get; init; } = new();

    /// <summary>Where a running load's end is heard; needed only for a warehouse that answers running (Redshift).</summary>
    public ILoadEndSignal? LoadEnds { get; init; }

    /// <summary>The run lock a start takes and the finish gives up, as in the cloud; null where the caller holds its own.</summary>
    public RunGuard? RunGuard { get; init; }

    /// <summary>How many objects' export jobs may run at once in the source (a source that reads without jobs ignores it).</summary>
    public int JobConcurrency { get; init; } = InProcessSyncRunner.DefaultJobConcurrency;

    /// <param name="keepStagedFiles">skip cleanup after committed loads (for inspection and benchmarks)</param>
    public InProcessSyncRunner CreateRunner(bool keepStagedFiles = false) =>
        new(
            new StartRunStep(Status, Source, Clock, RunGuard),
            new ExportJobStep(Source),
            new ExtractStep(Source, new ObjectStager(Staging, StagingOptions, Clock), Status, Clock),
            CreateLoadStep(),
            new CompleteObjectStep(Status, Clock),
            new CleanupStep(Staging),
            new FinishRunStep(Status, Clock, RunGuard?.Lock),
            LoadEnds,
            Clock,
            keepStagedFiles,
            JobConcurrency);

    /// <summary>The load step the runner uses, answering no workflow (the runner's manifests carry no task token).</summary>
    public LoadStep CreateLoadStep() => new(Staging, Warehouse, Claims, callbacks: null, Clock, LoadOptions);
}
