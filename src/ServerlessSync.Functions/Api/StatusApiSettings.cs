using Amazon;
using ServerlessSync.Core.Pipeline;

namespace ServerlessSync.Functions.Api;

/// <summary>
/// The status API's configuration, read once per container from environment variables:
/// <list type="table">
/// <item><term>STATUS_TABLE</term><description>the DynamoDB status table (required)</description></item>
/// <item><term>STATE_MACHINE_ARN</term><description>the sync state machine runs are started on (required)</description></item>
/// <item><term>AWS_REGION</term><description>the region (set by Lambda)</description></item>
/// <item><term>CONNECTOR_ID</term><description>the deployment's connector, which may be started before its first run has created it (default <c>default</c>)</description></item>
/// <item><term>SSYNC_DYNAMODB_ENDPOINT, SSYNC_STEPFUNCTIONS_ENDPOINT</term><description>tests only: local endpoints in place of AWS's</description></item>
/// </list>
/// A missing or invalid variable fails with an <see cref="InvalidOperationException"/> naming it.
/// </summary>
internal sealed record StatusApiSettings(
    string StatusTable,
    string StateMachineArn,
    RegionEndpoint Region,
    string ConnectorId,
    Uri? DynamoDbEndpoint,
    Uri? StepFunctionsEndpoint)
{
    /// <summary>The settings from <paramref name="variable"/> (a name → value lookup; null or blank = not set).</summary>
    public static StatusApiSettings FromVariables(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        string? Optional(string name) => variable(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
        string Required(string name, string what) =>
            Optional(name) ?? throw new InvalidOperationException($"environment variable {name} is not set: it names {what}");

        var stateMachineArn = Required("STATE_MACHINE_ARN", "the sync state machine that runs are started on");
        if (!stateMachineArn.StartsWith("arn:", StringComparison.Ordinal) || !stateMachineArn.Contains(":states:", StringComparison.Ordinal) || !stateMachineArn.Contains(":stateMachine:", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"STATE_MACHINE_ARN '{stateMachineArn}' is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)");
        }

        var region = Required("AWS_REGION", "the AWS region (Lambda sets it)");
        if (!region.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            throw new InvalidOperationException($"AWS_REGION '{region}' is not a region name (e.g. eu-west-1)");
        }

        var connectorId = Optional("CONNECTOR_ID") ?? SyncOptions.DefaultConnectorId;
        try
        {
            new SyncOptions { ConnectorId = connectorId }.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"CONNECTOR_ID: {e.Message}", e);
        }

        return new StatusApiSettings(
            Required("STATUS_TABLE", "the DynamoDB table holding connector and run status"),
            stateMachineArn,
            RegionEndpoint.GetBySystemName(region),
            connectorId,
            Endpoint(Optional, "SSYNC_DYNAMODB_ENDPOINT"),
            Endpoint(Optional, "SSYNC_STEPFUNCTIONS_ENDPOINT"));
    }

    private static Uri? Endpoint(Func<string, string?> optional, string name) =>
        optional(name) is not { } text ? null
        : Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? uri
        : throw new InvalidOperationException($"{name} '{text}' is not an absolute http(s) URL");
}
