using System.Runtime.ExceptionServices;
using System.Threading.Channels;
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
/// and waits on it, this runner reads each step's answer directly (its manifests carry no token).
/// <para>Objects overlap as the cloud's Map runs them at once, within bounds: a source whose reads run as export jobs
/// (<see cref="IExportJobSource"/>, Zuora) has every selected object's jobs submitted at the start, up to
/// <paramref name="jobConcurrency"/> objects' jobs at a time, and each object is staged as its jobs complete; while one
/// object loads the next one extracts, with at most one staged object waiting for the load (memory in flight stays at
/// one row per stage plus buffers; the staged files of two objects at most are on disk). Extraction and loads each run
/// one at a time, in the order objects become ready. A failed object keeps its staged files and cursor, and the others
/// still run. <paramref name="keepStagedFiles"/> skips cleanup after committed loads too (for inspection and
/// benchmarks).</para>
/// Built by <see cref="InProcessPipeline"/>.
/// </summary>
public sealed class InProcessSyncRunner(
    StartRunStep start,
    ExportJobStep jobs,
    ExtractStep extract,
    LoadStep load,
    CompleteObjectStep record,
    CleanupStep cleanup,
    FinishRunStep finish,
    ILoadEndSignal? loadEnds,
    TimeProvider clock,
    bool keepStagedFiles = false,
    int jobConcurrency = InProcessSyncRunner.DefaultJobConcurrency)
{
    /// <summary>
    /// Objects whose export jobs may run at once: Zuora runs at most 50 stateless AQuA jobs per tenant, and an object has
    /// up to two jobs (its export and, incremental, its deleted records).
    /// </summary>
    public const int DefaultJobConcurrency = 20;

    public async Task<RunRecord> RunAsync(SyncOptions options, IProgress<SyncEvent>? progress, CancellationToken cancellationToken)
    {
        var plan = await start.StartAsync(options, cancellationToken);
        // The stages report from their own tasks: one report at a time reaches the caller.
        progress = progress is null ? null : new SerializedProgress<SyncEvent>(progress);
        progress?.Report(new SyncEvent.RunStarted(plan));
        var extractProgress = progress is null ? null : new SerializedProgress<ExtractProgress>(new ForwardingProgress<ExtractProgress>(p => progress.Report(new SyncEvent.Extracting(p))));
        ExceptionDispatchInfo? failure = null;
        try
        {
            await SyncObjectsAsync(plan, progress, extractProgress, cancellationToken);
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

    /// <summary>
    /// The three stages over channels: objects become ready (their jobs completed, or at once for a source without jobs),
    /// are extracted one at a time, and loaded one at a time. The first stage to fail stops the others.
    /// </summary>
    private async Task SyncObjectsAsync(RunPlan plan, IProgress<SyncEvent>? events, IProgress<ExtractProgress>? progress, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var ready = Channel.CreateUnbounded<ReadyObject>(new UnboundedChannelOptions { SingleReader = true });
        var staged = Channel.CreateBounded<StagedObject>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        Task[] stages =
        [
            Stage(() => PrepareAllAsync(plan, ready.Writer, stop.Token), ready.Writer),
            Stage(() => ExtractAllAsync(plan, ready.Reader, staged.Writer, events, progress, stop.Token), staged.Writer),
            Stage<StagedObject>(() => LoadAllAsync(plan, staged.Reader, events, stop.Token), null),
        ];
        try
        {
            await Task.WhenAll(stages);
        }
        catch
        {
            // The first failure is the one to report; the others are the stop it caused.
            var first = stages.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException);
            if (first is not null && !cancellationToken.IsCancellationRequested)
            {
                ExceptionDispatchInfo.Throw(first);
            }

            throw;
        }

        async Task Stage<T>(Func<Task> run, ChannelWriter<T>? output)
        {
            try
            {
                await run();
                output?.TryComplete();
            }
            catch (Exception e)
            {
                output?.TryComplete(e);
                await stop.CancelAsync();
                throw;
            }
        }
    }

    /// <summary>
    /// Makes each object ready: a source without jobs (or with a concurrency of one), at once and in plan order, for the
    /// source's own read; a job source, by submitting each object's jobs (up to <c>jobConcurrency</c> objects at a time)
    /// and checking them until they complete.
    /// </summary>
    private async Task PrepareAllAsync(RunPlan plan, ChannelWriter<ReadyObject> ready, CancellationToken cancellationToken)
    {
        if (!jobs.UsesJobs || jobConcurrency <= 1)
        {
            foreach (var objectPlan in plan.Objects)
            {
                await ready.WriteAsync(new ReadyObject(objectPlan, null, null), cancellationToken);
            }

            return;
        }

        using var slots = new SemaphoreSlim(jobConcurrency, jobConcurrency);
        await Task.WhenAll(plan.Objects.Select(async objectPlan =>
        {
            await slots.WaitAsync(cancellationToken);
            try
            {
                await ready.WriteAsync(await AwaitJobsAsync(objectPlan, cancellationToken), cancellationToken);
            }
            finally
            {
                slots.Release();
            }
        }));
    }

    /// <summary>Submits the object's jobs and checks them, waiting as each answer says, until they completed or failed.</summary>
    private async Task<ReadyObject> AwaitJobsAsync(ObjectPlan objectPlan, CancellationToken cancellationToken)
    {
        ExportJobs? submitted = null;
        try
        {
            submitted = await jobs.SubmitAsync(objectPlan, cancellationToken);
            var current = submitted!;
            while (!current.Completed)
            {
                await Task.Delay(current.NextCheckAfter, clock, cancellationToken);
                current = await jobs.CheckAsync(objectPlan, current, cancellationToken);
                submitted = current;
            }

            return new ReadyObject(objectPlan, current, null);
        }
        catch (ExportJobTimeoutException)
        {
            // The source's own read splits a window whose jobs run too long (the jobs were cancelled already).
            return new ReadyObject(objectPlan, null, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (submitted is not null)
            {
                await jobs.CancelAsync(submitted, CancellationToken.None);
            }

            throw;
        }
        catch (Exception e)
        {
            // The source cancelled the object's other jobs; the object fails, the others go on.
            return new ReadyObject(objectPlan, null, e.Message);
        }
    }

    /// <summary>Extracts each object as it becomes ready, one at a time, and hands it to the load.</summary>
    private async Task ExtractAllAsync(RunPlan plan, ChannelReader<ReadyObject> ready, ChannelWriter<StagedObject> staged, IProgress<SyncEvent>? events, IProgress<ExtractProgress>? progress, CancellationToken cancellationToken)
    {
        await foreach (var (objectPlan, completedJobs, error) in ready.ReadAllAsync(cancellationToken))
        {
            events?.Report(new SyncEvent.ObjectStarted(plan.RunId, objectPlan));
            if (error is not null)
            {
                await staged.WriteAsync(new StagedObject(objectPlan, null, error), cancellationToken);
                continue;
            }

            StagedObject result;
            try
            {
                result = new StagedObject(objectPlan, await extract.ExtractAsync(plan, objectPlan, completedJobs, taskToken: null, progress, cancellationToken), null);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                result = new StagedObject(objectPlan, null, e.Message);
            }

            await staged.WriteAsync(result, cancellationToken);
        }
    }

    /// <summary>Loads, records and cleans up each staged object, one at a time.</summary>
    private async Task LoadAllAsync(RunPlan plan, ChannelReader<StagedObject> staged, IProgress<SyncEvent>? events, CancellationToken cancellationToken)
    {
        await foreach (var stagedObject in staged.ReadAllAsync(cancellationToken))
        {
            var objectRecord = await SyncObjectAsync(plan, stagedObject, events, cancellationToken);
            events?.Report(new SyncEvent.ObjectFinished(objectRecord));
        }
    }

    /// <summary>The Map iteration for one object, after ExtractAndLoad's extraction: the load, then RecordLoaded and Cleanup, or RecordFailure.</summary>
    private async Task<ObjectRunRecord> SyncObjectAsync(RunPlan plan, StagedObject stagedObject, IProgress<SyncEvent>? events, CancellationToken cancellationToken)
    {
        var (objectPlan, extracted, extractError) = stagedObject;
        LoadOutcomeOrError loaded;
        if (extracted is null)
        {
            loaded = new LoadOutcomeOrError(null, extractError);
        }
        else
        {
            try
            {
                events?.Report(new SyncEvent.Loading(objectPlan.ObjectName, extracted.Manifest.Rows, extracted.Manifest.Bytes));
                loaded = await LoadAsync(extracted.ManifestKey, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                loaded = new LoadOutcomeOrError(null, $"{e.Message} (staged files kept under {StagingKeys.ObjectPrefix(plan.ConnectorId, plan.RunId, objectPlan.ObjectName)})");
            }
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

    /// <summary>An object whose rows can be read: from its completed jobs, from the source's read (no jobs), or failed already.</summary>
    private sealed record ReadyObject(ObjectPlan Plan, ExportJobs? Jobs, string? Error);

    /// <summary>An object staged (its manifest written), or failed before its load.</summary>
    private sealed record StagedObject(ObjectPlan Plan, ExtractResult? Extracted, string? Error);

    /// <summary>Passes one report at a time to <paramref name="inner"/>, whichever task reports.</summary>
    private sealed class SerializedProgress<T>(IProgress<T> inner) : IProgress<T>
    {
        private readonly Lock _gate = new();

        public void Report(T value)
        {
            lock (_gate)
            {
                inner.Report(value);
            }
        }
    }

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
