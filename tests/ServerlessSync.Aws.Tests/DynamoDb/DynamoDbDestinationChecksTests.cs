using ServerlessSync.Aws.DynamoDb;
using ServerlessSync.Core.Model;
using ServerlessSync.Testing;

namespace ServerlessSync.Aws.Tests.DynamoDb;

/// <summary>The connector's latest destination checks: the <c>CHECKS</c> item (docs/dynamodb-status-table.md), on moto's DynamoDB.</summary>
public sealed class DynamoDbDestinationChecksTests : IAsyncLifetime
{
    private const string Connector = StatusSamples.Connector;
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset RanAt = new(2026, 11, 26, 21, 30, 0, 123, TimeSpan.FromHours(1));

    private readonly StatusTable _table = new();

    public Task InitializeAsync() => _table.InitializeAsync();

    public Task DisposeAsync() => _table.DisposeAsync();

    private static DoctorReport Report(CheckOutcome privileges) => new("cluster sync-test, database dev, user sync_loader",
    [
        new CheckResult(1, "customer role", CheckOutcome.Skip, "no customer role"),
        new CheckResult(4, "database privileges", privileges, "database user sync_loader lacks TEMPORARY on database dev",
            "Run as the database's owner:\nGRANT TEMPORARY ON DATABASE \"dev\" TO \"sync_loader\";", "AUTH_TRUST_POLICY_MISMATCH"),
        new CheckResult(6, "COPY probe", CheckOutcome.Warn, "quoted \"null-x\" loaded as NULL — noted, 日本語"),
    ]);

    [Fact]
    public async Task LatestChecks_RoundTripEveryCheckInOrder_TheNextRunReplacesThem_AndNoOtherItemIsTouched()
    {
        var store = _table.Store();
        Assert.Null(await store.GetLatestChecksAsync(Connector, None));
        await store.PutConnectorAsync(StatusBuilders.Connector(connectorId: Connector, createdAt: RanAt, updatedAt: RanAt), None);

        await store.PutLatestChecksAsync(new DestinationCheckRun(Connector, RanAt, "firstSync", "run-1", Report(CheckOutcome.Fail)), None);
        var first = await _table.Store().GetLatestChecksAsync(Connector, None);

        Assert.Equal((Connector, RanAt, "firstSync", "run-1", false), (first!.ConnectorId, first.RanAt, first.Trigger, first.RunId, first.Report.Passed));
        Assert.Equal(Report(CheckOutcome.Fail).Destination, first.Report.Destination);
        Assert.Equal(Report(CheckOutcome.Fail).Checks, first.Report.Checks);

        await store.PutLatestChecksAsync(new DestinationCheckRun(Connector, RanAt.AddHours(1), "api", null, Report(CheckOutcome.Pass)), None);
        var second = await _table.Store().GetLatestChecksAsync(Connector, None);

        Assert.Equal((RanAt.AddHours(1), "api", (string?)null, true), (second!.RanAt, second.Trigger, second.RunId, second.Report.Passed));
        var item = await _table.ItemAsync(StatusKeys.Partition(Connector), "CHECKS");
        Assert.False(item!.ContainsKey("runId"));
        Assert.False(item.ContainsKey(DynamoDbStatusStore.ExpiresAtAttribute));
        Assert.Equal(["CHECKS", "CONNECTOR"], (await _table.PartitionAsync(StatusKeys.Partition(Connector))).Select(i => i["sk"].S).Order(StringComparer.Ordinal));
        Assert.Empty(await store.ListRunsAsync(Connector, 10, None));
        Assert.Empty(await store.GetObjectsAsync(Connector, None));
        Assert.Null(await store.GetLatestChecksAsync("another", None));
    }
}
