using ServerlessSync.Core.Model;

namespace ServerlessSync.Core.Ports;

/// <summary>Connector, cursors and run history (an SQLite file locally, DynamoDB in the cloud).</summary>
public interface IStatusStore
{
    Task<ConnectorState?> GetConnectorAsync(string connectorId, CancellationToken cancellationToken);

    Task PutConnectorAsync(ConnectorState state, CancellationToken cancellationToken);

    Task<IReadOnlyList<ObjectState>> GetObjectsAsync(string connectorId, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the object's cursor to <paramref name="newCursor"/> and adds the outcome to its totals, but only
    /// if the stored cursor still equals <paramref name="expectedCursor"/> (null: no cursor yet). Returns false,
    /// changing nothing, when another run moved it first. With <paramref name="fullSync"/> (the window was historical:
    /// the first sync or a full re-sync) it also sets <see cref="ObjectState.LastFullSyncAt"/> to <paramref name="newCursor"/>.
    /// </summary>
    Task<bool> TryAdvanceCursorAsync(string connectorId, string objectName, DateTimeOffset? expectedCursor, DateTimeOffset newCursor, LoadOutcome outcome, DateTimeOffset loadedAt, bool fullSync, CancellationToken cancellationToken);


    /// <summary>Creates or replaces the run (its own fields; object records are kept separately).</summary>
    Task PutRunAsync(RunRecord run, CancellationToken cancellationToken);

    /// <summary>Creates or replaces one object's record within a run.</summary>
    Task PutObjectRunAsync(string connectorId, ObjectRunRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// Adds (<paramref name="running"/>) or takes away (the slice is staged: its jobs ended) one slice's export jobs
    /// (<paramref name="jobs"/>, "aqua 8a1f…, deletes 2c3…") in the object's record of the run, and sets how many slices are
    /// staged to <paramref name="slicesDone"/> (null: as recorded), leaving the rest of the record as it is: slices submitted and staged at
    /// once each keep their ids (<see cref="ObjectRunRecord.Jobs"/> lists every running slice's jobs). A no-op when the
    /// object has no record in the run.
    /// </summary>
    Task PutSliceJobsAsync(string connectorId, string runId, string objectName, string jobs, bool running, int? slicesDone, CancellationToken cancellationToken);

    /// <summary>
    /// Records where run <paramref name="runId"/> is now (<see cref="RunRecord.Progress"/>), replacing what was recorded
    /// before; a no-op for a run the store does not have. <see cref="PutRunAsync"/> clears it.
    /// </summary>
    Task PutRunProgressAsync(string connectorId, string runId, RunProgress progress, CancellationToken cancellationToken);

    /// <summary>The run with its object records (and its progress while one is recorded), or null.</summary>
    Task<RunRecord?> GetRunAsync(string connectorId, string runId, CancellationToken cancellationToken);

    /// <summary>Runs newest first, with their object records.</summary>
    Task<IReadOnlyList<RunRecord>> ListRunsAsync(string connectorId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// One page of at most <paramref name="limit"/> runs, newest first (by start instant, then by run id, both
    /// descending), each with its object records by name: the first page when <paramref name="pageToken"/> is null,
    /// else the runs that sort after the page the token came with. The page's token is null when no run follows it.
    /// A run started since the first page was read sorts before it and is not listed by later pages.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="pageToken"/> is not a token this method gave for the connector.</exception>
    Task<RunPage> ListRunsPageAsync(string connectorId, int limit, string? pageToken, CancellationToken cancellationToken);
}
