using ServerlessSync.Core.Pipeline;
using ServerlessSync.Functions.Events;
using ServerlessSync.Functions.Hosting;

namespace ServerlessSync.Functions;

/// <summary>
/// StartRun: <c>{"input": &lt;execution input&gt;, "executionName"}</c> → the run's plan. Takes the connector's run lock
/// (lease RUN_LOCK_HOURS); while another run holds it, throws <c>RunInProgressException</c>, which the state machine
/// catches. The run id is the input's <c>runId</c>, else the execution's name, so a retried start is the same run.
/// </summary>
public sealed class StartRunFunction : LambdaFunction
{
    public const string Name = "StartRun";

    public StartRunFunction()
        : base(null)
    {
    }

    internal StartRunFunction(FunctionHost host)
        : base(host ?? throw new ArgumentNullException(nameof(host)))
    {
    }

    public async Task<Stream> HandleAsync(Stream input) =>
        await Host.InvokeAsync(Name, input, Json.StartRunInput, Json.RunMessage, StartAsync);

    private async Task<RunMessage> StartAsync(StartRunInput request, FunctionLog log, CancellationToken cancellationToken)
    {
        var execution = request.Input ?? new ExecutionInput();
        var options = new SyncOptions
        {
            ConnectorId = execution.ConnectorId ?? Host.Settings.ConnectorId,
            RunId = execution.RunId ?? request.ExecutionName,
            Objects = execution.Objects,
            TakeOverFrom = execution.TakeOverFrom,
            FullResyncEvery = Host.Settings.FullResyncEvery,
        };
        log.About(options.ConnectorId, options.RunId).Info($"starting a run (trigger: {execution.Trigger ?? "none given"})");
        var step = await Host.StartRunStepAsync(cancellationToken);
        var run = await step.StartAsync(options, cancellationToken);
        log.About(runId: run.RunId).Info($"started: {run.Objects.Count} objects ({string.Join(", ", run.Objects.Select(o => $"{o.ObjectName} {(o.FullResync ? "full re-sync" : o.Window.Mode)}"))})");
        return Messages.ToMessage(run);
    }
}
