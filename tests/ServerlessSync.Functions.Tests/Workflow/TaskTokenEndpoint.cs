using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace ServerlessSync.Functions.Tests.Workflow;

/// <summary>How a waiting task was answered: SendTaskSuccess's output, or SendTaskFailure's error and cause.</summary>
internal sealed record TaskAnswer(JsonNode? Output, string? Error, string? Cause)
{
    public bool Succeeded => Error is null && Output is not null;
}

/// <summary>One task-token call the endpoint received and what it answered (<c>Delivered</c> or the error code).</summary>
internal sealed record TaskTokenCall(string Operation, string TaskToken, string Answer);

/// <summary>
/// The part of Step Functions a callback task's worker talks to: <c>SendTaskSuccess</c>, <c>SendTaskFailure</c> and
/// <c>SendTaskHeartbeat</c> over awsJson 1.0 (<c>POST /</c>, <c>Content-Type: application/x-amz-json-1.0</c>,
/// <c>X-Amz-Target: AWSStepFunctions.&lt;Operation&gt;</c>, camelCase members as in the API model). A token is open
/// from <see cref="Open"/> until its first answer; an answer for a closed token gets <c>TaskTimedOut</c>, as Step
/// Functions answers for a task that no longer waits, and a token never opened gets <c>InvalidToken</c>.
/// Not reproduced: signature verification (only the SigV4 header's form and its <c>states</c> scope are checked),
/// heartbeat and task timeouts (the state machine's TimeoutSeconds is the runner's), KMS errors, throttling. Unknown
/// members are refused, which is stricter than the service.
/// </summary>
internal sealed class TaskTokenEndpoint
{
    public const string TargetPrefix = "AWSStepFunctions.";
    public const string ContentType = "application/x-amz-json-1.0";

    private static readonly Dictionary<string, (string[] Members, string[] Required)> Operations = new(StringComparer.Ordinal)
    {
        ["SendTaskSuccess"] = (["taskToken", "output"], ["taskToken", "output"]),
        ["SendTaskFailure"] = (["taskToken", "error", "cause"], ["taskToken"]),
        ["SendTaskHeartbeat"] = (["taskToken"], ["taskToken"]),
    };

    private readonly ConcurrentDictionary<string, TaskCompletionSource<TaskAnswer>> _open = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _closed = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<TaskTokenCall> _calls = new();

    /// <summary>Every call received, in order, with its answer.</summary>
    public IReadOnlyCollection<TaskTokenCall> Calls => _calls;

    /// <summary>A task now waits on <paramref name="taskToken"/>; completes with the first answer.</summary>
    public Task<TaskAnswer> Open(string taskToken)
    {
        var answer = new TaskCompletionSource<TaskAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_open.TryAdd(taskToken, answer))
        {
            throw new InvalidOperationException($"task token {taskToken} is open already");
        }

        return answer.Task;
    }

    /// <summary>The task stopped waiting without an answer (its own invocation failed): later answers find it closed.</summary>
    public void Close(string taskToken)
    {
        if (_open.TryRemove(taskToken, out var answer))
        {
            _closed[taskToken] = true;
            answer.TrySetCanceled();
        }
    }

    public async Task HandleAsync(HttpContext context)
    {
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        var operation = target.StartsWith(TargetPrefix, StringComparison.Ordinal) ? target[TargetPrefix.Length..] : "";
        if (context.Request.Method != HttpMethods.Post || context.Request.Path != "/")
        {
            await ErrorAsync(context, 404, "UnknownOperationException", $"{context.Request.Method} {context.Request.Path} is not served");
            return;
        }

        if (!Operations.TryGetValue(operation, out var shape))
        {
            await ErrorAsync(context, 400, "UnknownOperationException", $"X-Amz-Target '{target}' is not one of {string.Join(", ", Operations.Keys.Select(o => TargetPrefix + o))}");
            return;
        }

        if (context.Request.ContentType != ContentType)
        {
            await ErrorAsync(context, 400, "SerializationException", $"Content-Type must be {ContentType}, not '{context.Request.ContentType}'");
            return;
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("AWS4-HMAC-SHA256 Credential=", StringComparison.Ordinal) || !authorization.Contains("/states/aws4_request", StringComparison.Ordinal))
        {
            await ErrorAsync(context, 403, "MissingAuthenticationTokenException", $"expected a SigV4 Authorization header scoped to the 'states' service, got '{authorization}'");
            return;
        }

        JsonObject body;
        try
        {
            body = JsonNode.Parse(await new StreamReader(context.Request.Body, Encoding.UTF8).ReadToEndAsync())?.AsObject()
                ?? throw new JsonException("the body is null");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            await ErrorAsync(context, 400, "SerializationException", $"the body is not a JSON object: {e.Message}");
            return;
        }

        var problem = body.Select(m => m.Key).FirstOrDefault(m => !shape.Members.Contains(m)) is { } unknown
            ? $"{operation} has no member '{unknown}'"
            : shape.Required.FirstOrDefault(r => body[r]?.GetValueKind() != JsonValueKind.String) is { } missing
                ? $"{operation} requires the string member '{missing}'"
                : null;
        if (problem is not null)
        {
            await ErrorAsync(context, 400, "ValidationException", problem);
            return;
        }

        var token = (string)body["taskToken"]!;
        var answer = operation switch
        {
            "SendTaskSuccess" => ReadOutput((string)body["output"]!) is { } output ? new TaskAnswer(output, null, null) : null,
            "SendTaskFailure" => new TaskAnswer(null, (string?)body["error"] ?? "", (string?)body["cause"] ?? ""),
            _ => null,
        };
        if (operation == "SendTaskSuccess" && answer is null)
        {
            await ErrorAsync(context, 400, "InvalidOutput", "Invalid State Machine Execution Output: the output is not JSON");
            return;
        }

        var code = Answer(token, operation, answer);
        _calls.Enqueue(new TaskTokenCall(operation, token, code ?? "Delivered"));
        if (code is null)
        {
            context.Response.ContentType = ContentType;
            await context.Response.WriteAsync("{}");
            return;
        }

        await ErrorAsync(context, 400, code, code == "TaskTimedOut" ? "Task Timed Out: 'Provided task does not exist anymore'" : "Invalid token");
    }

    // Null when the call reached an open task; otherwise the error code Step Functions answers.
    private string? Answer(string token, string operation, TaskAnswer? answer)
    {
        if (operation == "SendTaskHeartbeat")
        {
            return _open.ContainsKey(token) ? null : _closed.ContainsKey(token) ? "TaskTimedOut" : "InvalidToken";
        }

        if (_open.TryRemove(token, out var waiting))
        {
            _closed[token] = true;
            waiting.TrySetResult(answer!);
            return null;
        }

        return _closed.ContainsKey(token) ? "TaskTimedOut" : "InvalidToken";
    }

    private static JsonNode? ReadOutput(string output)
    {
        try
        {
            return JsonNode.Parse(output);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task ErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = ContentType;
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        await context.Response.WriteAsync(new JsonObject { ["__type"] = code, ["message"] = message }.ToJsonString());
    }
}
