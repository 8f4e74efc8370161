using ServerlessSync.Core.Ports;

namespace ServerlessSync.Core.Pipeline;

/// <summary>
/// Step 2, for a source whose reads run as jobs (<see cref="IExportJobSource"/>), split so that nothing waits inside a
/// call: submit the object's jobs, check them (once per call; the caller waits <see cref="ExportJobs.NextCheckAfter"/>
/// between calls), then <see cref="ExtractStep"/> stages their result. For any other source submit answers null and
/// the object is extracted in one call, as before.
/// </summary>
public sealed class ExportJobStep(ISource source, IStatusStore? status = null, TimeProvider? time = null)
{
    /// <summary>
    /// Submits the jobs of the object (or one <paramref name="slice"/> of it) and records in the run that it waits for
    /// them (when the step has a status store); null when the source reads without jobs.
    /// </summary>
    public async Task<ExportJobs?> SubmitAsync(RunPlan run, ObjectPlan plan, ExportSlice? slice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var jobs = await SubmitAsync(plan, slice, cancellationToken);
        if (jobs is not null && status is not null)
        {
            // A slice adds its ids to its object's record (its other slices run at once), so that the status lists them
            // and a run failing around them cancels them (CancelRecordedAsync); staging the slice takes them away.
            await (slice is null
                ? status.PutObjectRunAsync(run.ConnectorId, ObjectRuns.Waiting(run.RunId, plan, jobs.SubmittedAt, jobs, 0, 0), cancellationToken)
                : status.PutSliceJobsAsync(run.ConnectorId, run.RunId, plan.ObjectName, ObjectRuns.JobsText(jobs), running: true, slicesDone: null, cancellationToken));
        }

        return jobs;
    }

    /// <summary>
    /// Cancels the jobs recorded (<see cref="Model.ObjectRunRecord.Jobs"/>) for the objects of <paramref name="run"/> still
    /// running: the workflow ended around them, so no check will ever see those jobs again. A job the source has already
    /// ended is no error. Answers how many objects had jobs to cancel.
    /// </summary>
    public async Task<int> CancelRecordedAsync(Model.RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var cancelled = 0;
        foreach (var o in run.Objects.Where(o => o.Status == Model.RunStatus.Running && !string.IsNullOrEmpty(o.Jobs)))
        {
            List<ExportJob> jobs = [.. o.Jobs!.Split(", ").Select(text => text.Split(' ', 2)).Where(p => p.Length == 2).Select(p => new ExportJob(p[0], p[1], false, [], null))];
            var since = o.JobsSubmittedAt ?? run.StartedAt;
            await JobsOf(source).CancelAsync(new ExportJobs(o.ObjectName, new Model.SyncWindow(o.WindowStart, o.WindowEnd), [], jobs, since, since, 0, TimeSpan.Zero), cancellationToken);
            cancelled++;
        }

        return cancelled;
    }

    /// <summary>
    /// The slices of the object's historical read (none for an incremental window, or when one slice is enough): sized
    /// from the source's count of the window's records when <see cref="SliceSizing.RowsPerSlice"/> is above 0, else, or
    /// when the source cannot count (its error goes into the reason), <see cref="SliceSizing.FixedCount"/> of them.
    /// </summary>
    public async Task<SlicePlan> PlanSlicesAsync(ObjectPlan plan, SliceSizing sizing, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(sizing);
        var fixedSlices = $"{sizing.FixedCount} slice(s) as HISTORICAL_SLICES says";
        if (plan.Window.Mode != Model.SyncMode.Historical || sizing.RowsPerSlice <= 0)
        {
            return new SlicePlan(ExportSlices.Plan(plan.Window, sizing.FixedCount, sizing.From), fixedSlices);
        }

        long rows;
        try
        {
            rows = await JobsOf(source).CountAsync(plan.ObjectName, plan.Window, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The count only sizes the slices: an object the source cannot count is still read, in the fixed slices.
            return new SlicePlan(ExportSlices.Plan(plan.Window, sizing.FixedCount, sizing.From), $"the record count is unavailable ({e.Message}); {fixedSlices}");
        }

        var count = ExportSlices.CountFor(rows, sizing.RowsPerSlice);
        var capped = rows > sizing.RowsPerSlice * (long)ExportSlices.MaxSlices ? $", capped at {ExportSlices.MaxSlices}: about {rows / count:N0} records each" : "";
        return new SlicePlan(ExportSlices.Plan(plan.Window, count, sizing.From), $"{rows:N0} records in the historical window: {count} slice(s) of at most {sizing.RowsPerSlice:N0} (HISTORICAL_SLICE_ROWS){capped}");
    }

    /// <summary>Records that the object's historical read runs as <paramref name="slices"/>, none staged yet.</summary>
    public async Task RecordSlicedAsync(RunPlan run, ObjectPlan plan, IReadOnlyList<ExportSlice> slices, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(slices);
        if (status is not null && time is not null)
        {
            await status.PutObjectRunAsync(run.ConnectorId, ObjectRuns.Waiting(run.RunId, plan, time.GetUtcNow(), null, 0, slices.Count), cancellationToken);
        }
    }

    /// <summary>Submits the object's jobs; null when the source reads without jobs (extract it in one call instead).</summary>
    public Task<ExportJobs?> SubmitAsync(ObjectPlan plan, CancellationToken cancellationToken) =>
        SubmitAsync(plan, null, cancellationToken);

    /// <summary>Submits the jobs of one <paramref name="slice"/> of the object's window (all of it when null); null when the source reads without jobs.</summary>
    public async Task<ExportJobs?> SubmitAsync(ObjectPlan plan, ExportSlice? slice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (source is not IExportJobSource jobSource)
        {
            return null;
        }

        var schema = await source.DescribeAsync(plan.ObjectName, cancellationToken);
        return slice is null
            ? await jobSource.SubmitAsync(schema, plan.Window, cancellationToken)
            : await jobSource.SubmitSliceAsync(schema, plan.Window, slice.Window, cancellationToken);
    }

    /// <summary>Checks the object's jobs once: the answer says whether they completed and how long to wait before asking again.</summary>
    public Task<ExportJobs> CheckAsync(ObjectPlan plan, ExportJobs jobs, CancellationToken cancellationToken) =>
        JobsOf(source).CheckAsync(For(plan, jobs), cancellationToken);

    /// <summary>Whether the source reads through export jobs (otherwise <see cref="SubmitAsync(ObjectPlan, CancellationToken)"/> answers null).</summary>
    public bool UsesJobs => source is IExportJobSource;

    /// <summary>Cancels the object's jobs not yet ended (a run stopped while they ran).</summary>
    public Task CancelAsync(ExportJobs jobs, CancellationToken cancellationToken) => JobsOf(source).CancelAsync(jobs, cancellationToken);

    /// <summary>The source as a job source; throws when it reads without jobs.</summary>
    internal static IExportJobSource JobsOf(ISource source) => source as IExportJobSource
        ?? throw new InvalidOperationException($"source '{source.Name}' reads without export jobs; extract its objects without a job");

    /// <summary><paramref name="jobs"/> when they are <paramref name="plan"/>'s object's; throws otherwise.</summary>
    internal static ExportJobs For(ObjectPlan plan, ExportJobs jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        return jobs.ObjectName == plan.ObjectName
            ? jobs
            : throw new InvalidOperationException($"the export jobs given for {plan.ObjectName} are {jobs.ObjectName}'s; pass each object its own jobs");
    }
}
