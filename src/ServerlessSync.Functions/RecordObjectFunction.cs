using ServerlessSync.Functions.Events;
using ServerlessSync.Functions.Hosting;

namespace ServerlessSync.Functions;

/// <summary>
/// RecordObject: records one object's outcome in the run. With <c>load</c> (the load's report) the object SUCCEEDED and
/// its cursor moves to the window's end; with <c>error</c> (the <c>{"Error","Cause"}</c> its ExtractAndLoad state caught)
/// it FAILED with that error made readable (<see cref="StepErrorText"/>), the cursor unmoved and the staged files kept.
/// Output: <c>{"objectName","status","error"?}</c>.
/// </summary>
public sealed class RecordObjectFunction : LambdaFunction
{
    public const string Name = "RecordObject";

    public RecordObjectFunction()
        : base(null)
    {
    }

    internal RecordObjectFunction(FunctionHost host)
        : base(host ?? throw new ArgumentNullException(nameof(host)))
    {
    }

    public async Task<Stream> HandleAsync(Stream input) =>
        await Host.InvokeAsync(Name, input, Json.RecordObjectInput, Json.RecordObjectOutput, RecordAsync);

    private async Task<RecordObjectOutput> RecordAsync(RecordObjectInput request, FunctionLog log, CancellationToken cancellationToken)
    {
        if ((request.Load is null) == (request.Error is null))
        {
            throw new MalformedEventException($"{Name} needs exactly one of 'load' (the load's report) and 'error' (the error the workflow caught); it was given {(request.Load is null ? "neither" : "both")}");
        }

        var (run, plan) = Messages.ToPlan(request.Run, request.Object);
        log.About(run.ConnectorId, run.RunId, plan.ObjectName);
        var step = Host.CompleteObjectStep();
        if (request.Load is { } load)
        {
            var record = await step.RecordLoadedAsync(run, plan, Messages.ToReport(load), cancellationToken);
            log.Info($"succeeded: {record.RowsInserted} inserted, {record.RowsUpdated} updated, {record.RowsDeleted} deleted; cursor at {plan.Window.End:O}");
            if (record.Error is { } note)
            {
                log.Warn(note);
            }

            return new RecordObjectOutput(plan.ObjectName, ObjectOutcome.Succeeded);
        }

        var error = StepErrorText.Describe(request.Error!);
        var failed = await step.RecordFailedAsync(run, plan, error, cancellationToken);
        log.Warn($"failed (cursor unmoved, staged files kept): {error}");
        return new RecordObjectOutput(plan.ObjectName, ObjectOutcome.Failed) { Error = failed.Error };
    }
}
