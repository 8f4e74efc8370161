namespace ServerlessSync.Testing;

/// <summary>Values and records for status store tests (<see cref="StatusStoreContract{TStore}"/> and each store's own).</summary>
public static class StatusSamples
{
    public const string Connector = "acme";

    // Ticks below the microsecond and non-UTC offsets: a store must keep the instant to the tick.
    public static readonly DateTimeOffset T0 = new DateTimeOffset(2025, 3, 1, 10, 15, 30, TimeSpan.FromHours(1)).AddTicks(1_234_567);
    public static readonly DateTimeOffset T1 = new DateTimeOffset(2025, 3, 2, 0, 0, 0, TimeSpan.Zero).AddTicks(5);
    public static readonly DateTimeOffset T2 = new DateTimeOffset(2025, 3, 3, 23, 59, 59, TimeSpan.FromMinutes(-330));

    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>A failed connector with every field set, to be replaced by one with fewer.</summary>
    public static ConnectorState FailedConnector => StatusBuilders.Connector(
        source: "files",
        status: ConnectorStatus.Failed,
        selectedObjects: ["a"],
        lastGoodDataAt: T1,
        lastError: "e",
        lastRunId: "run-1");

    /// <summary>A finished object record with every count set.</summary>
    public static ObjectRunRecord ObjectRun(string runId, string objectName) =>
        StatusBuilders.ObjectRun(
            runId: runId,
            objectName: objectName,
            windowStart: T0,
            rowsExtracted: 1,
            rowsInserted: 1,
            files: 1,
            bytes: 10,
            extractMilliseconds: 2,
            loadMilliseconds: 3,
            manifestKey: $"{runId}/{objectName}");

    /// <summary>
    /// Writes a connector as a status view shows it (UTC times, as the pipeline writes them): two selected objects, one
    /// with a cursor, one never loaded; a succeeded historical run and a newer failed mixed one, with their object records.
    /// </summary>
    public static async Task WriteConnectorWithRunsAsync(IStatusStore store, string connectorId)
    {
        var start = new DateTimeOffset(2026, 11, 26, 20, 0, 0, TimeSpan.Zero);
        await store.PutConnectorAsync(StatusBuilders.Connector(
            connectorId: connectorId,
            status: ConnectorStatus.Failed,
            selectedObjects: ["invoice", "account"],
            createdAt: start,
            updatedAt: start.AddHours(1).AddMinutes(5),
            lastGoodDataAt: start.AddMinutes(1),
            lastError: "invoice: COPY failed",
            lastRunId: "run-2"), None);
        await store.TryAdvanceCursorAsync(connectorId, "account", null, start.AddMinutes(1), new LoadOutcome(40, 0, 0, 0, false), start.AddMinutes(2), fullSync: true, None);
        await store.PutRunAsync(StatusBuilders.Run(runId: "run-1", connectorId: connectorId, mode: RunMode.Historical, startedAt: start, endedAt: start.AddMinutes(3)), None);
        await store.PutObjectRunAsync(connectorId, StatusBuilders.ObjectRun(
            runId: "run-1",
            objectName: "account",
            windowEnd: start.AddMinutes(1),
            rowsExtracted: 40,
            rowsInserted: 40,
            files: 1,
            bytes: 2048,
            extractMilliseconds: 700,
            loadMilliseconds: 300,
            manifestKey: "runs/acme/run-1/account/account.manifest.json"), None);
        await store.PutRunAsync(StatusBuilders.Run(
            runId: "run-2",
            connectorId: connectorId,
            mode: RunMode.Mixed,
            status: RunStatus.Failed,
            startedAt: start.AddHours(1),
            endedAt: start.AddHours(1).AddMinutes(5),
            error: "1 of 2 objects failed"), None);
        await store.PutObjectRunAsync(connectorId, StatusBuilders.ObjectRun(
            runId: "run-2",
            objectName: "account",
            windowStart: start,
            windowEnd: start.AddHours(1),
            rowsExtracted: 3,
            rowsUpdated: 3,
            files: 1,
            bytes: 300,
            extractMilliseconds: 90,
            loadMilliseconds: 40,
            manifestKey: "runs/acme/run-2/account/account.manifest.json"), None);
        await store.PutObjectRunAsync(connectorId, StatusBuilders.ObjectRun(
            runId: "run-2",
            objectName: "invoice",
            windowEnd: start.AddHours(1),
            status: RunStatus.Failed,
            rowsExtracted: 12,
            files: 1,
            bytes: 900,
            extractMilliseconds: 120,
            error: "COPY failed: line 3, column amount"), None);
    }

    /// <summary>
    /// Writes every time a status store keeps (connector, cursor, run, object record, claim lease, run lock lease), each with a
    /// non-UTC offset and ticks below the microsecond, and reads each one back through <paramref name="store"/>.
    /// </summary>
    public static async Task<IReadOnlyList<TimeReadBack>> RoundTripEveryTimeAsync<TStore>(TStore store)
        where TStore : IStatusStore, ILoadClaims, IRunLock
    {
        var lease = TimeSpan.FromMinutes(5);
        await store.PutConnectorAsync(StatusBuilders.Connector(source: "files", updatedAt: T2, lastGoodDataAt: T0.AddHours(1), lastRunId: "run-1"), None);
        await store.TryAdvanceCursorAsync(Connector, "account", null, T2.AddHours(1), LoadOutcome.Replayed, T0.AddHours(2), fullSync: false, None);
        await store.PutRunAsync(StatusBuilders.Run(runId: "run-1", endedAt: T2), None);
        await store.PutObjectRunAsync(Connector, ObjectRun("run-1", "account") with { WindowStart = T2.AddHours(2), WindowEnd = T0.AddHours(3) }, None);
        var granted = await store.TryClaimAsync(Connector, "load-1", "a", T2, lease, None);
        var held = await store.TryClaimAsync(Connector, "load-1", "b", T2, lease, None);
        var locked = await store.TryAcquireAsync(Connector, "run-1", T0, lease, None);
        var locking = await store.TryAcquireAsync(Connector, "run-2", T0, lease, None);

        var connector = (await store.GetConnectorAsync(Connector, None))!;
        var cursor = Assert.Single(await store.GetObjectsAsync(Connector, None));
        var run = (await store.GetRunAsync(Connector, "run-1", None))!;
        var listed = Assert.Single(await store.ListRunsAsync(Connector, 1, None));
        return
        [
            new("connector created", T0, connector.CreatedAt),
            new("connector updated", T2, connector.UpdatedAt),
            new("connector last good data", T0.AddHours(1), connector.LastGoodDataAt),
            new("object cursor", T2.AddHours(1), cursor.Cursor),
            new("object last loaded", T0.AddHours(2), cursor.LastLoadedAt),
            new("run started", T0, run.StartedAt),
            new("run ended", T2, run.EndedAt),
            new("listed run started", T0, listed.StartedAt),
            new("object run window start", T2.AddHours(2), Assert.Single(run.Objects).WindowStart),
            new("object run window end", T0.AddHours(3), Assert.Single(run.Objects).WindowEnd),
            new("granted claim's lease", T2 + lease, granted.LeaseExpiresAt),
            new("held claim's lease", T2 + lease, held.LeaseExpiresAt),
            new("granted run lock's lease", T0 + lease, locked.ExpiresAt),
            new("held run lock's lease", T0 + lease, locking.ExpiresAt),
        ];
    }
}

/// <summary>A time given to a store and the one it gave back.</summary>
public sealed record TimeReadBack(string Field, DateTimeOffset Written, DateTimeOffset? Read);
