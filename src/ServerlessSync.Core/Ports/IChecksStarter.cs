namespace ServerlessSync.Core.Ports;

/// <summary>
/// Starts a connector's destination checks for the status API (<c>POST /connectors/{id}/checks</c>) without waiting for
/// them: an asynchronous invocation of the Doctor function in the cloud. The checks keep their result as the connector's
/// latest (<see cref="IDestinationCheckStore"/>).
/// </summary>
public interface IChecksStarter
{
    /// <summary>Starts the checks of <paramref name="connectorId"/>; returns a reference to the start (a request id).</summary>
    /// <exception cref="RunStartRefusedException">the system that runs the checks refused the start</exception>
    Task<string> StartChecksAsync(string connectorId, CancellationToken cancellationToken);
}
