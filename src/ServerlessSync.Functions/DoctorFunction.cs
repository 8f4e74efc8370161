using ServerlessSync.Core.Pipeline;
using ServerlessSync.Functions.Events;
using ServerlessSync.Functions.Hosting;

namespace ServerlessSync.Functions;

/// <summary>
/// Doctor: <c>{"connectorId"?, "trigger"?, "runId"?}</c> → runs the seven destination checks with the stack's settings
/// (as <c>doctor --destination redshift</c> does), keeps the result as the connector's latest in the status table, and
/// answers <c>{"connectorId","passed","ranAt","failed"?}</c>. Invoked by the state machine before a connector's first
/// historical sync, and asynchronously by <c>POST /connectors/{id}/checks</c>. A FAIL is an answer, not an error.
/// </summary>
public sealed class DoctorFunction : LambdaFunction
{
    public const string Name = "Doctor";

    public DoctorFunction()
        : base(null)
    {
    }

    internal DoctorFunction(FunctionHost host)
        : base(host ?? throw new ArgumentNullException(nameof(host)))
    {
    }

    public async Task<Stream> HandleAsync(Stream input) =>
        await Host.InvokeAsync(Name, input, Json.DoctorInput, Json.DoctorOutput, CheckAsync);

    private async Task<DoctorOutput> CheckAsync(DoctorInput request, FunctionLog log, CancellationToken cancellationToken)
    {
        var connectorId = request.ConnectorId ?? Host.Settings.ConnectorId;
        new SyncOptions { ConnectorId = connectorId }.Validate();
        log.About(connectorId, request.RunId).Info($"checking the destination (trigger: {request.Trigger ?? "invoke"})");
        var run = await Host.DestinationCheckStep(connectorId).RunAsync(connectorId, request.Trigger ?? "invoke", request.RunId, cancellationToken);
        foreach (var check in run.Report.Checks)
        {
            log.Info(check.Summary);
        }

        return new DoctorOutput(connectorId, run.Report.Passed, run.RanAt) { Failed = run.Report.FirstFailure?.Summary };
    }
}
