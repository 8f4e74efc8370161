using ServerlessSync.Core.Pipeline;
using ServerlessSync.Functions.Events;
using ServerlessSync.Functions.Hosting;

namespace ServerlessSync.Functions;

/// <summary>
/// Extract: <c>{"run","object","taskToken","job"?}</c> → <c>{"manifestKey","rows","files","bytes"}</c>. Stages the object's window as
/// gzip CSV parts and, last, its manifest carrying the task token; the manifest's S3 event starts the load. With
/// <c>job</c> (Zuora's completed export jobs, which the state machine waited for) it only downloads and stages their result. A read still
/// going after <see cref="FunctionSettings.ExtractTimeLimit"/> is stopped (the Zuora source cancels its export jobs)
/// and fails with <see cref="ExtractTimeLimitException"/>, before Lambda would kill the function without a word.
/// </summary>
public sealed class ExtractFunction : LambdaFunction
{
    public const string Name = "Extract";

    public ExtractFunction()
        : base(null)
    {
    }

    internal ExtractFunction(FunctionHost host)
        : base(host ?? throw new ArgumentNullException(nameof(host)))
    {
    }

    public async Task<Stream> HandleAsync(Stream input) =>
        await Host.InvokeAsync(Name, input, Json.ExtractInput, Json.ExtractOutput, ExtractAsync);

    private async Task<ExtractOutput> ExtractAsync(ExtractInput request, FunctionLog log, CancellationToken cancellationToken)
    {
        var (run, plan) = Messages.ToPlan(request.Run, request.Object);
        if (request.Slices is { } slices)
        {
            return await WriteSlicedManifestAsync(request, run, plan, slices, log, cancellationToken);
        }

        if (request.Slice is null && request.TaskToken is null)
        {
            throw new MalformedEventException($"{Name} of {plan.ObjectName} was given no taskToken: the manifest carries it to the load (only StageSlice, with a slice, passes none)");
        }
        log.About(run.ConnectorId, run.RunId, plan.ObjectName).Info($"extracting ({plan.Window.Mode}, window end {plan.Window.End:O})");
        // Lambda's own wall clock, not the pipeline's: the limit is the function's time, whatever the data's clock says.
        using var timeLimit = new CancellationTokenSource(Host.Settings.ExtractTimeLimit);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeLimit.Token);
        ExtractResult result;
        try
        {
            var step = await Host.ExtractStepAsync(stop.Token);
            var jobs = request.Job is { } job ? Messages.ToJobs(job) : null;
            result = request.Slice is { } slice
                ? await step.StageSliceAsync(run, plan, Messages.ToSlice(slice), jobs ?? throw new MalformedEventException($"{Name} of {plan.ObjectName} slice {slice.Index + 1} was given no job: a slice is staged from its completed jobs"), stop.Token)
                : await step.ExtractAsync(run, plan, jobs, request.TaskToken, null, stop.Token);
        }
        catch (OperationCanceledException e) when (timeLimit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var what = request.Job is null
                ? "the source's jobs were cancelled and nothing was loaded"
                : "its completed Zuora result is too large to download and stage in one invocation (Zuora's file endpoint offers no ranged download); nothing was loaded: lower HistoricalSliceRows (or, with it 0, raise HistoricalSlices) so that each slice's result is smaller, or give Extract more memory, or ask Zuora Global Support about large file optimization";
            throw new ExtractTimeLimitException(
                $"extracting {plan.ObjectName} ({plan.Window.Mode}, window end {plan.Window.End:O}) did not finish within {Host.Settings.ExtractTimeLimit.TotalSeconds:0} s, " +
                $"the Extract function's limit inside its 15 minutes; {what}. The staged parts so far are kept until the bucket's expiry rule removes them", e);
        }

        log.Info($"staged {result.Rows} rows in {result.Files} parts ({result.Bytes} bytes); {(request.Slice is null ? "manifest" : "slice")} {result.ManifestKey}");
        return new ExtractOutput(result.ManifestKey, result.Rows, result.Files, result.Bytes);
    }

    /// <summary>
    /// LoadSlices: every slice staged, the object's one manifest (all their parts) is written and its load starts; a
    /// failed slice fails the object with that slice's error (Zuora's code and message), and nothing is loaded.
    /// </summary>
    private async Task<ExtractOutput> WriteSlicedManifestAsync(ExtractInput request, Core.Pipeline.RunPlan run, Core.Pipeline.ObjectPlan plan, IReadOnlyList<SliceOutcomeMessage> slices, FunctionLog log, CancellationToken cancellationToken)
    {
        if (slices.FirstOrDefault(s => s.Failed) is { } failed)
        {
            var error = failed.Error is { } e ? $"{e.Error}: {e.Cause}" : "no error was passed on";
            throw new SliceFailedException(
                $"{plan.ObjectName}: slice {failed.Index + 1} of {slices.Count} failed ({error}); nothing of {plan.ObjectName} was loaded and its cursor did not move. The next run reads it again");
        }

        var token = request.TaskToken ?? throw new MalformedEventException($"{Name} of {plan.ObjectName}'s slices was given no taskToken: the manifest carries it to the load");
        var step = await Host.ExtractStepAsync(cancellationToken);
        var result = await step.WriteSlicedManifestAsync(run, plan, slices.Count, token, cancellationToken);
        log.Info($"{slices.Count} slices staged {result.Rows} rows in {result.Files} parts ({result.Bytes} bytes); manifest {result.ManifestKey}");
        return new ExtractOutput(result.ManifestKey, result.Rows, result.Files, result.Bytes);
    }
}

/// <summary>A slice of a sliced historical read failed: its object fails with the slice's error.</summary>
public sealed class SliceFailedException(string message) : Exception(message);

/// <summary>An Extract read its object for longer than <see cref="FunctionSettings.ExtractTimeLimit"/> and was stopped.</summary>
public sealed class ExtractTimeLimitException(string message, Exception inner) : Exception(message, inner);
