using ServerlessSync.Core.Model;

namespace ServerlessSync.Core.Ports;

/// <summary>The latest run of each connector's destination checks (in the cloud, an item of the status table).</summary>
public interface IDestinationCheckStore
{
    /// <summary>Replaces the connector's latest check run with <paramref name="run"/>.</summary>
    Task PutLatestChecksAsync(DestinationCheckRun run, CancellationToken cancellationToken);

    /// <summary>The connector's latest check run, or null when its checks never ran.</summary>
    Task<DestinationCheckRun?> GetLatestChecksAsync(string connectorId, CancellationToken cancellationToken);
}
