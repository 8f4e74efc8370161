using Amazon;
using ServerlessSync.Functions.Hosting;

namespace ServerlessSync.Functions.Api;

/// <summary>
/// The status API's configuration, read once per container from environment variables:
/// <list type="table">
/// <item><term>STATUS_TABLE</term><description>the DynamoDB status table (required)</description></item>
/// <item><term>STATE_MACHINE_ARN</term><description>the sync state machine runs are started on (required)</description></item>
/// <item><term>AWS_REGION</term><description>the region (set by Lambda)</description></item>
/// <item><term>CONNECTOR_ID</term><description>the deployment's connector, which may be started before its first run has created it (default <c>default</c>)</description></item>
/// <item><term>DOCTOR_FUNCTION_ARN</term><description>the Doctor function <c>POST /connectors/{id}/checks</c> invokes; without it the checks routes are not served</description></item>
/// <item><term>SSYNC_DYNAMODB_ENDPOINT, SSYNC_STEPFUNCTIONS_ENDPOINT, SSYNC_LAMBDA_ENDPOINT</term><description>tests only: local endpoints in place of AWS's</description></item>
/// </list>
/// A missing or invalid variable fails with an <see cref="InvalidOperationException"/> naming it. The variables the
/// functions share are read as <see cref="FunctionSettings"/> reads them.
/// </summary>
internal sealed record StatusApiSettings(
    string StatusTable,
    string StateMachineArn,
    RegionEndpoint Region,
    string ConnectorId,
    Uri? DynamoDbEndpoint,
    Uri? StepFunctionsEndpoint)
{
    /// <summary>DOCTOR_FUNCTION_ARN: the function the checks route invokes; null: no checks routes.</summary>
    public string? DoctorFunctionArn { get; init; }

    public Uri? LambdaEndpoint { get; init; }

    /// <summary>The settings from <paramref name="variable"/> (a name → value lookup; null or blank = not set).</summary>
    public static StatusApiSettings FromVariables(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        var variables = new SettingVariables(variable, (_, message) => new InvalidOperationException(message));
        var stateMachineArn = variables.Required("STATE_MACHINE_ARN", "the sync state machine that runs are started on");
        if (!stateMachineArn.StartsWith("arn:", StringComparison.Ordinal) || !stateMachineArn.Contains(":states:", StringComparison.Ordinal) || !stateMachineArn.Contains(":stateMachine:", StringComparison.Ordinal))
        {
            throw variables.Error("STATE_MACHINE_ARN", $"STATE_MACHINE_ARN '{stateMachineArn}' is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)");
        }

        var region = variables.Region();
        var connectorId = variables.ConnectorId();
        return new StatusApiSettings(
            variables.Required("STATUS_TABLE", "the DynamoDB table holding connector and run status"),
            stateMachineArn,
            region,
            connectorId,
            variables.Endpoint("SSYNC_DYNAMODB_ENDPOINT"),
            variables.Endpoint("SSYNC_STEPFUNCTIONS_ENDPOINT"))
        {
            DoctorFunctionArn = variables.Optional("DOCTOR_FUNCTION_ARN"),
            LambdaEndpoint = variables.Endpoint("SSYNC_LAMBDA_ENDPOINT"),
        };
    }
}
