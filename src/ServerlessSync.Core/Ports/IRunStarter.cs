namespace ServerlessSync.Core.Ports;

/// <summary>
/// Starts a run of a connector for the status API (<c>POST /connectors/{id}/runs</c>): a Step Functions execution in
/// the cloud, the embedded pipeline in the background for <c>serve</c>. The API checks the request and makes the run
/// id; the starter starts the run or says why it did not.
/// </summary>
public interface IRunStarter
{
    /// <summary>
    /// Starts <paramref name="request"/>'s run, or answers <see cref="RunStartConflict"/> when the connector is running
    /// another (the real run lock is the run's own; this is the fast answer).
    /// </summary>
    /// <exception cref="RunStartRefusedException">the system that runs syncs refused the start</exception>
    Task<RunStartResult> StartAsync(RunStartRequest request, CancellationToken cancellationToken);
}

/// <summary>A run to start.</summary>
/// <param name="ConnectorId">the connector</param>
/// <param name="RunId">the new run's id (also the execution's name)</param>
/// <param name="Objects">the objects to sync; null: the connector's selection</param>
/// <param name="RecordedRunningRunId">the connector's last run when the status store records it RUNNING (it may have died without finishing)</param>
public sealed record RunStartRequest(string ConnectorId, string RunId, IReadOnlyList<string>? Objects, string? RecordedRunningRunId);

/// <summary>What <see cref="IRunStarter.StartAsync"/> did.</summary>
public abstract record RunStartResult;

/// <summary>The run started.</summary>
/// <param name="RunId">its id</param>
/// <param name="ExecutionReference">where it runs (a Step Functions execution ARN, or the embedded runner's name for it)</param>
public sealed record RunStarted(string RunId, string ExecutionReference) : RunStartResult;

/// <summary>The run did not start because another one runs (or its name was taken); <paramref name="Message"/> says which and what to do.</summary>
public sealed record RunStartConflict(string Message) : RunStartResult
{
    /// <summary>The conflict of a connector running <paramref name="runningRunId"/>.</summary>
    public static RunStartConflict Running(string connectorId, string runningRunId) =>
        new($"connector '{connectorId}' is running run '{runningRunId}'; start another run when it has finished");
}

/// <summary>The system that runs syncs refused to start a run (or to say whether one still runs); the message says what it answered.</summary>
public sealed class RunStartRefusedException(string message, Exception? innerException = null) : Exception(message, innerException);
