using System.Globalization;
using System.Text;
using Amazon.DynamoDBv2.Model;
using ServerlessSync.Aws.DynamoDb;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Aws.Tests.DynamoDb;

// Mirrors tests/ServerlessSync.Embedded.Tests/Sqlite/SqliteStatusStoreTests.cs where the behaviour is the same.
// One difference by design: timestamps come back as UTC (the same instant, offset zero), not in the offset written.
public sealed class DynamoDbStatusStoreTests : IAsyncLifetime
{
    private const string Connector = "acme";
    private static readonly CancellationToken None = CancellationToken.None;

    // Ticks below the microsecond and non-UTC offsets: the store keeps the instant to the tick.
    private static readonly DateTimeOffset T0 = new DateTimeOffset(2025, 3, 1, 10, 15, 30, TimeSpan.FromHours(1)).AddTicks(1_234_567);
    private static readonly DateTimeOffset T1 = new DateTimeOffset(2025, 3, 2, 0, 0, 0, TimeSpan.Zero).AddTicks(5);
    private static readonly DateTimeOffset T2 = new DateTimeOffset(2025, 3, 3, 23, 59, 59, TimeSpan.FromMinutes(-330));

    private readonly StatusTable _table = new();

    public Task InitializeAsync() => _table.InitializeAsync();

    public Task DisposeAsync() => _table.DisposeAsync();

    [Fact]
    public async Task CreateTable_Exists_AcceptedAndDataKept()
    {
        var store = _table.Store();
        await store.PutConnectorAsync(new ConnectorState(Connector, "files", ConnectorStatus.ACTIVE, [], T0, T0, null, null, null), None);

        await DynamoDbStatusStore.CreateTableAsync(_table.Client, _table.Name, None);

        Assert.NotNull(await store.GetConnectorAsync(Connector, None));
        var table = (await _table.Client.DescribeTableAsync(_table.Name)).Table;
        Assert.Equal(["pk:HASH", "sk:RANGE"], table.KeySchema.Select(k => $"{k.AttributeName}:{k.KeyType}"));
        Assert.Equal("PAY_PER_REQUEST", table.BillingModeSummary?.BillingMode?.Value);
    }

    [Fact]
    public async Task CreateTable_ExistsWithOtherKeys_Throws()
    {
        var name = _table.Name + "-other";
        await _table.Client.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            BillingMode = Amazon.DynamoDBv2.BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new AttributeDefinition("id", Amazon.DynamoDBv2.ScalarAttributeType.S)],
            KeySchema = [new KeySchemaElement("id", Amazon.DynamoDBv2.KeyType.HASH)],
        });
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => DynamoDbStatusStore.CreateTableAsync(_table.Client, name, None));
            Assert.Contains("another key schema", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await _table.Client.DeleteTableAsync(name);
        }
    }

    [Theory]
    [InlineData(ConnectorStatus.IN_PROGRESS)]
    [InlineData(ConnectorStatus.ACTIVE)]
    [InlineData(ConnectorStatus.FAILED)]
    public async Task PutConnector_EveryField_RoundTrips(ConnectorStatus status)
    {
        var store = _table.Store();
        var state = new ConnectorState(Connector, "files", status, ["invoice", "account", "o'brien \"quoted\" #1"], T0, T1, T2, "boom; DROP TABLE runs; --", "run-1");

        await store.PutConnectorAsync(state, None);

        AssertConnector(state, await store.GetConnectorAsync(Connector, None));
    }

    [Fact]
    public async Task PutConnector_NullsAndEmptyList_RoundTrip()
    {
        var store = _table.Store();
        var state = new ConnectorState(Connector, "synthetic", ConnectorStatus.IN_PROGRESS, [], T0, T0, null, null, null);

        await store.PutConnectorAsync(state, None);

        AssertConnector(state, await store.GetConnectorAsync(Connector, None));
    }

    [Fact]
    public async Task PutConnector_Twice_ReplacesIncludingNulls()
    {
        var store = _table.Store();
        await store.PutConnectorAsync(new ConnectorState(Connector, "files", ConnectorStatus.FAILED, ["a"], T0, T0, T1, "e", "run-1"), None);
        var replaced = new ConnectorState(Connector, "files", ConnectorStatus.ACTIVE, ["a", "b"], T0, T2, null, null, "run-2");

        await store.PutConnectorAsync(replaced, None);

        AssertConnector(replaced, await store.GetConnectorAsync(Connector, None));
        Assert.Null(await store.GetConnectorAsync("other", None));
        var item = await _table.ItemAsync("CONNECTOR#acme", "CONNECTOR");
        Assert.False(item!.ContainsKey("lastError"));
        Assert.False(item.ContainsKey("lastGoodDataAt"));
    }

    [Fact]
    public async Task GetObjects_None_Empty()
    {
        Assert.Empty(await _table.Store().GetObjectsAsync(Connector, None));
    }

    [Fact]
    public async Task TryAdvanceCursor_ExpectedNullAndNoItem_SetsCursorTotalsAndLoadedAt()
    {
        var store = _table.Store();

        var moved = await store.TryAdvanceCursorAsync(Connector, "account", null, T1, new LoadOutcome(5, 2, 1, 9, false), T2, None);

        Assert.True(moved);
        var state = Assert.Single(await store.GetObjectsAsync(Connector, None));
        Assert.Equal(new ObjectState(Connector, "account", T1, T2, 5, 2, 1), state);
        AssertExact(T1, state.Cursor);
        AssertExact(T2, state.LastLoadedAt);
        Assert.True(state.HistoricalComplete);
    }

    [Fact]
    public async Task TryAdvanceCursor_StaleExpected_ReturnsFalseAndChangesNothing()
    {
        var store = _table.Store();
        await store.TryAdvanceCursorAsync(Connector, "account", null, T1, new LoadOutcome(5, 2, 1, 0, false), T1, None);
        var before = await _table.ItemAsync("CONNECTOR#acme", "OBJECT#account");

        Assert.False(await store.TryAdvanceCursorAsync(Connector, "account", T0, T2, new LoadOutcome(1, 1, 1, 0, false), T2, None));
        Assert.False(await store.TryAdvanceCursorAsync(Connector, "account", null, T2, new LoadOutcome(1, 1, 1, 0, false), T2, None));

        AssertSameItem(before, await _table.ItemAsync("CONNECTOR#acme", "OBJECT#account"));
        Assert.Equal(new ObjectState(Connector, "account", T1, T1, 5, 2, 1), Assert.Single(await store.GetObjectsAsync(Connector, None)));
    }

    [Fact]
    public async Task TryAdvanceCursor_ExpectedButNoItem_ReturnsFalseAndCreatesNothing()
    {
        var store = _table.Store();

        Assert.False(await store.TryAdvanceCursorAsync(Connector, "account", T0, T1, new LoadOutcome(1, 0, 0, 0, false), T1, None));

        Assert.Empty(await store.GetObjectsAsync(Connector, None));
        Assert.Empty(await _table.PartitionAsync("CONNECTOR#acme"));
    }

    [Fact]
    public async Task TryAdvanceCursor_TwoInSequence_MovesAndAccumulates()
    {
        var store = _table.Store();

        Assert.True(await store.TryAdvanceCursorAsync(Connector, "account", null, T0, new LoadOutcome(10, 0, 0, 0, false), T0, None));
        Assert.True(await store.TryAdvanceCursorAsync(Connector, "account", T0, T1, new LoadOutcome(3, 4, 2, 7, false), T1, None));
        Assert.True(await store.TryAdvanceCursorAsync(Connector, "account", T1, T2, LoadOutcome.Replayed, T2, None));

        var state = Assert.Single(await store.GetObjectsAsync(Connector, None));
        Assert.Equal(new ObjectState(Connector, "account", T2, T2, 13, 4, 2), state);
        AssertExact(T2, state.Cursor);
    }

    [Fact]
    public async Task TryAdvanceCursor_ExpectedSameInstantOtherOffset_Matches()
    {
        var store = _table.Store();
        await store.TryAdvanceCursorAsync(Connector, "account", null, T0, LoadOutcome.Replayed, T0, None);

        Assert.True(await store.TryAdvanceCursorAsync(Connector, "account", T0.ToOffset(TimeSpan.FromHours(-7)), T1, LoadOutcome.Replayed, T1, None));
    }

    [Fact]
    public async Task TryAdvanceCursor_ExpectedOneTickOff_ReturnsFalse()
    {
        var store = _table.Store();
        await store.TryAdvanceCursorAsync(Connector, "account", null, T0, LoadOutcome.Replayed, T0, None);

        Assert.False(await store.TryAdvanceCursorAsync(Connector, "account", T0.AddTicks(1), T1, LoadOutcome.Replayed, T1, None));
        Assert.False(await store.TryAdvanceCursorAsync(Connector, "account", T0.AddTicks(-1), T1, LoadOutcome.Replayed, T1, None));
        AssertExact(T0, Assert.Single(await store.GetObjectsAsync(Connector, None)).Cursor);
    }

    [Fact]
    public async Task TryAdvanceCursor_OtherObjectsAndConnectors_Independent()
    {
        var store = _table.Store();
        await store.TryAdvanceCursorAsync(Connector, "invoice", null, T1, new LoadOutcome(1, 0, 0, 0, false), T1, None);
        await store.TryAdvanceCursorAsync(Connector, "account", null, T0, new LoadOutcome(2, 0, 0, 0, false), T0, None);
        await store.TryAdvanceCursorAsync("other", "account", null, T2, new LoadOutcome(3, 0, 0, 0, false), T2, None);

        var objects = await store.GetObjectsAsync(Connector, None);

        Assert.Equal(["account", "invoice"], objects.Select(o => o.ObjectName));
        Assert.Equal([2L, 1L], objects.Select(o => o.TotalInserted));
        Assert.Equal(3L, Assert.Single(await store.GetObjectsAsync("other", None)).TotalInserted);
    }

    [Fact]
    public async Task TryAdvanceCursor_TwoStoresRaceFromSameCursor_ExactlyOneWins()
    {
        using var secondClient = StatusTable.NewClient();
        var first = _table.Store();
        var second = new DynamoDbStatusStore(secondClient, _table.Name);
        await first.TryAdvanceCursorAsync(Connector, "account", null, T0, LoadOutcome.Replayed, T0, None);

        for (var i = 0; i < 20; i++)
        {
            var from = T0.AddHours(i);
            var results = await Task.WhenAll(
                Task.Run(() => first.TryAdvanceCursorAsync(Connector, "account", from, from.AddHours(1), new LoadOutcome(1, 0, 0, 0, false), from, None)),
                Task.Run(() => second.TryAdvanceCursorAsync(Connector, "account", from, from.AddHours(1), new LoadOutcome(1, 0, 0, 0, false), from, None)));
            Assert.Single(results, r => r);
        }

        var state = Assert.Single(await first.GetObjectsAsync(Connector, None));
        Assert.Equal(T0.AddHours(20), state.Cursor);
        Assert.Equal(20, state.TotalInserted);
    }

    [Fact]
    public async Task TryAdvanceCursor_ManyRacersFromNoCursor_ExactlyOneWins()
    {
        var stores = Enumerable.Range(0, 8).Select(_ => _table.Store()).ToList();

        var results = await Task.WhenAll(stores.Select((s, i) =>
            Task.Run(() => s.TryAdvanceCursorAsync(Connector, "account", null, T1.AddHours(i), new LoadOutcome(1, 0, 0, 0, false), T1, None))));

        var winner = Assert.Single(Enumerable.Range(0, results.Length), i => results[i]);
        var state = Assert.Single(await stores[0].GetObjectsAsync(Connector, None));
        Assert.Equal(T1.AddHours(winner), state.Cursor);
        Assert.Equal(1, state.TotalInserted);
    }

    [Theory]
    [InlineData(RunStatus.RUNNING, SyncMode.Historical)]
    [InlineData(RunStatus.SUCCEEDED, SyncMode.Incremental)]
    [InlineData(RunStatus.FAILED, SyncMode.Incremental)]
    public async Task PutRunAndObjectRun_EveryField_RoundTrips(RunStatus status, SyncMode mode)
    {
        var store = _table.Store();
        var run = new RunRecord("run-1", Connector, "MIXED", status, T0, T2, "it failed", []);
        var objects = new[]
        {
            new ObjectRunRecord("run-1", "account", mode, T0, T1, status, 100, 50, 40, 10, 3, 123_456_789_012, 1_500, 2_500, "runs/acme/run-1/account/account.manifest.json", "note"),
            new ObjectRunRecord("run-1", "invoice", SyncMode.Historical, null, T2, RunStatus.RUNNING, 0, 0, 0, 0, 0, 0, 0, 0, null, null),
        };

        await store.PutRunAsync(run, None);
        foreach (var o in objects.Reverse())
        {
            await store.PutObjectRunAsync(Connector, o, None);
        }

        AssertRun(run with { Objects = objects }, await store.GetRunAsync(Connector, "run-1", None));
        // A new instance has nothing cached: it finds the run through its locator item.
        AssertRun(run with { Objects = objects }, await _table.Store().GetRunAsync(Connector, "run-1", None));
    }

    [Fact]
    public async Task PutRun_NullsAndNoObjects_RoundTrips()
    {
        var store = _table.Store();
        var run = new RunRecord("run-1", Connector, "HISTORICAL", RunStatus.RUNNING, T1, null, null, []);

        await store.PutRunAsync(run, None);

        AssertRun(run, await store.GetRunAsync(Connector, "run-1", None));
        Assert.Null(await store.GetRunAsync(Connector, "run-2", None));
        Assert.Null(await store.GetRunAsync("other", "run-1", None));
    }

    [Fact]
    public async Task PutRun_Again_ReplacesOwnFieldsAndKeepsObjectRecords()
    {
        var store = _table.Store();
        var objectRun = new ObjectRunRecord("run-1", "account", SyncMode.Historical, null, T1, RunStatus.SUCCEEDED, 1, 1, 0, 0, 1, 10, 1, 1, "m", null);
        await store.PutRunAsync(new RunRecord("run-1", Connector, "HISTORICAL", RunStatus.RUNNING, T0, null, "transient", []), None);
        await store.PutObjectRunAsync(Connector, objectRun, None);
        var finished = new RunRecord("run-1", Connector, "HISTORICAL", RunStatus.SUCCEEDED, T0, T2, null, []);

        // A run passed with other object records (a stale copy) does not overwrite the stored ones; another
        // instance (nothing cached) with the start instant in another offset writes the same item.
        await _table.Store().PutRunAsync(finished with { StartedAt = T0.ToUniversalTime(), Objects = [objectRun with { Status = RunStatus.FAILED }] }, None);

        AssertRun(finished with { Objects = [objectRun] }, await store.GetRunAsync(Connector, "run-1", None));
        Assert.Single(await store.ListRunsAsync(Connector, 10, None));
    }

    [Fact]
    public async Task PutRun_OtherStartTime_ThrowsAndKeepsRun()
    {
        var store = _table.Store();
        var run = new RunRecord("run-1", Connector, "HISTORICAL", RunStatus.RUNNING, T0, null, null, []);
        await store.PutRunAsync(run, None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.PutRunAsync(run with { StartedAt = T1 }, None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => _table.Store().PutRunAsync(run with { StartedAt = T0.AddTicks(1) }, None));

        AssertRun(run, Assert.Single(await store.ListRunsAsync(Connector, 10, None)));
    }

    [Fact]
    public async Task PutObjectRun_Again_Replaces()
    {
        var store = _table.Store();
        await store.PutRunAsync(new RunRecord("run-1", Connector, "INCREMENTAL", RunStatus.RUNNING, T0, null, null, []), None);
        var pending = new ObjectRunRecord("run-1", "account", SyncMode.Incremental, T0, T1, RunStatus.RUNNING, 0, 0, 0, 0, 0, 0, 0, 0, null, "was here");
        await store.PutObjectRunAsync(Connector, pending, None);
        var done = pending with { Status = RunStatus.SUCCEEDED, RowsExtracted = 7, RowsInserted = 7, Files = 1, Bytes = 99, ExtractMilliseconds = 5, LoadMilliseconds = 6, ManifestKey = "k", Error = null };

        await _table.Store().PutObjectRunAsync(Connector, done, None);

        var read = await store.GetRunAsync(Connector, "run-1", None);
        Assert.Equal(done, Assert.Single(read!.Objects));
    }

    [Fact]
    public async Task PutObjectRun_RunNotRecorded_ThrowsAndWritesNothing()
    {
        var store = _table.Store();
        var record = new ObjectRunRecord("run-1", "account", SyncMode.Incremental, T0, T1, RunStatus.RUNNING, 0, 0, 0, 0, 0, 0, 0, 0, null, null);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.PutObjectRunAsync(Connector, record, None));

        Assert.Contains("run-1", error.Message, StringComparison.Ordinal);
        Assert.Empty(await _table.PartitionAsync("CONNECTOR#acme"));
    }

    [Fact]
    public async Task Runs_IdsSharingPrefixOrHoldingSeparatorsAtSameStart_EachKeepsOwnItems()
    {
        var store = _table.Store();
        // "run#OBJECT#x" would be the key of run "run"'s object record "x" if ids went into keys unescaped.
        string[] ids = ["run", "run#OBJECT#x", "run%23OBJECT%23x", "run-1"];
        foreach (var id in ids)
        {
            await store.PutRunAsync(new RunRecord(id, Connector, "INCREMENTAL", RunStatus.SUCCEEDED, T1, null, null, []), None);
            await store.PutObjectRunAsync(Connector, ObjectRun(id, "account"), None);
        }

        await store.PutObjectRunAsync(Connector, ObjectRun("run", "x"), None);

        foreach (var id in ids)
        {
            var run = await _table.Store().GetRunAsync(Connector, id, None);
            Assert.Equal(id, run!.RunId);
            Assert.All(run.Objects, o => Assert.Equal(id, o.RunId));
        }

        Assert.Equal(["account", "x"], (await store.GetRunAsync(Connector, "run", None))!.Objects.Select(o => o.ObjectName));
        var listed = await store.ListRunsAsync(Connector, 10, None);
        Assert.Equal(["run-1", "run%23OBJECT%23x", "run#OBJECT#x", "run"], listed.Select(r => r.RunId));
        Assert.Equal([1, 1, 1, 2], listed.Select(r => r.Objects.Count));
    }

    [Fact]
    public async Task ListRuns_NewestFirstByStartThenRunId_WithLimitAndObjects()
    {
        var store = _table.Store();
        var start = new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);
        // Written out of order; run-c starts at 08:30Z written as 10:30+02:00, so text order would put it last.
        var runs = new[]
        {
            new RunRecord("run-b", Connector, "INCREMENTAL", RunStatus.SUCCEEDED, start.AddHours(1), start.AddHours(2), null, []),
            new RunRecord("run-a", Connector, "HISTORICAL", RunStatus.SUCCEEDED, start, start.AddHours(1), null, []),
            new RunRecord("run-d", Connector, "INCREMENTAL", RunStatus.FAILED, start.AddHours(1), null, "x", []),
            new RunRecord("run-c", Connector, "INCREMENTAL", RunStatus.SUCCEEDED, start.AddMinutes(30).ToOffset(TimeSpan.FromHours(2)), null, null, []),
            new RunRecord("run-z", "other", "INCREMENTAL", RunStatus.SUCCEEDED, start.AddDays(1), null, null, []),
            new RunRecord("run-b", "other", "INCREMENTAL", RunStatus.SUCCEEDED, start.AddDays(1), null, null, []),
        };
        foreach (var run in runs)
        {
            await store.PutRunAsync(run, None);
        }

        await store.PutObjectRunAsync(Connector, ObjectRun("run-b", "subscription"), None);
        await store.PutObjectRunAsync(Connector, ObjectRun("run-b", "account"), None);
        await store.PutObjectRunAsync(Connector, ObjectRun("run-c", "invoice"), None);
        await store.PutObjectRunAsync(Connector, ObjectRun("run-a", "account"), None);
        await store.PutObjectRunAsync("other", ObjectRun("run-b", "zzz"), None);

        foreach (var pageSize in new[] { 500, 1, 2 })
        {
            var reader = _table.Store(pageSize);
            var all = await reader.ListRunsAsync(Connector, 10, None);
            var newestThree = await reader.ListRunsAsync(Connector, 3, None);

            Assert.Equal(["run-d", "run-b", "run-c", "run-a"], all.Select(r => r.RunId));
            Assert.Equal(["run-d", "run-b", "run-c"], newestThree.Select(r => r.RunId));
            Assert.Empty(all[0].Objects);
            Assert.Equal(["account", "subscription"], all[1].Objects.Select(o => o.ObjectName));
            Assert.Equal(["invoice"], all[2].Objects.Select(o => o.ObjectName));
            Assert.Equal(["account"], all[3].Objects.Select(o => o.ObjectName));
            AssertRun(runs[0] with { Objects = [ObjectRun("run-b", "account"), ObjectRun("run-b", "subscription")] }, newestThree[1]);
            AssertRun(runs[3] with { Objects = [ObjectRun("run-c", "invoice")] }, all[2]);
            var other = await reader.ListRunsAsync("other", 10, None);
            Assert.Equal(["run-z", "run-b"], other.Select(r => r.RunId));
            Assert.Equal(["zzz"], other[1].Objects.Select(o => o.ObjectName));
        }

        Assert.Empty(await store.ListRunsAsync("nobody", 10, None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.ListRunsAsync(Connector, 0, None));
    }

    [Fact]
    public async Task Reads_SmallQueryPages_SameResults()
    {
        var writer = _table.Store();
        var names = Enumerable.Range(0, 7).Select(i => $"object-{i}").ToList();
        await writer.PutRunAsync(new RunRecord("run-1", Connector, "HISTORICAL", RunStatus.RUNNING, T0, null, null, []), None);
        foreach (var name in names)
        {
            await writer.TryAdvanceCursorAsync(Connector, name, null, T1, LoadOutcome.Replayed, T1, None);
            await writer.PutObjectRunAsync(Connector, ObjectRun("run-1", name), None);
        }

        var reader = _table.Store(queryPageSize: 2);

        Assert.Equal(names, (await reader.GetObjectsAsync(Connector, None)).Select(o => o.ObjectName));
        Assert.Equal(names, (await reader.GetRunAsync(Connector, "run-1", None))!.Objects.Select(o => o.ObjectName));
        Assert.Equal(names, Assert.Single(await reader.ListRunsAsync(Connector, 5, None)).Objects.Select(o => o.ObjectName));
    }

    [Fact]
    public async Task Items_KeysAndTypes_AsDocumented()
    {
        var store = _table.Store();
        await store.PutConnectorAsync(new ConnectorState(Connector, "files", ConnectorStatus.ACTIVE, ["account"], T0, T0, null, null, "r1"), None);
        await store.TryAdvanceCursorAsync(Connector, "account", null, T1, LoadOutcome.Replayed, T1, None);
        await store.PutRunAsync(new RunRecord("r1", Connector, "HISTORICAL", RunStatus.RUNNING, T0, null, null, []), None);
        await store.PutObjectRunAsync(Connector, ObjectRun("r1", "account"), None);
        await store.TryClaimAsync(Connector, "load-1", "me", T1, TimeSpan.FromMinutes(5), None);

        var items = await _table.PartitionAsync("CONNECTOR#acme");

        Assert.Equal(
            [
                "CONNECTOR CONNECTOR",
                "LOAD LOAD#load-1",
                "OBJECT OBJECT#account",
                "RUN RUN#2025-03-01T09:15:30.1234567Z#r1",
                "OBJECT_RUN RUN#2025-03-01T09:15:30.1234567Z#r1#OBJECT#account",
                "RUN_LOCATOR RUNID#r1",
            ],
            items.Select(i => $"{i["type"].S} {i["sk"].S}"));
        var objectItem = items.Single(i => i["sk"].S == "OBJECT#account");
        Assert.Equal("2025-03-02T00:00:00.0000005Z", objectItem["cursor"].S);
        Assert.Equal("RUN#2025-03-01T09:15:30.1234567Z#r1", items.Single(i => i["type"].S == "RUN_LOCATOR")["runSk"].S);
        Assert.Equal(["account"], items.Single(i => i["type"].S == "CONNECTOR")["selectedObjects"].L.Select(v => v.S));
    }

    [Fact]
    public async Task LongErrors_CutToBoundOnEveryItem()
    {
        var store = _table.Store();
        // 500 KB: over DynamoDB's item limit; two-byte and four-byte characters, so a careless cut would split one.
        var error = "first line\n" + string.Concat(Enumerable.Repeat("é😀x", 70_000));
        Assert.True(Encoding.UTF8.GetByteCount(error) > 400_000);

        await store.PutConnectorAsync(new ConnectorState(Connector, "files", ConnectorStatus.FAILED, [], T0, T0, null, error, null), None);
        await store.PutRunAsync(new RunRecord("run-1", Connector, "HISTORICAL", RunStatus.FAILED, T0, T1, error, []), None);
        await store.PutObjectRunAsync(Connector, ObjectRun("run-1", "account") with { Error = error }, None);
        await store.TryClaimAsync(Connector, "load-1", "me", T0, TimeSpan.FromMinutes(1), None);
        await store.ReleaseAsync(Connector, "load-1", "me", error, T0, None);

        var run = await store.GetRunAsync(Connector, "run-1", None);
        var stored = new[]
        {
            (await store.GetConnectorAsync(Connector, None))!.LastError!,
            run!.Error!,
            Assert.Single(run.Objects).Error!,
            (await _table.ItemAsync("CONNECTOR#acme", "LOAD#load-1"))!["lastError"].S,
        };
        foreach (var text in stored)
        {
            var bytes = Encoding.UTF8.GetByteCount(text);
            Assert.InRange(bytes, DynamoDbStatusStore.MaxErrorBytes - 8, DynamoDbStatusStore.MaxErrorBytes);
            Assert.StartsWith("first line\né😀x", text, StringComparison.Ordinal);
            Assert.EndsWith("… [truncated]", text, StringComparison.Ordinal);
            Assert.DoesNotContain('\uFFFD', text);
        }
    }

    [Fact]
    public async Task Error_AtBound_StoredWhole()
    {
        var store = _table.Store();
        var error = new string('e', DynamoDbStatusStore.MaxErrorBytes);

        await store.PutRunAsync(new RunRecord("run-1", Connector, "HISTORICAL", RunStatus.FAILED, T0, T1, error, []), None);

        Assert.Equal(error, (await store.GetRunAsync(Connector, "run-1", None))!.Error);
    }

    private static ObjectRunRecord ObjectRun(string runId, string objectName) =>
        new(runId, objectName, SyncMode.Incremental, T0, T1, RunStatus.SUCCEEDED, 1, 1, 0, 0, 1, 10, 2, 3, $"{runId}/{objectName}", null);

    private static void AssertSameItem(Dictionary<string, AttributeValue>? expected, Dictionary<string, AttributeValue>? actual)
    {
        static string Text(Dictionary<string, AttributeValue>? item) =>
            item is null ? "null" : string.Join("\n", item.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value.S}{p.Value.N}"));
        Assert.Equal(Text(expected), Text(actual));
    }

    private static void AssertConnector(ConnectorState expected, ConnectorState? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { SelectedObjects = [] }, actual with { SelectedObjects = [] });
        Assert.Equal(expected.SelectedObjects, actual.SelectedObjects);
        AssertExact(expected.CreatedAt, actual.CreatedAt);
        AssertExact(expected.UpdatedAt, actual.UpdatedAt);
        AssertExact(expected.LastGoodDataAt, actual.LastGoodDataAt);
    }

    private static void AssertRun(RunRecord expected, RunRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { Objects = [] }, actual with { Objects = [] });
        Assert.Equal(expected.Objects, actual.Objects);
        AssertExact(expected.StartedAt, actual.StartedAt);
        AssertExact(expected.EndedAt, actual.EndedAt);
        foreach (var (e, a) in expected.Objects.Zip(actual.Objects))
        {
            AssertExact(e.WindowStart, a.WindowStart);
            AssertExact(e.WindowEnd, a.WindowEnd);
        }
    }

    /// <summary>The same instant to the tick, returned in UTC (DateTimeOffset equality alone ignores the offset).</summary>
    private static void AssertExact(DateTimeOffset? expected, DateTimeOffset? actual) =>
        Assert.Equal(expected?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture), actual?.ToString("O", CultureInfo.InvariantCulture));
}
