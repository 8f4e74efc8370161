namespace ServerlessSync.Core.Ports;

/// <summary>
/// How a load reports back to the workflow that waits for it (Step Functions' SendTaskSuccess /
/// SendTaskFailure in the cloud; an in-process completion locally). Sending twice for one token is not
/// an error: the second send is ignored.
/// </summary>
public interface ITaskCallbacks
{
    Task SendSuccessAsync(string taskToken, LoadReport report, CancellationToken cancellationToken);

    Task SendFailureAsync(string taskToken, string error, string cause, CancellationToken cancellationToken);
}

/// <summary>What the load of one manifest did.</summary>
public sealed record LoadReport(string ManifestKey, string ObjectName, LoadOutcome Outcome, long LoadMilliseconds);
