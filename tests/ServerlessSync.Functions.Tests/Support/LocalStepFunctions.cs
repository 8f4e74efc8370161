using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using ServerlessSync.Testing.Http;

namespace ServerlessSync.Functions.Tests.Support;

/// <summary>An execution the local Step Functions started.</summary>
public sealed record StartedExecution(string StateMachineArn, string Name, string Input, string ExecutionArn, string Authorization);

/// <summary>One task-token call Step Functions received.</summary>
/// <param name="Operation">SendTaskSuccess, SendTaskFailure or SendTaskHeartbeat</param>
/// <param name="TaskToken">the token answered</param>
/// <param name="Output">SendTaskSuccess's output (JSON text)</param>
/// <param name="Error">SendTaskFailure's error</param>
/// <param name="Cause">SendTaskFailure's cause</param>
/// <param name="Accepted">false when the token had been answered before (the endpoint said TaskTimedOut)</param>
public sealed record TaskCallback(string Operation, string TaskToken, string? Output, string? Error, string? Cause, bool Accepted);

/// <summary>
/// Step Functions on a <see cref="LocalEndpoint"/>, as the service answers awsJson 1.0 (<c>X-Amz-Target: AWSStepFunctions.*</c>,
/// signed requests; another operation is <c>UnknownOperationException</c>, an unsigned request
/// <c>MissingAuthenticationTokenException</c>). Its <see cref="LocalEndpoint.Url"/> is SSYNC_STEPFUNCTIONS_ENDPOINT.
/// <list type="bullet">
/// <item>StartExecution (the status API): on <see cref="StateMachineArn"/> only (another is <c>StateMachineDoesNotExist</c>);
/// a name started before with the same input answers that execution again, with another input <c>ExecutionAlreadyExists</c>.
/// <see cref="FailNext"/> makes the next start fail as given. Started executions are in <see cref="Executions"/>.</item>
/// <item>SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat (the functions' task callbacks): every call is recorded in
/// <see cref="Calls"/>; the first answer for a token is accepted and later ones refused with <c>TaskTimedOut</c>, as Step
/// Functions does once a task is closed. <see cref="WaitForAnswerAsync"/> is how a workflow executor resumes the task
/// waiting on a token.</item>
/// </list>
/// </summary>
public sealed class LocalStepFunctions : LocalEndpoint
{
    public const string StateMachineArn = "arn:aws:states:eu-west-1:123456789012:stateMachine:serverless-sync";

    private const string Service = "AWSStepFunctions";

    private static readonly DateTimeOffset StartDate = new(2026, 11, 26, 21, 45, 10, 250, TimeSpan.Zero);

    private readonly Lock _gate = new();
    private readonly List<StartedExecution> _executions = [];
    private readonly List<TaskCallback> _calls = [];
    private readonly Dictionary<string, TaskCompletionSource<TaskCallback>> _answers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _statuses = new(StringComparer.Ordinal);
    private (int Status, string Type)? _failNext;

    private LocalStepFunctions()
    {
    }

    /// <summary>Every execution started so far, in order.</summary>
    public IReadOnlyList<StartedExecution> Executions => Snapshot(_executions);

    /// <summary>Every task-token call so far, in order of arrival.</summary>
    public IReadOnlyList<TaskCallback> Calls => Snapshot(_calls);

    public static Task<LocalStepFunctions> StartAsync() => StartAsync(new LocalStepFunctions());

    /// <summary>
    /// What DescribeExecution answers for the execution named <paramref name="name"/> of <see cref="StateMachineArn"/>
    /// (one this endpoint started is RUNNING until told otherwise; any other does not exist).
    /// </summary>
    public void SetExecutionStatus(string name, string status)
    {
        lock (_gate)
        {
            _statuses[name] = status;
        }
    }

    /// <summary>The next StartExecution fails with this status and error type, starting nothing.</summary>
    public void FailNext(int status, string type)
    {
        lock (_gate)
        {
            _failNext = (status, type);
        }
    }

    /// <summary>The first accepted success or failure for <paramref name="taskToken"/>, whenever it arrives.</summary>
    public Task<TaskCallback> WaitForAnswerAsync(string taskToken, CancellationToken cancellationToken = default) =>
        AnswerSource(taskToken).Task.WaitAsync(cancellationToken);

    protected override async Task HandleAsync(HttpContext context)
    {
        var operation = AwsJson.Operation(context.Request, Service);
        var body = await AwsJson.ReadBodyAsync(context.Request);
        if (operation is not ("StartExecution" or "DescribeExecution" or "SendTaskSuccess" or "SendTaskFailure" or "SendTaskHeartbeat"))
        {
            await ErrorAsync(context, 400, "UnknownOperationException", $"this endpoint does not serve {context.Request.Headers["X-Amz-Target"]}");
            return;
        }

        if (!AwsJson.IsSigned(context.Request))
        {
            await ErrorAsync(context, 400, "MissingAuthenticationTokenException", "the request is not signed");
            return;
        }

        await (operation switch
        {
            "StartExecution" => StartExecutionAsync(context, body),
            "DescribeExecution" => DescribeExecutionAsync(context, body),
            _ => TaskCallbackAsync(context, operation, body),
        });
    }

    private async Task DescribeExecutionAsync(HttpContext context, JsonElement body)
    {
        var arn = AwsJson.StringMember(body, "executionArn") ?? "";
        var prefix = StateMachineArn.Replace(":stateMachine:", ":execution:", StringComparison.Ordinal) + ":";
        string? status;
        lock (_gate)
        {
            var name = arn.StartsWith(prefix, StringComparison.Ordinal) ? arn[prefix.Length..] : null;
            status = name is null ? null
                : _statuses.TryGetValue(name, out var set) ? set
                : _executions.Any(e => e.Name == name) ? "RUNNING"
                : null;
        }

        if (status is null)
        {
            await ErrorAsync(context, 400, "ExecutionDoesNotExist", $"Execution Does Not Exist: '{arn}'");
            return;
        }

        var answer = new JsonObject
        {
            ["executionArn"] = arn,
            ["stateMachineArn"] = StateMachineArn,
            ["status"] = status,
            ["startDate"] = StartDate.ToUnixTimeMilliseconds() / 1000m,
        };
        await AwsJson.WriteAsync(context, AwsJson.ContentType10, 200, answer.ToJsonString());
    }

    private async Task StartExecutionAsync(HttpContext context, JsonElement body)
    {
        var arn = AwsJson.StringMember(body, "stateMachineArn") ?? "";
        var name = AwsJson.StringMember(body, "name") ?? Guid.NewGuid().ToString();
        var input = AwsJson.StringMember(body, "input") ?? "{}";
        var (execution, failure) = Start(arn, name, input, context.Request.Headers.Authorization.ToString());
        if (execution is null)
        {
            await ErrorAsync(context, failure.Status, failure.Type, $"{failure.Type}: '{name}'");
            return;
        }

        var answer = new JsonObject
        {
            ["executionArn"] = execution.ExecutionArn,
            ["startDate"] = StartDate.ToUnixTimeMilliseconds() / 1000m,
        };
        await AwsJson.WriteAsync(context, AwsJson.ContentType10, 200, answer.ToJsonString());
    }

    private (StartedExecution? Execution, (int Status, string Type) Failure) Start(string arn, string name, string input, string authorization)
    {
        lock (_gate)
        {
            if (_failNext is { } failure)
            {
                _failNext = null;
                return (null, failure);
            }

            if (arn != StateMachineArn)
            {
                return (null, (400, "StateMachineDoesNotExist"));
            }

            if (_executions.FirstOrDefault(e => e.Name == name) is { } existing)
            {
                return existing.Input == input ? (existing, default) : (null, (400, "ExecutionAlreadyExists"));
            }

            var execution = new StartedExecution(arn, name, input, arn.Replace(":stateMachine:", ":execution:", StringComparison.Ordinal) + ":" + name, authorization);
            _executions.Add(execution);
            return (execution, default);
        }
    }

    private async Task TaskCallbackAsync(HttpContext context, string operation, JsonElement body)
    {
        var token = AwsJson.StringMember(body, "taskToken") ?? "";
        bool accepted;
        TaskCallback call;
        lock (_gate)
        {
            accepted = !_calls.Any(c => c.TaskToken == token && c.Accepted && c.Operation != "SendTaskHeartbeat");
            call = new TaskCallback(operation, token, AwsJson.StringMember(body, "output"), AwsJson.StringMember(body, "error"), AwsJson.StringMember(body, "cause"), accepted);
            _calls.Add(call);
        }

        if (!accepted)
        {
            await ErrorAsync(context, 400, "com.amazonaws.swf.service.v2.model#TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'");
            return;
        }

        if (operation != "SendTaskHeartbeat")
        {
            AnswerSource(token).TrySetResult(call);
        }

        await AwsJson.WriteAsync(context, AwsJson.ContentType10, 200, "{}");
    }

    private TaskCompletionSource<TaskCallback> AnswerSource(string taskToken)
    {
        lock (_gate)
        {
            if (!_answers.TryGetValue(taskToken, out var source))
            {
                source = new TaskCompletionSource<TaskCallback>(TaskCreationOptions.RunContinuationsAsynchronously);
                _answers[taskToken] = source;
            }

            return source;
        }
    }

    private List<T> Snapshot<T>(List<T> list)
    {
        lock (_gate)
        {
            return [.. list];
        }
    }

    private static Task ErrorAsync(HttpContext context, int status, string type, string message) =>
        AwsJson.WriteErrorAsync(context, AwsJson.ContentType10, status, type, message);
}
