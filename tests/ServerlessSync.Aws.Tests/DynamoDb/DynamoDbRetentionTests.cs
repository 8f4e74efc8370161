using System.Globalization;
using Amazon.DynamoDBv2.Model;
using ServerlessSync.Aws.DynamoDb;
using ServerlessSync.Core.Ports;
using ServerlessSync.Testing;

namespace ServerlessSync.Aws.Tests.DynamoDb;

/// <summary>
/// The status table's TTL: with a retention, runs (their items, object records and locators) and load claims carry
/// <c>expiresAt</c> (epoch seconds) at the run's start or the claim's last write plus the retention, a dead run's lock
/// at its lease's end plus the retention; connector and object items never expire. moto accepts the table's TTL
/// setting but deletes nothing, so what is checked is what each item carries.
/// </summary>
public sealed class DynamoDbRetentionTests : IAsyncLifetime
{
    private const string Connector = StatusSamples.Connector;
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);
    private static readonly DateTimeOffset Started = new(2026, 11, 26, 21, 30, 0, TimeSpan.Zero);

    private readonly StatusTable _table = new();

    public Task InitializeAsync() => _table.InitializeAsync();

    public Task DisposeAsync() => _table.DisposeAsync();

    [Fact]
    public async Task RunObjectRecordAndLocator_ExpireARetentionAfterTheRunStarted_ConnectorAndObjectNever()
    {
        var store = new DynamoDbStatusStore(_table.Client, _table.Name) { Retention = Retention };
        await store.PutConnectorAsync(StatusBuilders.Connector(connectorId: Connector, createdAt: Started, updatedAt: Started), None);
        await store.PutRunAsync(StatusBuilders.Run(runId: "run-1", connectorId: Connector, startedAt: Started), None);
        await store.PutObjectRunAsync(Connector, StatusBuilders.ObjectRun(runId: "run-1", objectName: "account", windowEnd: Started), None);
        await store.TryAdvanceCursorAsync(Connector, "account", null, Started, new LoadOutcome(1, 0, 0, 0, false), Started, fullSync: false, None);

        var expected = Epoch(Started + Retention);
        var partition = await _table.PartitionAsync(StatusKeys.Partition(Connector));
        string? ExpiresAt(string sortKey) => partition.Single(i => i["sk"].S == sortKey).GetValueOrDefault(DynamoDbStatusStore.ExpiresAtAttribute)?.N;
        var runSortKey = StatusKeys.Run(Started, "run-1");
        Assert.Equal(expected, ExpiresAt(runSortKey));
        Assert.Equal(expected, ExpiresAt(StatusKeys.ObjectRun(runSortKey, "account")));
        Assert.Equal(expected, ExpiresAt(StatusKeys.RunLocator("run-1")));
        Assert.Null(ExpiresAt(StatusKeys.ConnectorSort));
        Assert.Null(ExpiresAt(StatusKeys.Object("account")));
    }

    [Fact]
    public async Task LoadClaim_ExpiresARetentionAfterItsLastWrite()
    {
        var claims = new DynamoDbStatusStore(_table.Client, _table.Name) { Retention = Retention };
        var key = StatusKeys.Load("runs/default/run-1/account");

        await claims.TryClaimAsync(Connector, "runs/default/run-1/account", "loader-a", Started, TimeSpan.FromMinutes(15), None);
        var claimed = await ExpiresAtAsync(key);
        await claims.ReleaseAsync(Connector, "runs/default/run-1/account", "loader-a", "COPY failed", Started.AddMinutes(1), None);
        var released = await ExpiresAtAsync(key);
        await claims.TryClaimAsync(Connector, "runs/default/run-1/account", "loader-b", Started.AddMinutes(2), TimeSpan.FromMinutes(15), None);
        await claims.MarkLoadedAsync(Connector, "runs/default/run-1/account", "loader-b", new LoadOutcome(1, 0, 0, 0, false), Started.AddMinutes(3), None);
        var loaded = await ExpiresAtAsync(key);

        Assert.Equal(
            (Epoch(Started + Retention), Epoch(Started.AddMinutes(1) + Retention), Epoch(Started.AddMinutes(3) + Retention)),
            (claimed, released, loaded));
    }

    [Fact]
    public async Task RunLock_ExpiresARetentionAfterItsLeaseEnds()
    {
        var store = new DynamoDbStatusStore(_table.Client, _table.Name) { Retention = Retention };

        await store.TryAcquireAsync(Connector, "run-1", Started, TimeSpan.FromHours(24), None);

        Assert.Equal(Epoch(Started.AddHours(24) + Retention), await ExpiresAtAsync(StatusKeys.RunLockSort));
    }

    [Fact]
    public async Task NoRetention_NothingExpires()
    {
        var store = _table.Store();
        await store.PutRunAsync(StatusBuilders.Run(runId: "run-1", connectorId: Connector, startedAt: Started), None);
        await store.TryAcquireAsync(Connector, "run-1", Started, TimeSpan.FromHours(24), None);

        var partition = await _table.PartitionAsync(StatusKeys.Partition(Connector));

        Assert.All(partition, item => Assert.False(item.ContainsKey(DynamoDbStatusStore.ExpiresAtAttribute), StatusTable.Describe(item)));
    }

    [Fact]
    public async Task EnableTimeToLive_TurnsTheTablesTtlOnForExpiresAt_Twice()
    {
        await DynamoDbStatusStore.EnableTimeToLiveAsync(_table.Client, _table.Name, None);
        await DynamoDbStatusStore.EnableTimeToLiveAsync(_table.Client, _table.Name, None);

        var ttl = (await _table.Client.DescribeTimeToLiveAsync(new DescribeTimeToLiveRequest { TableName = _table.Name })).TimeToLiveDescription;
        Assert.Equal((DynamoDbStatusStore.ExpiresAtAttribute, "ENABLED"), (ttl.AttributeName, ttl.TimeToLiveStatus.Value));
    }

    private static string Epoch(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private async Task<string?> ExpiresAtAsync(string sortKey) =>
        (await _table.ItemAsync(StatusKeys.Partition(Connector), sortKey))?.GetValueOrDefault(DynamoDbStatusStore.ExpiresAtAttribute)?.N;
}
