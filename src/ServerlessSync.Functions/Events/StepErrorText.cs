using System.Text.Json;

namespace ServerlessSync.Functions.Events;

/// <summary>The <c>Cause</c> Step Functions gives for a failed Lambda task: the function's error as Lambda reported it.</summary>
public sealed record LambdaErrorCause
{
    public string? ErrorMessage { get; init; }

    public string? ErrorType { get; init; }
}

/// <summary>
/// Turns a caught Step Functions error into the one line a person reads in the run's status. The shapes it meets:
/// <list type="bullet">
/// <item>a Lambda function's error: <c>Error</c> is the exception type, <c>Cause</c> Lambda's JSON
/// <c>{"errorMessage","errorType","stackTrace"}</c> → <c>ErrorType: errorMessage</c>;</item>
/// <item>a task-token failure (SendTaskFailure from the load): <c>Error</c> the exception type, <c>Cause</c> plain text →
/// <c>Error: Cause</c>;</item>
/// <item><c>States.Timeout</c> / <c>States.HeartbeatTimeout</c>: no answer reached the waiting task in time; the cause, when
/// there is one, follows;</item>
/// <item>anything else: <c>Error: Cause</c>, or <c>Error</c> alone.</item>
/// </list>
/// </summary>
public static class StepErrorText
{
    public static string Describe(StepError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var name = string.IsNullOrWhiteSpace(error.Error) ? "Error" : error.Error.Trim();
        var cause = ReadableCause(error.Cause);
        var text = name switch
        {
            "States.Timeout" => "States.Timeout: the task did not finish in time (for a load: no outcome arrived from the load; the staged files are kept)",
            "States.HeartbeatTimeout" => "States.HeartbeatTimeout: the task stopped sending heartbeats (the staged files are kept)",
            _ => null,
        };
        if (text is not null)
        {
            return cause is null ? text : $"{text}: {cause.Message}";
        }

        if (cause is null)
        {
            return name;
        }

        // A Lambda error whose type is already the Error (as Step Functions names it) is not repeated.
        var type = cause.Type ?? name;
        return $"{type}: {cause.Message}";
    }

    private static Cause? ReadableCause(string? cause)
    {
        if (string.IsNullOrWhiteSpace(cause))
        {
            return null;
        }

        var trimmed = cause.Trim();
        if (trimmed.StartsWith('{'))
        {
            try
            {
                var lambda = JsonSerializer.Deserialize(trimmed, FunctionJsonContext.Default.LambdaErrorCause);
                if (lambda?.ErrorMessage is { Length: > 0 } message)
                {
                    return new Cause(lambda.ErrorType, message);
                }
            }
            catch (JsonException)
            {
                // Not Lambda's error document: the text as it is.
            }
        }

        return new Cause(null, trimmed);
    }

    private sealed record Cause(string? Type, string Message);
}
