using ServerlessSync.Core.Ports;

namespace ServerlessSync.Aws.Tests.DynamoDb;

/// <summary>
/// What only the DynamoDB store's load claims do: the item in each state as documented, a claimant's own claim
/// renewed, a lease required. What every store's claims do is in <see cref="DynamoDbStatusStoreContractTests"/>.
/// </summary>
public sealed class DynamoDbLoadClaimsTests : IAsyncLifetime
{
    private const string Connector = "acme";
    private const string LoadId = "runs/acme/run-1/account";
    private const string ItemPk = "CONNECTOR#acme";
    private const string ItemSk = "LOAD#" + LoadId;
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset Now = new DateTimeOffset(2025, 3, 1, 10, 0, 0, TimeSpan.FromHours(2)).AddTicks(7);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(15);
    private static readonly LoadOutcome Outcome = new(10, 3, 2, 5, false);

    private readonly StatusTable _table = new();

    public Task InitializeAsync() => _table.InitializeAsync();

    public Task DisposeAsync() => _table.DisposeAsync();

    private ILoadClaims Claims() => _table.Store();

    [Fact]
    public async Task Item_ClaimedReleasedClaimedLoaded_AttributesAsDocumented()
    {
        var claims = Claims();

        await claims.TryClaimAsync(Connector, LoadId, "loader-a", Now, Lease, None);
        var claimed = await _table.ItemAsync(ItemPk, ItemSk);
        await claims.ReleaseAsync(Connector, LoadId, "loader-a", "COPY failed: disk full", Now.AddMinutes(1), None);
        var failed = await _table.ItemAsync(ItemPk, ItemSk);
        await claims.TryClaimAsync(Connector, LoadId, "loader-b", Now.AddMinutes(2), Lease, None);
        await claims.MarkLoadedAsync(Connector, LoadId, "loader-b", Outcome, Now.AddMinutes(3), None);
        await claims.MarkLoadedAsync(Connector, LoadId, "loader-c", LoadOutcome.Replayed, Now.AddMinutes(4), None);
        var loaded = await _table.ItemAsync(ItemPk, ItemSk);

        Assert.Equal("LOADING", claimed!["state"].S);
        Assert.Equal("loader-a", claimed["holder"].S);
        Assert.Equal("2025-03-01T08:15:00.0000007Z", claimed["leaseExpiresAt"].S);
        Assert.Equal("1", claimed["attempts"].N);
        Assert.Equal("FAILED", failed!["state"].S);
        Assert.Equal("COPY failed: disk full", failed["lastError"].S);
        Assert.Equal("loader-a", failed["failedBy"].S);
        Assert.False(failed.ContainsKey("holder"));
        Assert.False(failed.ContainsKey("leaseExpiresAt"));
        Assert.Equal("LOADED", loaded!["state"].S);
        Assert.Equal("loader-b", loaded["loadedBy"].S);
        Assert.Equal("2", loaded["attempts"].N);
        Assert.False(loaded.ContainsKey("holder"));
        Assert.False(loaded.ContainsKey("leaseExpiresAt"));
    }
}
