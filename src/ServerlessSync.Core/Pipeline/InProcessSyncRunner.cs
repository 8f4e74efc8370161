using ServerlessSync.Core.Model;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Core.Pipeline;

/// <summary>Something a run did, for a progress display.</summary>
public abstract record SyncEvent
{
    public sealed record RunStarted(RunPlan Plan) : SyncEvent;
    public sealed record ObjectStarted(string RunId, ObjectPlan Plan) : SyncEvent;
    public sealed record Extracting(ExtractProgress Progress) : SyncEvent;
    public sealed record ObjectFinished(ObjectRunRecord Record) : SyncEvent;
    public sealed record RunFinished(RunRecord Run) : SyncEvent;
}

/// <summary>
/// Runs the steps of one sync in this process, in the order the state machine runs them in the cloud:
/// start → per object (extract → the manifest's notification loads it → record, cursor → cleanup) → finish.
/// It waits on each object's task token exactly as <c>.waitForTaskToken</c> does. Objects run one after
/// another; a failed object keeps its staged files and cursor, and the others still run.
/// <paramref name="keepStagedFiles"/> skips cleanup after committed loads too (for inspection and benchmarks).
/// </summary>
public sealed class InProcessSyncRunner(
    StartRunStep start,
    ExtractStep extract,
    CompleteObjectStep complete,
    CleanupStep cleanup,
    FinishRunStep finish,
    InProcessTaskCallbacks callbacks,
    bool keepStagedFiles = false)
{
    public async Task<RunRecord> RunAsync(SyncOptions options, IProgress<SyncEvent>? progress, CancellationToken cancellationToken)
    {
        var plan = await start.StartAsync(options, cancellationToken);
        progress?.Report(new SyncEvent.RunStarted(plan));
        var extractProgress = progress is null ? null : new ForwardingProgress<ExtractProgress>(p => progress.Report(new SyncEvent.Extracting(p)));
        RunRecord finished;
        try
        {
            foreach (var objectPlan in plan.Objects)
            {
                progress?.Report(new SyncEvent.ObjectStarted(plan.RunId, objectPlan));
                var record = await SyncObjectAsync(plan, objectPlan, extractProgress, cancellationToken);
                progress?.Report(new SyncEvent.ObjectFinished(record));
            }
        }
        finally
        {
            // Even when cancelled, the run is closed: unfinished objects count as failed, cursors unmoved.
            finished = await finish.FinishAsync(plan, CancellationToken.None);
            progress?.Report(new SyncEvent.RunFinished(finished));
        }

        return finished;
    }

    private async Task<ObjectRunRecord> SyncObjectAsync(RunPlan plan, ObjectPlan objectPlan, IProgress<ExtractProgress>? progress, CancellationToken cancellationToken)
    {
        var token = $"{plan.ConnectorId}/{plan.RunId}/{objectPlan.ObjectName}";
        var loaded = callbacks.Expect(token);
        ExtractResult? extracted = null;
        try
        {
            extracted = await extract.ExtractAsync(plan, objectPlan, token, progress, cancellationToken);
            if (!loaded.IsCompleted)
            {
                return await complete.FailedAsync(plan, objectPlan, extracted, $"the staging store raised no notification for {extracted.ManifestKey}; its files are kept", cancellationToken);
            }

            var report = await loaded;
            var record = await complete.SucceededAsync(plan, objectPlan, extracted, report, cancellationToken);
            if (!keepStagedFiles)
            {
                await CleanupAsync(extracted, cancellationToken);
            }

            return record;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var reason = extracted is null ? e.Message : $"{e.Message} (staged files kept under {StagingKeys.ObjectPrefix(plan.ConnectorId, plan.RunId, objectPlan.ObjectName)})";
            return await complete.FailedAsync(plan, objectPlan, extracted, reason, cancellationToken);
        }
        finally
        {
            callbacks.Forget(token);
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

    /// <summary>Staged files a cleanup could not delete in this runner's lifetime (the data was committed).</summary>
    public List<string> CleanupFailures { get; } = [];

    private sealed class ForwardingProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
