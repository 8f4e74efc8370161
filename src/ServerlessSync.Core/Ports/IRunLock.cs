namespace ServerlessSync.Core.Ports;

/// <summary>
/// Keeps two runs of one connector from overlapping (a scheduled run and one started through the API, say). A run
/// holds its connector's lock from start to finish; the lock is a lease, so a run whose workflow died without
/// finishing (an execution timeout, a deleted execution) stops blocking the connector once the lease has ended.
/// </summary>
public interface IRunLock
{
    /// <summary>
    /// Takes the connector's lock for <paramref name="runId"/> until <paramref name="now"/> + <paramref name="lease"/>:
    /// granted when nobody holds it, the holder's lease has ended (<c>expiresAt &lt;= now</c>), or the holder is
    /// <paramref name="runId"/> itself (a retried start renews its lease). Otherwise changes nothing and answers
    /// who holds it and until when.
    /// </summary>
    Task<RunLockResult> TryAcquireAsync(string connectorId, string runId, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Gives the lock up if <paramref name="runId"/> holds it; a no-op otherwise (another run took it over after the lease ended).</summary>
    Task ReleaseAsync(string connectorId, string runId, CancellationToken cancellationToken);
}

/// <summary>The answer to <see cref="IRunLock.TryAcquireAsync"/>.</summary>
/// <param name="Acquired">true when the caller holds the lock now</param>
/// <param name="HolderRunId">the run holding the lock (the caller's when acquired)</param>
/// <param name="ExpiresAt">when the holder's lease ends</param>
/// <param name="TakenOverRunId">when acquired from a run whose lease had ended, that run's id (its workflow died: close it)</param>
public sealed record RunLockResult(bool Acquired, string HolderRunId, DateTimeOffset ExpiresAt, string? TakenOverRunId = null);

/// <summary>A run was asked to start while another run of the same connector holds its lock.</summary>
public sealed class RunInProgressException(string connectorId, string runningRunId, DateTimeOffset leaseExpiresAt)
    : Exception($"connector {connectorId} is already running run {runningRunId}; a new run can start when it finishes (or after {leaseExpiresAt:u}, if it never does)")
{
    public string ConnectorId { get; } = connectorId;

    public string RunningRunId { get; } = runningRunId;

    public DateTimeOffset LeaseExpiresAt { get; } = leaseExpiresAt;
}
