namespace ServerlessSync.Testing;

/// <summary>
/// The status records tests write and expect, built by name: a test names what it cares about and takes these defaults
/// for the rest (the connector <see cref="StatusSamples.Connector"/>, run <c>run-1</c>, times <see cref="StatusSamples.T0"/>
/// and <see cref="StatusSamples.T1"/>, counts zero, no error).
/// </summary>
public static class StatusBuilders
{
    public static ConnectorState Connector(
        string connectorId = StatusSamples.Connector,
        string source = "synthetic",
        ConnectorStatus status = ConnectorStatus.Active,
        IReadOnlyList<string>? selectedObjects = null,
        DateTimeOffset? createdAt = null,
        DateTimeOffset? updatedAt = null,
        DateTimeOffset? lastGoodDataAt = null,
        string? lastError = null,
        string? lastRunId = null) => new()
        {
            ConnectorId = connectorId,
            Source = source,
            Status = status,
            SelectedObjects = selectedObjects ?? [],
            CreatedAt = createdAt ?? StatusSamples.T0,
            UpdatedAt = updatedAt ?? createdAt ?? StatusSamples.T0,
            LastGoodDataAt = lastGoodDataAt,
            LastError = lastError,
            LastRunId = lastRunId,
        };

    public static ObjectState Object(
        string objectName = "account",
        string connectorId = StatusSamples.Connector,
        DateTimeOffset? cursor = null,
        DateTimeOffset? lastLoadedAt = null,
        long totalInserted = 0,
        long totalUpdated = 0,
        long totalDeleted = 0,
        DateTimeOffset? lastFullSyncAt = null) => new()
        {
            ConnectorId = connectorId,
            ObjectName = objectName,
            Cursor = cursor,
            LastLoadedAt = lastLoadedAt,
            TotalInserted = totalInserted,
            TotalUpdated = totalUpdated,
            TotalDeleted = totalDeleted,
            LastFullSyncAt = lastFullSyncAt,
        };

    public static RunRecord Run(
        string runId = "run-1",
        string connectorId = StatusSamples.Connector,
        RunMode mode = RunMode.Incremental,
        RunStatus status = RunStatus.Succeeded,
        DateTimeOffset? startedAt = null,
        DateTimeOffset? endedAt = null,
        string? error = null,
        IReadOnlyList<ObjectRunRecord>? objects = null) => new()
        {
            RunId = runId,
            ConnectorId = connectorId,
            Mode = mode,
            Status = status,
            StartedAt = startedAt ?? StatusSamples.T0,
            EndedAt = endedAt,
            Error = error,
            Objects = objects ?? [],
        };

    /// <summary>One object's part of a run; <paramref name="mode"/> defaults to the window's (historical without a start).</summary>
    public static ObjectRunRecord ObjectRun(
        string runId = "run-1",
        string objectName = "account",
        SyncMode? mode = null,
        DateTimeOffset? windowStart = null,
        DateTimeOffset? windowEnd = null,
        RunStatus status = RunStatus.Succeeded,
        long rowsExtracted = 0,
        long rowsInserted = 0,
        long rowsUpdated = 0,
        long rowsDeleted = 0,
        int files = 0,
        long bytes = 0,
        long extractMilliseconds = 0,
        long loadMilliseconds = 0,
        string? manifestKey = null,
        string? error = null,
        bool fullResync = false) => new()
        {
            RunId = runId,
            ObjectName = objectName,
            Mode = mode ?? (windowStart is null ? SyncMode.Historical : SyncMode.Incremental),
            WindowStart = windowStart,
            WindowEnd = windowEnd ?? StatusSamples.T1,
            Status = status,
            RowsExtracted = rowsExtracted,
            RowsInserted = rowsInserted,
            RowsUpdated = rowsUpdated,
            RowsDeleted = rowsDeleted,
            Files = files,
            Bytes = bytes,
            ExtractMilliseconds = extractMilliseconds,
            LoadMilliseconds = loadMilliseconds,
            ManifestKey = manifestKey,
            Error = error,
            FullResync = fullResync,
        };
}
