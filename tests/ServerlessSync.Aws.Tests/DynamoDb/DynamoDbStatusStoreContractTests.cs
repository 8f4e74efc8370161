using System.Globalization;
using Amazon.DynamoDBv2;
using ServerlessSync.Aws.DynamoDb;
using ServerlessSync.Testing;

namespace ServerlessSync.Aws.Tests.DynamoDb;

/// <summary>The status store contract on a status table of its own per test; every store instance has its own client.</summary>
public sealed class DynamoDbStatusStoreContractTests : StatusStoreContract<DynamoDbStatusStore>
{
    private readonly StatusTable _table = new();
    private readonly List<IAmazonDynamoDB> _clients = [];

    public override Task InitializeAsync() => _table.InitializeAsync();

    public override async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await _table.DisposeAsync();
    }

    protected override DynamoDbStatusStore NewStore()
    {
        var client = StatusTable.NewClient();
        _clients.Add(client);
        return new DynamoDbStatusStore(client, _table.Name);
    }

    protected override async Task<IReadOnlyList<string>> StoredRecordsAsync(string connectorId) =>
        [.. (await _table.PartitionAsync(StatusKeys.Partition(connectorId))).Select(StatusTable.Describe)];

    protected override async Task<StoredClaim?> StoredClaimAsync(string connectorId, string loadId) =>
        await _table.ItemAsync(StatusKeys.Partition(connectorId), StatusKeys.Load(loadId)) is { } item
            ? new StoredClaim(item["state"].S, long.Parse(item["attempts"].N, CultureInfo.InvariantCulture), item.GetValueOrDefault("lastError")?.S)
            : null;
}
