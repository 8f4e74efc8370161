using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Core.Pipeline;

/// <summary>
/// Step 2: streams one object's window from the source into gzip CSV parts and writes the manifest last.
/// The manifest's arrival is what starts the load (S3's object-created event in the cloud; the in-process runner next).
/// </summary>
public sealed class ExtractStep(ISource source, ObjectStager stager, IStatusStore status, TimeProvider time)
{
    /// <summary>Reads the object's window from the source and stages it (the source's jobs, if any, run and are waited on inside the read).</summary>
    public Task<ExtractResult> ExtractAsync(RunPlan run, ObjectPlan plan, string? taskToken, IProgress<ExtractProgress>? progress, CancellationToken cancellationToken) =>
        ExtractAsync(run, plan, jobs: null, taskToken, progress, cancellationToken);

    /// <summary>
    /// Stages the object's window: with <paramref name="jobs"/> (completed, from <see cref="ExportJobStep"/>) the rows are
    /// read from their results; without, from the source's read of the window.
    /// </summary>
    public async Task<ExtractResult> ExtractAsync(RunPlan run, ObjectPlan plan, ExportJobs? jobs, string? taskToken, IProgress<ExtractProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(plan);
        var started = time.GetTimestamp();
        var schema = await source.DescribeAsync(plan.ObjectName, cancellationToken);
        var rows = jobs is null ? source.ReadAsync(schema, plan.Window, cancellationToken) : ExportJobStep.JobsOf(source).ReadCompletedAsync(schema, ExportJobStep.For(plan, jobs), cancellationToken);
        var manifest = await stager.StagePartsAsync(run.ConnectorId, run.RunId, schema, plan.Window, rows, taskToken, progress, cancellationToken);
        var result = new ExtractResult(
            StagingKeys.Manifest(run.ConnectorId, run.RunId, plan.ObjectName),
            manifest,
            (long)time.GetElapsedTime(started).TotalMilliseconds);
        await status.PutObjectRunAsync(run.ConnectorId, ObjectRuns.Extracted(run.RunId, plan, result), cancellationToken);

        // Last: the manifest's arrival starts the load.
        await stager.WriteManifestAsync(manifest, cancellationToken);
        return result;
    }
}
