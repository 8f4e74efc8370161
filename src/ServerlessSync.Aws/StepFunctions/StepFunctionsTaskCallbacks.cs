using System.Text.Json;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Aws.StepFunctions;

/// <summary>What happened to a task-token callback.</summary>
public enum TaskCallbackDelivery
{
    /// <summary>Step Functions accepted it.</summary>
    Delivered,

    /// <summary>
    /// The token was already answered, timed out or unknown (TaskTimedOut, InvalidToken, TaskDoesNotExist):
    /// with at-least-once event delivery this is a duplicate, and nothing is left to do.
    /// </summary>
    AlreadyClosed,
}

/// <summary>
/// <see cref="ITaskCallbacks"/> on Step Functions: a load's outcome goes to its waiting
/// <c>.waitForTaskToken</c> state as SendTaskSuccess with the camelCase JSON output
/// <c>{"manifestKey","objectName","inserted","updated","deleted","unchanged","alreadyLoaded","loadMilliseconds"}</c>,
/// or as SendTaskFailure. A token that is already closed counts as done (logged through
/// <paramref name="log"/>); every other error propagates.
/// </summary>
public sealed class StepFunctionsTaskCallbacks(StepFunctionsClient client, Action<string>? log = null) : ITaskCallbacks
{
    private readonly StepFunctionsClient _client = client ?? throw new ArgumentNullException(nameof(client));

    public Task SendSuccessAsync(string taskToken, LoadReport report, CancellationToken cancellationToken) =>
        DeliverSuccessAsync(taskToken, report, cancellationToken);

    public Task SendFailureAsync(string taskToken, string error, string cause, CancellationToken cancellationToken) =>
        DeliverFailureAsync(taskToken, error, cause, cancellationToken);

    public Task<TaskCallbackDelivery> DeliverSuccessAsync(string taskToken, LoadReport report, CancellationToken cancellationToken)
    {
        var output = OutputOf(report);
        return DeliverAsync("SendTaskSuccess", taskToken, () => _client.SendTaskSuccessAsync(taskToken, output, cancellationToken));
    }

    public Task<TaskCallbackDelivery> DeliverFailureAsync(string taskToken, string error, string cause, CancellationToken cancellationToken) =>
        DeliverAsync("SendTaskFailure", taskToken, () => _client.SendTaskFailureAsync(taskToken, error, cause, cancellationToken));

    /// <summary>
    /// Keeps a long load's task alive. <see cref="TaskCallbackDelivery.AlreadyClosed"/> means the state
    /// machine no longer waits for this load: the caller may stop.
    /// </summary>
    public Task<TaskCallbackDelivery> SendHeartbeatAsync(string taskToken, CancellationToken cancellationToken) =>
        DeliverAsync("SendTaskHeartbeat", taskToken, () => _client.SendTaskHeartbeatAsync(taskToken, cancellationToken));

    /// <summary>The success output for <paramref name="report"/>.</summary>
    internal static string OutputOf(LoadReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var outcome = report.Outcome;
        var output = new LoadReportOutput(
            report.ManifestKey, report.ObjectName, outcome.Inserted, outcome.Updated, outcome.Deleted, outcome.Unchanged, outcome.AlreadyLoaded, report.LoadMilliseconds);
        return JsonSerializer.Serialize(output, StepFunctionsJsonContext.Default.LoadReportOutput);
    }

    private async Task<TaskCallbackDelivery> DeliverAsync(string operation, string taskToken, Func<Task> send)
    {
        try
        {
            await send();
            return TaskCallbackDelivery.Delivered;
        }
        catch (TaskTokenClosedException e)
        {
            log?.Invoke($"{operation} for task token …{Tail(taskToken)} ignored: the token is already closed ({e.ErrorCode}: {e.ServiceMessage}); treating it as a duplicate delivery");
            return TaskCallbackDelivery.AlreadyClosed;
        }
    }

    private static string Tail(string token) => token.Length <= 12 ? token : token[^12..];
}
