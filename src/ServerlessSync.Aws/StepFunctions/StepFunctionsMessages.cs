using System.Text.Json.Serialization;
using ServerlessSync.Aws.Http;

namespace ServerlessSync.Aws.StepFunctions;

/// <summary>Input of SendTaskSuccess (members are camelCase in this API).</summary>
internal sealed record SendTaskSuccessRequest(
    [property: JsonPropertyName("taskToken")] string TaskToken,
    [property: JsonPropertyName("output")] string Output);

/// <summary>Input of SendTaskFailure.</summary>
internal sealed record SendTaskFailureRequest([property: JsonPropertyName("taskToken")] string TaskToken)
{
    [JsonPropertyName("error")]
    public string? Error { get; init; }

    [JsonPropertyName("cause")]
    public string? Cause { get; init; }
}

/// <summary>Input of SendTaskHeartbeat.</summary>
internal sealed record SendTaskHeartbeatRequest([property: JsonPropertyName("taskToken")] string TaskToken);

/// <summary>Input of StartExecution.</summary>
internal sealed record StartExecutionRequest([property: JsonPropertyName("stateMachineArn")] string StateMachineArn)
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("input")]
    public string? Input { get; init; }
}

/// <summary>Output of StartExecution: the execution started (or, for the same name and input, the one already running).</summary>
/// <param name="ExecutionArn">the execution's ARN (the state machine's ARN with <c>execution</c> and the execution's name)</param>
/// <param name="StartDate">when the execution started</param>
public sealed record ExecutionStarted(
    [property: JsonPropertyName("executionArn")] string ExecutionArn,
    [property: JsonPropertyName("startDate")] DateTimeOffset StartDate);

/// <summary>Input of DescribeExecution.</summary>
internal sealed record DescribeExecutionRequest([property: JsonPropertyName("executionArn")] string ExecutionArn);

/// <summary>What DescribeExecution answers that the functions read: the execution and its status (<c>RUNNING</c>, <c>SUCCEEDED</c>, <c>FAILED</c>, <c>TIMED_OUT</c>, <c>ABORTED</c>, <c>PENDING_REDRIVE</c>).</summary>
public sealed record ExecutionDescription(
    [property: JsonPropertyName("executionArn")] string ExecutionArn,
    [property: JsonPropertyName("status")] string Status)
{
    /// <summary>The status while an execution runs.</summary>
    public const string Running = "RUNNING";
}

/// <summary>The (empty) output of the three task-token operations.</summary>
internal sealed record TaskCallbackResponse;

/// <summary>
/// The output a load sends to its waiting state: what the state machine reads as
/// <c>$.manifestKey</c>, <c>$.inserted</c>, … .
/// </summary>
internal sealed record LoadReportOutput(
    [property: JsonPropertyName("manifestKey")] string ManifestKey,
    [property: JsonPropertyName("objectName")] string ObjectName,
    [property: JsonPropertyName("inserted")] long Inserted,
    [property: JsonPropertyName("updated")] long Updated,
    [property: JsonPropertyName("deleted")] long Deleted,
    [property: JsonPropertyName("unchanged")] long Unchanged,
    [property: JsonPropertyName("alreadyLoaded")] bool AlreadyLoaded,
    [property: JsonPropertyName("loadMilliseconds")] long LoadMilliseconds);

/// <summary>Source-generated JSON for the Step Functions calls and the load report output.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, Converters = new[] { typeof(EpochSecondsConverter) })]
[JsonSerializable(typeof(SendTaskSuccessRequest))]
[JsonSerializable(typeof(SendTaskFailureRequest))]
[JsonSerializable(typeof(SendTaskHeartbeatRequest))]
[JsonSerializable(typeof(TaskCallbackResponse))]
[JsonSerializable(typeof(StartExecutionRequest))]
[JsonSerializable(typeof(ExecutionStarted))]
[JsonSerializable(typeof(DescribeExecutionRequest))]
[JsonSerializable(typeof(ExecutionDescription))]
[JsonSerializable(typeof(LoadReportOutput))]
internal sealed partial class StepFunctionsJsonContext : JsonSerializerContext;
