using System.Text.Json;
using ServerlessSync.Aws.Http;
using ServerlessSync.Aws.Lambda;
using ServerlessSync.Core.Ports;
using ServerlessSync.Functions.Events;

namespace ServerlessSync.Functions.Api;

/// <summary>
/// Starts the destination checks as an asynchronous invocation of the Doctor function with
/// <c>{"connectorId","trigger":"api"}</c>: Lambda answers at once and the function keeps its result in the status table.
/// (Not a state machine path: the checks are one function call with nothing to wait on or retry between steps, and an
/// execution of the sync state machine would take the connector's run lock.)
/// </summary>
internal sealed class LambdaChecksStarter(LambdaEventInvoker lambda, string doctorFunctionArn) : IChecksStarter
{
    public async Task<string> StartChecksAsync(string connectorId, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.Serialize(new DoctorInput { ConnectorId = connectorId, Trigger = "api" }, FunctionJsonContext.Default.DoctorInput);
        try
        {
            await lambda.InvokeAsync(doctorFunctionArn, payload, cancellationToken);
        }
        catch (AwsServiceException e)
        {
            throw new RunStartRefusedException($"Lambda did not start the destination checks: {e.ErrorCode}: {e.ServiceMessage}", e);
        }

        return $"checks-{Guid.NewGuid():N}";
    }
}
