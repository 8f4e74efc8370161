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

    /// <summary>
    /// Stages one slice of a sliced historical read from its completed <paramref name="jobs"/>: its parts under the
    /// slice's folder, then its list of parts (<see cref="StagingKeys.Slice"/>). No load starts; the key returned is the
    /// slice's list. Staging a slice again writes the same keys.
    /// </summary>
    public async Task<ExtractResult> StageSliceAsync(RunPlan run, ObjectPlan plan, ExportSlice slice, ExportJobs jobs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(slice);
        var started = time.GetTimestamp();
        var schema = await source.DescribeAsync(plan.ObjectName, cancellationToken);
        var rows = ExportJobStep.JobsOf(source).ReadCompletedAsync(schema, ExportJobStep.For(plan, jobs), cancellationToken);
        var staged = await stager.StagePartsAsync(run.ConnectorId, run.RunId, schema, plan.Window, rows, null, null, slice.Index, cancellationToken);
        await stager.WriteSliceAsync(staged, slice.Index, cancellationToken);
        var done = await stager.CountSlicesAsync(run.ConnectorId, run.RunId, plan.ObjectName, cancellationToken);
        await status.PutSliceJobsAsync(run.ConnectorId, run.RunId, plan.ObjectName, ObjectRuns.JobsText(jobs), running: false, done, cancellationToken);
        return new ExtractResult(StagingKeys.Slice(run.ConnectorId, run.RunId, plan.ObjectName, slice.Index), staged, (long)time.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>
    /// Writes the one manifest of a sliced object once all <paramref name="sliceCount"/> slices are staged: every
    /// slice's parts, in slice order, under the object's window, so the object loads in one transaction (a historical
    /// snapshot, as if read whole). Throws when a slice's columns differ from the first's (Zuora's fields changed
    /// during the read). Writing it again writes the same parts; the load claims make a second load a replay.
    /// </summary>
    public async Task<ExtractResult> WriteSlicedManifestAsync(RunPlan run, ObjectPlan plan, int sliceCount, string? taskToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentOutOfRangeException.ThrowIfLessThan(sliceCount, 1);
        var slices = new List<StagedManifest>(sliceCount);
        for (var i = 0; i < sliceCount; i++)
        {
            var slice = await stager.ReadSliceAsync(run.ConnectorId, run.RunId, plan.ObjectName, i, cancellationToken);
            if (!slice.Columns.SequenceEqual(slices.FirstOrDefault()?.Columns ?? slice.Columns))
            {
                throw new SourceDataException(
                    $"object '{plan.ObjectName}': slice {i + 1} of {sliceCount} was exported with other columns than slice 1 (the source's fields changed during the historical read); nothing was loaded: run the sync again");
            }

            slices.Add(slice);
        }

        var first = slices[0];
        var manifest = first with
        {
            WindowStart = plan.Window.Start,
            WindowEnd = plan.Window.End,
            Parts = [.. slices.SelectMany(s => s.Parts)],
            Rows = slices.Sum(s => s.Rows),
            Bytes = slices.Sum(s => s.Bytes),
            CreatedAt = time.GetUtcNow(),
            TaskToken = taskToken,
        };
        var result = new ExtractResult(StagingKeys.Manifest(run.ConnectorId, run.RunId, plan.ObjectName), manifest, 0);
        await status.PutObjectRunAsync(run.ConnectorId, ObjectRuns.Extracted(run.RunId, plan, result) with { SlicesDone = sliceCount, SlicesTotal = sliceCount }, cancellationToken);
        await stager.WriteManifestAsync(manifest, cancellationToken);
        return result;
    }
}
