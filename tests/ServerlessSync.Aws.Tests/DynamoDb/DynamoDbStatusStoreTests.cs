using System.Text;
using Amazon.DynamoDBv2.Model;
using ServerlessSync.Aws.DynamoDb;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Testing;
using static ServerlessSync.Testing.StatusSamples;

namespace ServerlessSync.Aws.Tests.DynamoDb;

/// <summary>
/// What only the DynamoDB store does: the table, the items as documented, query paging, errors cut to the item
/// limit, escaped keys, a run before its object records and a run's start fixed, times given back in UTC. What every
/// status store does is in <see cref="DynamoDbStatusStoreContractTests"/>.
/// </summary>
public sealed class DynamoDbStatusStoreTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly StatusTable _table = new();

    public Task InitializeAsync() => _table.InitializeAsync();

    public Task DisposeAsync() => _table.DisposeAsync();

    [Fact]
    public async Task CreateTable_Exists_AcceptedAndDataKept()
    {
        var store = _table.Store();
        await store.PutConnectorAsync(StatusBuilders.Connector(source: "files"), None);

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

    [Fact]
    public async Task EveryTime_ReadBack_InUtc()
    {
        var times = await RoundTripEveryTimeAsync(_table.Store());

        // The same instant is the contract's (EveryTime_ReadBack_SameInstantToTheTick); the offset is this store's.
        Assert.All(times, t => Assert.True(t.Read?.Offset == TimeSpan.Zero, $"{t.Field}: wrote {t.Written:O}, read {t.Read:O}"));
    }

    [Fact]
    public async Task PutConnector_NullFields_NoAttributes()
    {
        var store = _table.Store();
        await store.PutConnectorAsync(FailedConnector, None);

        await store.PutConnectorAsync(StatusBuilders.Connector(source: "files", updatedAt: T2), None);

        var item = await _table.ItemAsync("CONNECTOR#acme", "CONNECTOR");
        Assert.False(item!.ContainsKey("lastError"));
        Assert.False(item.ContainsKey("lastGoodDataAt"));
        Assert.False(item.ContainsKey("lastRunId"));
    }

    [Fact]
    public async Task PutRun_OtherStartTime_ThrowsAndKeepsRun()
    {
        var store = _table.Store();
        var run = StatusBuilders.Run(runId: "run-1", mode: RunMode.Historical, status: RunStatus.Running);
        await store.PutRunAsync(run, None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.PutRunAsync(run with { StartedAt = T1 }, None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => _table.Store().PutRunAsync(run with { StartedAt = T0.AddTicks(1) }, None));

        StatusAssert.Run(run, Assert.Single(await store.ListRunsAsync(Connector, 10, None)));
    }

    [Fact]
    public async Task PutObjectRun_RunNotRecorded_ThrowsAndWritesNothing()
    {
        var store = _table.Store();
        var record = StatusBuilders.ObjectRun(runId: "run-1", objectName: "account", windowStart: T0, status: RunStatus.Running);

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
            await store.PutRunAsync(StatusBuilders.Run(runId: id, startedAt: T1), None);
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
    public async Task ListRuns_SmallQueryPages_SameOrderLimitAndObjects()
    {
        var written = await RunHistory.WriteAsync(_table.Store());

        foreach (var pageSize in new[] { 1, 2, 3 })
        {
            await RunHistory.AssertListedAsync(_table.Store(pageSize), written);
        }
    }

    [Fact]
    public async Task ListRunsPage_SmallQueryPagesAndIdsHoldingSeparators_SamePages()
    {
        var writer = _table.Store();
        var written = await RunPages.WriteFiveAsync(writer);
        // At one start: "run" sorts before its object records and before ids that extend it.
        string[] ids = ["run", "run#OBJECT#x", "run%23OBJECT%23x", "run-1"];
        foreach (var id in ids)
        {
            await writer.PutRunAsync(StatusBuilders.Run(runId: id, connectorId: "ids", startedAt: T1), None);
            await writer.PutObjectRunAsync("ids", ObjectRun(id, "account"), None);
        }

        foreach (var pageSize in new[] { 1, 2, 3 })
        {
            var reader = _table.Store(pageSize);
            var listed = new List<RunRecord>();
            var listedIds = new List<string>();
            string? token = null;
            do
            {
                var page = await reader.ListRunsPageAsync(Connector, 2, token, None);
                listed.AddRange(page.Runs);
                token = page.NextPageToken;
            }
            while (token is not null);

            do
            {
                var page = await reader.ListRunsPageAsync("ids", 1, token, None);
                listedIds.AddRange(page.Runs.Select(r => $"{r.RunId}:{string.Join(",", r.Objects.Select(o => o.RunId))}"));
                token = page.NextPageToken;
            }
            while (token is not null);

            Assert.Equal(written.Count, listed.Count);
            foreach (var (expected, actual) in written.Zip(listed))
            {
                StatusAssert.Run(expected, actual);
            }

            Assert.Equal(["run-1:run-1", "run%23OBJECT%23x:run%23OBJECT%23x", "run#OBJECT#x:run#OBJECT#x", "run:run"], listedIds);
        }
    }

    [Fact]
    public async Task Reads_SmallQueryPages_SameResults()
    {
        var writer = _table.Store();
        var names = Enumerable.Range(0, 7).Select(i => $"object-{i}").ToList();
        await writer.PutRunAsync(StatusBuilders.Run(runId: "run-1", mode: RunMode.Historical, status: RunStatus.Running), None);
        foreach (var name in names)
        {
            await writer.TryAdvanceCursorAsync(Connector, name, null, T1, LoadOutcome.Replayed, T1, fullSync: false, None);
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
        await store.PutConnectorAsync(StatusBuilders.Connector(source: "files", selectedObjects: ["account"], lastRunId: "r1"), None);
        await store.TryAdvanceCursorAsync(Connector, "account", null, T1, LoadOutcome.Replayed, T1, fullSync: false, None);
        await store.PutRunAsync(StatusBuilders.Run(runId: "r1", mode: RunMode.Historical, status: RunStatus.Running), None);
        await store.PutObjectRunAsync(Connector, ObjectRun("r1", "account"), None);
        await store.TryClaimAsync(Connector, "load-1", "me", T1, TimeSpan.FromMinutes(5), None);
        await store.TryAcquireAsync(Connector, "r1", T0, TimeSpan.FromHours(1), None);

        var items = await _table.PartitionAsync("CONNECTOR#acme");

        Assert.Equal(
            [
                "CONNECTOR CONNECTOR",
                "LOAD LOAD#load-1",
                "OBJECT OBJECT#account",
                "RUN RUN#2025-03-01T09:15:30.1234567Z#r1",
                "OBJECT_RUN RUN#2025-03-01T09:15:30.1234567Z#r1#OBJECT#account",
                "RUN_LOCATOR RUNID#r1",
                "RUN_LOCK RUNLOCK",
            ],
            items.Select(i => $"{i["type"].S} {i["sk"].S}"));
        var objectItem = items.Single(i => i["sk"].S == "OBJECT#account");
        Assert.Equal("2025-03-02T00:00:00.0000005Z", objectItem["cursor"].S);
        Assert.Equal("RUN#2025-03-01T09:15:30.1234567Z#r1", items.Single(i => i["type"].S == "RUN_LOCATOR")["runSk"].S);
        Assert.Equal(["account"], items.Single(i => i["type"].S == "CONNECTOR")["selectedObjects"].L.Select(v => v.S));
        var runLock = items.Single(i => i["type"].S == "RUN_LOCK");
        Assert.Equal(("r1", "2025-03-01T10:15:30.1234567Z", "2025-03-01T09:15:30.1234567Z"), (runLock["holder"].S, runLock["leaseExpiresAt"].S, runLock["acquiredAt"].S));
    }

    [Fact]
    public async Task LongErrors_CutToBoundOnEveryItem()
    {
        var store = _table.Store();
        // 500 KB: over DynamoDB's item limit; two-byte and four-byte characters, so a careless cut would split one.
        var error = "first line\n" + string.Concat(Enumerable.Repeat("é😀x", 70_000));
        Assert.True(Encoding.UTF8.GetByteCount(error) > 400_000);

        await store.PutConnectorAsync(StatusBuilders.Connector(source: "files", status: ConnectorStatus.Failed, lastError: error), None);
        await store.PutRunAsync(StatusBuilders.Run(runId: "run-1", mode: RunMode.Historical, status: RunStatus.Failed, endedAt: T1, error: error), None);
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

        await store.PutRunAsync(StatusBuilders.Run(runId: "run-1", mode: RunMode.Historical, status: RunStatus.Failed, endedAt: T1, error: error), None);

        Assert.Equal(error, (await store.GetRunAsync(Connector, "run-1", None))!.Error);
    }
}
