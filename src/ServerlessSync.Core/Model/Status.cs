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

// The connector as a Status tab shows it.
public sealed record ConnectorState(
    string ConnectorId,
    string Source,
    ConnectorStatus Status,
    IReadOnlyList<string> SelectedObjects,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    // The window end of the last run in which every selected object loaded: data is good up to here.
    DateTimeOffset? LastGoodDataAt,
    string? LastError,
    string? LastRunId);

// Per object: where the next incremental window starts, and running totals.
public sealed record ObjectState(
    string ConnectorId,
    string ObjectName,
    // The end of the last committed window; null until the historical sync committed.
    DateTimeOffset? Cursor,
    DateTimeOffset? LastLoadedAt,
    long TotalInserted,
    long TotalUpdated,
    long TotalDeleted,
    // The window end of the last committed historical (full) read: the first sync or a periodic full re-sync; null when none is recorded.
    DateTimeOffset? LastFullSyncAt = null)
{
    public bool HistoricalComplete => Cursor is not null;
}

// One object's part of one run.
public sealed record ObjectRunRecord(
    string RunId,
    string ObjectName,
    SyncMode Mode,
    DateTimeOffset? WindowStart,
    DateTimeOffset WindowEnd,
    RunStatus Status,
    long RowsExtracted,
    long RowsInserted,
    long RowsUpdated,
    long RowsDeleted,
    int Files,
    long Bytes,
    long ExtractMilliseconds,
    long LoadMilliseconds,
    string? ManifestKey,
    string? Error,
    // True for a periodic full re-sync: a historical window (Mode Historical) of an object that already had a cursor.
    bool FullResync = false);

// One sync run of a connector.
public sealed record RunRecord(
    string RunId,
    string ConnectorId,
    RunMode Mode,
    RunStatus Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    string? Error,
    IReadOnlyList<ObjectRunRecord> Objects);
