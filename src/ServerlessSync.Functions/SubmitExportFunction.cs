using ServerlessSync.Core.Model;
using ServerlessSync.Functions.Events;
using ServerlessSync.Functions.Hosting;

namespace ServerlessSync.Functions;

/// <summary>
/// SubmitExport: <c>{"run","object"}</c> → <c>{"submitted","completed","waitSeconds","job"?}</c>. Submits the object's
/// export jobs in the source (Zuora: the AQuA export, and the Data Query for deletes) and returns at once; the state
/// machine waits <c>waitSeconds</c> and asks CheckExport. A source that reads without jobs answers <c>submitted: false</c>,
/// and the object is extracted in one Extract call. A historical read to be sliced (sized from the object's record count,
/// HISTORICAL_SLICE_ROWS, or HISTORICAL_SLICES) submits nothing and answers the slices; each slice's iteration calls it again with its <c>slice</c>.
/// </summary>
public sealed class SubmitExportFunction : LambdaFunction
{
    public const string Name = "SubmitExport";

    public SubmitExportFunction()
        : base(null)
    {
    }

    internal SubmitExportFunction(FunctionHost host)
        : base(host ?? throw new ArgumentNullException(nameof(host)))
    {
    }

    public async Task<Stream> HandleAsync(Stream input) =>
        await Host.InvokeAsync(Name, input, Json.SubmitExportInput, Json.ExportOutput, SubmitAsync);

    private async Task<ExportOutput> SubmitAsync(SubmitExportInput request, FunctionLog log, CancellationToken cancellationToken)
    {
        var (run, plan) = Messages.ToPlan(request.Run, request.Object);
        log.About(run.ConnectorId, run.RunId, plan.ObjectName);
        if (await Host.ExportJobStepAsync(cancellationToken) is not { } step)
        {
            return Messages.ToOutput(null);
        }

        var slice = request.Slice is { } s ? Messages.ToSlice(s) : null;
        if (slice is null && plan.Window.Mode == SyncMode.Historical)
        {
            var (slices, reason) = await step.PlanSlicesAsync(plan, Host.Settings.SliceSizing, cancellationToken);
            if (slices.Count > 0)
            {
                log.Info($"historical read in {slices.Count} slices of UpdatedDate from {Host.Settings.HistoricalSliceFrom:yyyy-MM-dd} ({reason})");
                await step.RecordSlicedAsync(run, plan, slices, cancellationToken);
                return Messages.ToSlicedOutput(slices);
            }

            log.Info($"historical read whole ({reason})");
        }

        var jobs = await step.SubmitAsync(run, plan, slice, cancellationToken);
        var sliceText = slice is null ? "" : $", slice {slice.Index + 1} of {slice.Count}";
        log.Info(jobs is null
            ? "the source reads without jobs"
            : $"submitted job(s) {string.Join(", ", jobs.Jobs.Select(j => $"{j.Kind} {j.JobId}"))} ({plan.Window.Mode}{sliceText}); deadline {jobs.Deadline:O}");
        return Messages.ToOutput(jobs);
    }
}
