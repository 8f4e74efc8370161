using System.Text.Json.Serialization;

namespace ServerlessSync.Core.Model;

// Stored and served as IN_PROGRESS, ACTIVE, FAILED (WireEnumConverter).
[JsonConverter(typeof(WireEnumConverter<ConnectorStatus>))]
public enum ConnectorStatus
{
    /// <summary>Some selected object has not finished its historical sync.</summary>
    InProgress,
    /// <summary>Every selected object finished its historical sync and the last run succeeded.</summary>
    Active,
    /// <summary>The last run failed; ConnectorState.LastError says why.</summary>
    Failed,
}

// Stored and served as RUNNING, SUCCEEDED, FAILED (WireEnumConverter).
[JsonConverter(typeof(WireEnumConverter<RunStatus>))]
public enum RunStatus
{
    Running,
    Succeeded,
    Failed,
}

// Stored and served as HISTORICAL, INCREMENTAL, MIXED (WireEnumConverter).
[JsonConverter(typeof(WireEnumConverter<RunMode>))]
public enum RunMode
{
    /// <summary>Every object of the run read a historical window.</summary>
    Historical,
    /// <summary>No object of the run read a historical window.</summary>
    Incremental,
    /// <summary>Some objects read historical windows, others incremental ones.</summary>
    Mixed,
}

// The records below are built by name. Required: what identifies a record and its state. Optional: what stays null,
// zero or empty until something happens (an error, a cursor, counts). JSON keeps the members in declaration order.

// The connector as a Status tab shows it.
public sealed record ConnectorState
{
    public required string ConnectorId { get; init; }

    public required string Source { get; init; }

    public required ConnectorStatus Status { get; init; }

    public required IReadOnlyList<string> SelectedObjects { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    // The window end of the last run in which every selected object loaded: data is good up to here.
    public DateTimeOffset? LastGoodDataAt { get; init; }

    public string? LastError { get; init; }

    public string? LastRunId { get; init; }
}

// Per object: where the next incremental window starts, and running totals.
public sealed record ObjectState
{
    public required string ConnectorId { get; init; }

    public required string ObjectName { get; init; }

    // The end of the last committed window; null until the historical sync committed.
    public DateTimeOffset? Cursor { get; init; }

    public DateTimeOffset? LastLoadedAt { get; init; }

    public long TotalInserted { get; init; }

    public long TotalUpdated { get; init; }

    public long TotalDeleted { get; init; }

    // The window end of the last committed historical (full) read: the first sync or a periodic full re-sync; null when none is recorded.
    public DateTimeOffset? LastFullSyncAt { get; init; }

    public bool HistoricalComplete => Cursor is not null;
}

// One object's part of one run.
public sealed record ObjectRunRecord
{
    public required string RunId { get; init; }

    public required string ObjectName { get; init; }

    public required SyncMode Mode { get; init; }

    // Null for a historical window.
    public DateTimeOffset? WindowStart { get; init; }

    public required DateTimeOffset WindowEnd { get; init; }

    public required RunStatus Status { get; init; }

    public long RowsExtracted { get; init; }

    public long RowsInserted { get; init; }

    public long RowsUpdated { get; init; }

    public long RowsDeleted { get; init; }

    public int Files { get; init; }

    public long Bytes { get; init; }

    public long ExtractMilliseconds { get; init; }

    public long LoadMilliseconds { get; init; }

    public string? ManifestKey { get; init; }

    public string? Error { get; init; }

    // True for a periodic full re-sync: a historical window (Mode Historical) of an object that already had a cursor.
    public bool FullResync { get; init; }

    // While the source's export jobs run (the cloud's state machine waits for them): when the object's latest jobs were
    // submitted and their ids ("aqua 8a1f…, deletes 2c3…"); null when the source reads without jobs.
    public DateTimeOffset? JobsSubmittedAt { get; init; }

    public string? Jobs { get; init; }

    // A historical read in slices: how many of them are staged, of how many (both 0 when not sliced).
    public int SlicesDone { get; init; }

    public int SlicesTotal { get; init; }

    /// <summary>"waiting for Zuora job aqua 8a1f… (12 minutes)", sliced "waiting for Zuora jobs aqua 8a1f…, aqua 2c3… (12 minutes), slices 3 of 8", while jobs run and nothing is extracted yet; null otherwise.</summary>
    public string? WaitingText(DateTimeOffset now, string sourceTitle)
    {
        if (Status != RunStatus.Running || RowsExtracted > 0 || (JobsSubmittedAt is null && SlicesTotal == 0))
        {
            return null;
        }

        var minutes = JobsSubmittedAt is { } since ? $" ({Math.Max(0, (int)(now - since).TotalMinutes)} minutes)" : "";
        // A sliced object lists the jobs of every slice still running.
        var job = Jobs is null ? $"waiting for {sourceTitle} jobs{minutes}"
            : SlicesTotal > 0 ? $"waiting for {sourceTitle} jobs {Jobs}{minutes}"
            : $"waiting for {sourceTitle} job {Jobs}{minutes}";
        return SlicesTotal > 0 ? $"{job}, slices {SlicesDone} of {SlicesTotal}" : job;
    }
}

// One sync run of a connector.
public sealed record RunRecord
{
    public required string RunId { get; init; }

    public required string ConnectorId { get; init; }

    public required RunMode Mode { get; init; }

    public required RunStatus Status { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public string? Error { get; init; }

    public IReadOnlyList<ObjectRunRecord> Objects { get; init; } = [];

    /// <summary>Where a running run is, as its runner last recorded it (<c>IStatusStore.PutRunProgressAsync</c>); null when none is recorded or the run has ended.</summary>
    public RunProgress? Progress { get; init; }
}

/// <summary>
/// A running run's live progress: the object it works on (the <see cref="ObjectIndex"/>th of <see cref="ObjectCount"/>,
/// 1-based), what it is doing (<c>extracting</c>, <c>loading</c>), the rows and compressed bytes staged so far for that
/// object, and when the run and the object started and this was recorded. Rate and time left are worked out from these.
/// </summary>
public sealed record RunProgress
{
    public required int ObjectIndex { get; init; }

    public required int ObjectCount { get; init; }

    public required string ObjectName { get; init; }

    public required string Phase { get; init; }

    public long Rows { get; init; }

    public long Bytes { get; init; }

    /// <summary>When the run started, on the same clock as the other two times (the recorder's, which may not be the pipeline's).</summary>
    public required DateTimeOffset RunStartedAt { get; init; }

    public required DateTimeOffset ObjectStartedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }
}
