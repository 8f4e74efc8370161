using System.Text;
using System.Text.Json;
using ServerlessSync.Aws.Http;

namespace ServerlessSync.Aws.StepFunctions;

/// <summary>
/// The Step Functions calls the functions make: StartExecution and DescribeExecution (the status API starts a run,
/// after checking that the run it would wait for still runs), and the task-token
/// calls a worker makes: SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat. Task-token limits are enforced before sending: the token 1 to 2048 characters, the success
/// output valid JSON of at most 262,144 UTF-8 bytes (rejected, since JSON cannot be cut); the failure's
/// error and cause are shortened to 256 and 32,768 UTF-8 bytes instead. A closed token answers with a
/// <see cref="TaskTokenClosedException"/> subclass. Create one per process and reuse it.
/// </summary>
public sealed class StepFunctionsClient : IDisposable
{
    public const int MaxTaskTokenLength = 2048;
    public const int MaxOutputBytes = 262_144;
    public const int MaxErrorLength = 256;
    public const int MaxCauseLength = 32_768;
    public const int MaxArnLength = 256;
    public const int MaxExecutionNameLength = 80;

    private static readonly StepFunctionsJsonContext Json = StepFunctionsJsonContext.Default;

    internal static readonly AwsJsonOperation<SendTaskSuccessRequest, TaskCallbackResponse> SendTaskSuccess =
        new("SendTaskSuccess", Json.SendTaskSuccessRequest, Json.TaskCallbackResponse);

    internal static readonly AwsJsonOperation<SendTaskFailureRequest, TaskCallbackResponse> SendTaskFailure =
        new("SendTaskFailure", Json.SendTaskFailureRequest, Json.TaskCallbackResponse);

    internal static readonly AwsJsonOperation<SendTaskHeartbeatRequest, TaskCallbackResponse> SendTaskHeartbeat =
        new("SendTaskHeartbeat", Json.SendTaskHeartbeatRequest, Json.TaskCallbackResponse);

    internal static readonly AwsJsonOperation<StartExecutionRequest, ExecutionStarted> StartExecution =
        new("StartExecution", Json.StartExecutionRequest, Json.ExecutionStarted);

    internal static readonly AwsJsonOperation<DescribeExecutionRequest, ExecutionDescription> DescribeExecution =
        new("DescribeExecution", Json.DescribeExecutionRequest, Json.ExecutionDescription);

    /// <summary>Every operation this client sends (the contract tests check each against the API model).</summary>
    internal static IReadOnlyList<IAwsJsonOperation> Operations { get; } = [SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat, StartExecution, DescribeExecution];

    private readonly AwsJsonClient _client;

    public StepFunctionsClient(AwsClientOptions options) => _client = new AwsJsonClient(Service, options, ToException);

    /// <summary>Step Functions' wire identity: endpoint prefix and signing name <c>states</c>, target prefix <c>AWSStepFunctions</c>, awsJson 1.0.</summary>
    public static AwsJsonService Service { get; } = new("Step Functions", "states", "states", "AWSStepFunctions", "1.0");

    /// <summary>Completes the task with <paramref name="outputJson"/> (a JSON text) as its output.</summary>
    public Task SendTaskSuccessAsync(string taskToken, string outputJson, CancellationToken cancellationToken)
    {
        CheckToken(taskToken);
        CheckJson(outputJson, "task output", nameof(outputJson));
        return _client.SendAsync(SendTaskSuccess, new SendTaskSuccessRequest(taskToken, outputJson), cancellationToken);
    }

    /// <summary>Fails the task; <paramref name="error"/> and <paramref name="cause"/> are shortened to their limits (ending in "…").</summary>
    public Task SendTaskFailureAsync(string taskToken, string? error, string? cause, CancellationToken cancellationToken)
    {
        CheckToken(taskToken);
        var request = new SendTaskFailureRequest(taskToken)
        {
            Error = error is null ? null : Utf8Truncation.Truncate(error, MaxErrorLength),
            Cause = cause is null ? null : Utf8Truncation.Truncate(cause, MaxCauseLength),
        };
        return _client.SendAsync(SendTaskFailure, request, cancellationToken);
    }

    /// <summary>Tells Step Functions the task is still being worked on (resets its HeartbeatSeconds clock).</summary>
    public Task SendTaskHeartbeatAsync(string taskToken, CancellationToken cancellationToken)
    {
        CheckToken(taskToken);
        return _client.SendAsync(SendTaskHeartbeat, new SendTaskHeartbeatRequest(taskToken), cancellationToken);
    }

    /// <summary>
    /// Starts an execution of <paramref name="stateMachineArn"/> named <paramref name="name"/> with <paramref name="inputJson"/>
    /// (a JSON text) as its input. For a standard workflow a start with the name and input of a running execution
    /// answers that execution; a name used before with another input, or by a closed execution, throws
    /// <see cref="ExecutionAlreadyExistsException"/>. The ARN (1 to 256 characters), the name (1 to 80) and the input
    /// (valid JSON of at most 262,144 UTF-8 bytes) are checked before sending.
    /// </summary>
    public Task<ExecutionStarted> StartExecutionAsync(string stateMachineArn, string name, string inputJson, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(stateMachineArn) || stateMachineArn.Length > MaxArnLength)
        {
            throw new ArgumentException($"a state machine ARN is 1 to {MaxArnLength} characters, not {stateMachineArn?.Length ?? 0}", nameof(stateMachineArn));
        }

        if (string.IsNullOrEmpty(name) || name.Length > MaxExecutionNameLength)
        {
            throw new ArgumentException($"an execution name is 1 to {MaxExecutionNameLength} characters, not {name?.Length ?? 0}", nameof(name));
        }

        CheckJson(inputJson, "execution input", nameof(inputJson));
        return _client.SendAsync(StartExecution, new StartExecutionRequest(stateMachineArn) { Name = name, Input = inputJson }, cancellationToken);
    }

    /// <summary>
    /// The execution <paramref name="executionArn"/> (1 to 256 characters, checked before sending) and its status; an
    /// execution Step Functions does not have throws <see cref="ExecutionDoesNotExistException"/>.
    /// </summary>
    public Task<ExecutionDescription> DescribeExecutionAsync(string executionArn, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(executionArn) || executionArn.Length > MaxArnLength)
        {
            throw new ArgumentException($"an execution ARN is 1 to {MaxArnLength} characters, not {executionArn?.Length ?? 0}", nameof(executionArn));
        }

        return _client.SendAsync(DescribeExecution, new DescribeExecutionRequest(executionArn), cancellationToken);
    }

    /// <summary>The ARN of the execution named <paramref name="name"/> of <paramref name="stateMachineArn"/>.</summary>
    public static string ExecutionArn(string stateMachineArn, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateMachineArn);
        return $"{stateMachineArn.Replace(":stateMachine:", ":execution:", StringComparison.Ordinal)}:{name}";
    }

    public void Dispose() => _client.Dispose();

    /// <summary>Step Functions takes data (a task's output, an execution's input) as JSON text of at most <see cref="MaxOutputBytes"/> UTF-8 bytes.</summary>
    private static void CheckJson(string json, string what, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(json, parameterName);
        var bytes = Encoding.UTF8.GetByteCount(json);
        if (bytes > MaxOutputBytes)
        {
            throw new ArgumentException($"the {what} is {bytes} bytes of UTF-8; Step Functions takes at most {MaxOutputBytes}", parameterName);
        }

        try
        {
            using var _ = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"the {what} is not JSON: {e.Message}", parameterName, e);
        }
    }

    private static void CheckToken(string taskToken)
    {
        if (string.IsNullOrEmpty(taskToken) || taskToken.Length > MaxTaskTokenLength)
        {
            throw new ArgumentException($"a task token is 1 to {MaxTaskTokenLength} characters, not {taskToken?.Length ?? 0}", nameof(taskToken));
        }
    }

    private static AwsServiceException ToException(AwsServiceError error) => error.Code switch
    {
        "TaskTimedOut" => new TaskTimedOutException(error),
        "InvalidToken" => new InvalidTokenException(error),
        "TaskDoesNotExist" => new TaskDoesNotExistException(error),
        "InvalidOutput" => new InvalidOutputException(error),
        "ExecutionAlreadyExists" => new ExecutionAlreadyExistsException(error),
        "ExecutionDoesNotExist" => new ExecutionDoesNotExistException(error),
        _ when AwsThrottlingException.Matches(error) => new AwsThrottlingException(error),
        _ => new AwsServiceException(error),
    };
}
