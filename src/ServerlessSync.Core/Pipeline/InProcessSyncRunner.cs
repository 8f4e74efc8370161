using System.Runtime.ExceptionServices;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Core.Pipeline;

/// <summary>Something a run did, for a progress display.</summary>
public abstract record SyncEvent
{
    public sealed record RunStarted(RunPlan Plan) : SyncEvent;
    public sealed record ObjectStarted(string RunId, ObjectPlan Plan) : SyncEvent;
    public sealed record Extracting(ExtractProgress Progress) : SyncEvent;

    /// <summary>An object's rows are staged and its load starts.</summary>
    public sealed record Loading(string ObjectName, long Rows, long Bytes) : SyncEvent;
    public sealed record ObjectFinished(ObjectRunRecord Record) : SyncEvent;
    public sealed record RunFinished(RunRecord Run) : SyncEvent;
}

/// <summary>
/// How the in-process runner hears that a load the warehouse answered running has ended: in the cloud, the Data API's
/// completion event on EventBridge invokes the LoadCompleted function. Not needed for a warehouse that completes loads
/// on submission (DuckDB).
/// </summary>
public interface ILoadEndSignal
{
    /// <summary>Completes once the load statement <paramref name="statementId"/> has ended, whatever its outcome.</summary>
    Task WaitForEndAsync(string statementId, CancellationToken cancellationToken);
}

/// <summary>
/// Runs one sync in this process by playing the state machine's sequence with the same step calls the Lambda handlers
/// make: start → per object (extract → manifest created, which submits the load → load ended, when the warehouse
/// answered running → record the object → cleanup) → finish. Where the cloud passes a task token through the manifest
/// and waits on it, this runner reads each step's answer directly (its manifests carry no token). Objects run one after
/// another (the cloud's Map runs them at once); a failed object keeps its staged files and cursor, and the others still
/// run. <paramref name="keepStagedFiles"/> skips cleanup after committed loads too (for inspection and benchmarks).
/// Built by <see cref="InProcessPipeline"/>.
/// </summary>
public sealed class InProcessSyncRunner(
    StartRunStep start,
    ExtractStep extract,
    LoadStep load,
    CompleteObjectStep record,
    CleanupStep cleanup,
    FinishRunStep finish,
    ILoadEndSignal? loadEnds,
    bool keepStagedFiles = false)
{
    public async Task<RunRecord> RunAsync(SyncOptions options, IProgress<SyncEvent>? progress, CancellationToken cancellationToken)
    {
        var plan = await start.StartAsync(options, cancellationToken);
        progress?.Report(new SyncEvent.RunStarted(plan));
        var extractProgress = progress is null ? null : new ForwardingProgress<ExtractProgress>(p => progress.Report(new SyncEvent.Extracting(p)));
        ExceptionDispatchInfo? failure = null;
        try
        {
            foreach (var objectPlan in plan.Objects)
            {
                progress?.Report(new SyncEvent.ObjectStarted(plan.RunId, objectPlan));
                var objectRecord = await SyncObjectAsync(plan, objectPlan, progress, extractProgress, cancellationToken);
                progress?.Report(new SyncEvent.ObjectFinished(objectRecord));
            }
        }
        catch (Exception e)
        {
            failure = ExceptionDispatchInfo.Capture(e);
        }

        // Even when cancelled or failing, the run is closed: unfinished objects count as failed, cursors unmoved.
        RunRecord finished;
        try
        {
            finished = cancellationToken.IsCancellationRequested
                ? await finish.FailAsync(plan.ConnectorId, plan.RunId, InterruptedError, CancellationToken.None)
                : await finish.FinishAsync(plan, CancellationToken.None);
        }
        catch (Exception closing) when (failure is not null && closing is not OperationCanceledException)
        {
            // What stopped the run is what the caller needs to hear; that the run could not be closed comes second.
            throw new RunNotClosedException(plan.RunId, failure.SourceException, closing);
        }

        progress?.Report(new SyncEvent.RunFinished(finished));
        failure?.Throw();
        return finished;
    }

    /// <summary>The Map iteration for one object: ExtractAndLoad, then RecordLoaded and Cleanup, or RecordFailure.</summary>
    private async Task<ObjectRunRecord> SyncObjectAsync(RunPlan plan, ObjectPlan objectPlan, IProgress<SyncEvent>? events, IProgress<ExtractProgress>? progress, CancellationToken cancellationToken)
    {
        ExtractResult? extracted = null;
        LoadOutcomeOrError loaded;
        try
        {
            extracted = await extract.ExtractAsync(plan, objectPlan, taskToken: null, progress, cancellationToken);
            events?.Report(new SyncEvent.Loading(objectPlan.ObjectName, extracted.Manifest.Rows, extracted.Manifest.Bytes));
            loaded = await LoadAsync(extracted.ManifestKey, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var reason = extracted is null ? e.Message : $"{e.Message} (staged files kept under {StagingKeys.ObjectPrefix(plan.ConnectorId, plan.RunId, objectPlan.ObjectName)})";
            loaded = new LoadOutcomeOrError(null, reason);
        }

        if (loaded.Report is not { } report)
        {
            return await RecordFailedAsync(plan, objectPlan, loaded.Error!, cancellationToken);
        }

        ObjectRunRecord recorded;
        try
        {
            recorded = await record.RecordLoadedAsync(plan, objectPlan, report, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return await RecordFailedAsync(plan, objectPlan, e.Message, cancellationToken);
        }

        if (!keepStagedFiles)
        {
            await CleanupAsync(extracted!, cancellationToken);
        }

        return recorded;
    }

    /// <summary>
    /// RecordFailure; when even that cannot be written (a full disk), the object's own error still leads what the caller
    /// hears, with the recording's failure after it.
    /// </summary>
    private async Task<ObjectRunRecord> RecordFailedAsync(RunPlan plan, ObjectPlan objectPlan, string error, CancellationToken cancellationToken)
    {
        try
        {
            return await record.RecordFailedAsync(plan, objectPlan, error, cancellationToken);
        }
        catch (Exception recording) when (recording is not OperationCanceledException)
        {
            throw new IOException($"{objectPlan.ObjectName}: {error} (and that could not be recorded: {recording.Message})", recording);
        }
    }

    /// <summary>What the manifest's object-created event and, for a running load, the completion event do.</summary>
    private async Task<LoadOutcomeOrError> LoadAsync(string manifestKey, CancellationToken cancellationToken)
    {
        var started = await load.OnManifestCreatedAsync(manifestKey, cancellationToken);
        switch (started.Result)
        {
            case LoadStartResult.Loaded or LoadStartResult.AlreadyLoaded:
                return new LoadOutcomeOrError(started.Report, null);
            case LoadStartResult.Submitted:
                if (loadEnds is null)
                {
                    throw new InvalidOperationException($"the warehouse answered statement {started.StatementId} running for {manifestKey}, but this runner has no signal for a load's end");
                }

                await loadEnds.WaitForEndAsync(started.StatementId!, cancellationToken);
                var ended = await load.OnLoadEndedAsync(started.SubmissionName!, started.StatementId!, cancellationToken)
                    ?? throw new InvalidOperationException($"the load of {manifestKey} was submitted under a name the load step does not read: {started.SubmissionName}");
                return new LoadOutcomeOrError(ended.Report, ended.Error);
            default:
                // Failed (reported with its reason), HeldByAnother or NoLongerStaged: nothing committed for this run.
                return new LoadOutcomeOrError(null, started.Error ?? $"the load of {manifestKey} ended {started.Result}");
        }
    }

    /// <summary>The data is committed by now: a cleanup failure leaves files behind (the bucket's expiry rule
    /// removes them in the cloud) but does not fail the object.</summary>
    private async Task CleanupAsync(ExtractResult extracted, CancellationToken cancellationToken)
    {
        try
        {
            await cleanup.CleanupAsync(extracted.ManifestKey, extracted.Manifest, cancellationToken);
        }
        catch (IOException e)
        {
            CleanupFailures.Add($"{extracted.ManifestKey}: {e.Message}");
        }
    }

    /// <summary>The error of a run's unfinished objects when the run was stopped (Ctrl-C, SIGTERM, the caller's cancellation).</summary>
    public const string InterruptedError = "interrupted (stopped by the user or the system) before it was loaded; the next sync reads it again from its cursor";

    /// <summary>Staged files a cleanup could not delete in this runner's lifetime (the data was committed).</summary>
    public List<string> CleanupFailures { get; } = [];

    private sealed record LoadOutcomeOrError(LoadReport? Report, string? Error);

    private sealed class ForwardingProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

/// <summary>
/// A run stopped by <see cref="Exception.InnerException"/> could not be closed either (a full disk fails both): its message
/// leads with the first failure; the run stays RUNNING until the next run closes it as abandoned.
/// </summary>
public sealed class RunNotClosedException(string runId, Exception failure, Exception closing)
    : Exception($"{failure.Message} (run {runId} could not be closed either: {closing.Message}; the next sync closes it)", failure)
{
    /// <summary>Why closing the run failed.</summary>
    public Exception Closing { get; } = closing;
}
