using ServerlessSync.Core.Model;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Functions.Events;
using ServerlessSync.Functions.Hosting;

namespace ServerlessSync.Functions;

/// <summary>
/// FinishRun: <c>{"connectorId","runId"}</c> closes the run from its objects' records (SUCCEEDED, or FAILED naming the
/// failed objects) and sets the connector's status; with <c>error</c> (the workflow failed around the objects) every
/// unfinished object fails with it first; with <c>checksFailed</c> (the destination checks failed before the first
/// historical sync) the objects fail with it and the connector stays IN_PROGRESS, showing it as its last error; with
/// <c>stopped</c> (the template's <c>RunStoppedRule</c>: the execution was ABORTED or TIMED_OUT) a run still RUNNING fails
/// as with <c>error</c>, and a run already closed is left as it is. Either way the connector's run lock is released. Output:
/// <c>{"connectorId","runId","status","error"?}</c>.
/// </summary>
public sealed class FinishRunFunction : LambdaFunction
{
    public const string Name = "FinishRun";

    public FinishRunFunction()
        : base(null)
    {
    }

    internal FinishRunFunction(FunctionHost host)
        : base(host ?? throw new ArgumentNullException(nameof(host)))
    {
    }

    public async Task<Stream> HandleAsync(Stream input) =>
        await Host.InvokeAsync(Name, input, Json.FinishRunInput, Json.FinishRunOutput, FinishAsync);

    private async Task<FinishRunOutput> FinishAsync(FinishRunInput request, FunctionLog log, CancellationToken cancellationToken)
    {
        log.About(request.ConnectorId, request.RunId);
        var step = Host.FinishRunStep();
        RunRecord finished;
        if (request.ChecksFailed is { } check)
        {
            log.Warn($"the destination checks failed before the first historical sync: {check}");
            finished = await step.BlockAsync(request.ConnectorId, request.RunId, $"destination {check}", cancellationToken);
        }
        else if (request.Stopped is { } stopped)
        {
            var run = await Host.Status.GetRunAsync(request.ConnectorId, request.RunId, cancellationToken);
            if (run is not { Status: RunStatus.Running })
            {
                // Delivered again, or the run was closed (or taken over by a later run) before the event arrived.
                log.Info(run is null ? "the stopped execution's run was never recorded: nothing to close" : $"the run is already {WireText.Of(run.Status)}: left as it is");
                return new FinishRunOutput(request.ConnectorId, request.RunId, run?.Status == RunStatus.Succeeded ? RunOutcome.Succeeded : RunOutcome.Failed) { Error = run?.Error };
            }

            finished = await FailAroundAsync(step, request, run, stopped.Describe(), log, cancellationToken);
        }
        else if (request.Error is { } error)
        {
            finished = await FailAroundAsync(step, request, null, StepErrorText.Describe(error), log, cancellationToken);
        }
        else
        {
            var run = await Host.Status.GetRunAsync(request.ConnectorId, request.RunId, cancellationToken)
                ?? throw new InvalidOperationException($"run {request.RunId} of connector {request.ConnectorId} is not in the status store");
            finished = await step.FinishAsync(FinishRunStep.PlanOf(run), cancellationToken);
        }

        log.Info($"run {WireText.Of(finished.Status)}{(finished.Error is null ? "" : $": {finished.Error}")}");
        return new FinishRunOutput(request.ConnectorId, request.RunId, finished.Status == RunStatus.Succeeded ? RunOutcome.Succeeded : RunOutcome.Failed)
        {
            Error = finished.Error,
        };
    }

    // The workflow ended around the objects: their recorded source jobs are cancelled, then the run fails with message.
    // run: the run as already read, if it was.
    private async Task<RunRecord> FailAroundAsync(FinishRunStep step, FinishRunInput request, RunRecord? run, string message, FunctionLog log, CancellationToken cancellationToken)
    {
        log.Warn($"the workflow failed: {message}");
        if (await Host.ExportJobStepAsync(cancellationToken) is { } jobs
            && (run ?? await Host.Status.GetRunAsync(request.ConnectorId, request.RunId, cancellationToken)) is { } running)
        {
            var objects = await jobs.CancelRecordedAsync(running, cancellationToken);
            log.Info($"cancelled the source's recorded jobs of {objects} object(s) still waiting");
        }

        return await step.FailAsync(request.ConnectorId, request.RunId, message, cancellationToken);
    }
}
