using ServerlessSync.Core.Ports;

namespace ServerlessSync.Aws.Tests.DynamoDb;

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
    public async Task TryClaim_NoRecord_ClaimedWithLeaseAndOneAttempt()
    {
        var claim = await Claims().TryClaimAsync(Connector, LoadId, "loader-a", Now, Lease, None);

        Assert.Equal(new LoadClaim(LoadClaimResult.Claimed, null, "loader-a", Now + Lease), claim);
        Assert.Equal(TimeSpan.Zero, claim.LeaseExpiresAt!.Value.Offset);
        var item = await _table.ItemAsync(ItemPk, ItemSk);
        Assert.Equal("LOADING", item!["state"].S);
        Assert.Equal("loader-a", item["holder"].S);
        Assert.Equal("2025-03-01T08:15:00.0000007Z", item["leaseExpiresAt"].S);
        Assert.Equal("1", item["attempts"].N);
    }

    [Fact]
    public async Task TryClaim_HeldByAnother_AnswersHolderAndExpiryAndChangesNothing()
    {
        var claims = Claims();
        await claims.TryClaimAsync(Connector, LoadId, "loader-a", Now, Lease, None);

        var claim = await claims.TryClaimAsync(Connector, LoadId, "loader-b", Now + Lease - TimeSpan.FromTicks(1), Lease, None);

        Assert.Equal(new LoadClaim(LoadClaimResult.HeldByAnother, null, "loader-a", Now + Lease), claim);
        var item = await _table.ItemAsync(ItemPk, ItemSk);
        Assert.Equal("loader-a", item!["holder"].S);
        Assert.Equal("1", item["attempts"].N);
    }

    [Fact]
    public async Task TryClaim_LeaseExpired_ClaimedBySecond()
    {
        var claims = Claims();
        await claims.TryClaimAsync(Connector, LoadId, "loader-a", Now, Lease, None);

        // A lease "until T" is over at T.
        var second = await claims.TryClaimAsync(Connector, LoadId, "loader-b", Now + Lease, Lease, None);
        var third = await claims.TryClaimAsync(Connector, LoadId, "loader-a", Now + Lease + TimeSpan.FromMinutes(1), Lease, None);

        Assert.Equal(new LoadClaim(LoadClaimResult.Claimed, null, "loader-b", Now + Lease + Lease), second);
        Assert.Equal(new LoadClaim(LoadClaimResult.HeldByAnother, null, "loader-b", Now + Lease + Lease), third);
        Assert.Equal("2", (await _table.ItemAsync(ItemPk, ItemSk))!["attempts"].N);
    }

    [Fact]
    public async Task TryClaim_SameClaimantAgain_RenewsLease()
    {
        var claims = Claims();
        await claims.TryClaimAsync(Connector, LoadId, "loader-a", Now, Lease, None);

        var again = await claims.TryClaimAsync(Connector, LoadId, "loader-a", Now.AddMinutes(1), Lease, None);

        Assert.Equal(new LoadClaim(LoadClaimResult.Claimed, null, "loader-a", Now.AddMinutes(1) + Lease), again);
        Assert.Equal(
            new LoadClaim(LoadClaimResult.HeldByAnother, null, "loader-a", Now.AddMinutes(1) + Lease),
            await claims.TryClaimAsync(Connector, LoadId, "loader-b", Now + Lease, Lease, None));
    }

    [Fact]
    public async Task MarkLoaded_ThenClaim_AlreadyLoadedWithOutcome()
    {
        var claims = Claims();
        await claims.TryClaimAsync(Connector, LoadId, "loader-a", Now, Lease, None);

        await claims.MarkLoadedAsync(Connector, LoadId, "loader-a", Outcome, Now.AddMinutes(2), None);

        var expected = new LoadClaim(LoadClaimResult.AlreadyLoaded, Outcome);
        Assert.Equal(expected, await claims.TryClaimAsync(Connector, LoadId, "loader-b", Now.AddMinutes(3), Lease, None));
        Assert.Equal(expected, await claims.TryClaimAsync(Connector, LoadId, "loader-a", Now.AddDays(1), Lease, None));
        var item = await _table.ItemAsync(ItemPk, ItemSk);
        Assert.Equal("LOADED", item!["state"].S);
        Assert.Equal("loader-a", item["loadedBy"].S);
        Assert.False(item.ContainsKey("holder"));
        Assert.False(item.ContainsKey("leaseExpiresAt"));
    }

    [Fact]
    public async Task MarkLoaded_Twice_FirstOutcomeKept()
    {
        var claims = Claims();
        await claims.TryClaimAsync(Connector, LoadId, "loader-a", Now, Lease, None);
        await claims.MarkLoadedAsync(Connector, LoadId, "loader-a", Outcome, Now.AddMinutes(2), None);

        await claims.MarkLoadedAsync(Connector, LoadId, "loader-b", LoadOutcome.Replayed, Now.AddMinutes(3), None);

        Assert.Equal(new LoadClaim(LoadClaimResult.AlreadyLoaded, Outcome), await claims.TryClaimAsync(Connector, LoadId, "loader-c", Now, Lease, None));
        Assert.Equal("loader-a", (await _table.ItemAsync(ItemPk, ItemSk))!["loadedBy"].S);
    }

    [Fact]
    public async Task MarkLoaded_WithoutClaimOrByFormerHolder_Recorded()
    {
        var claims = Claims();
        await claims.MarkLoadedAsync(Connector, "unclaimed", "loader-a", LoadOutcome.Replayed, Now, None);
        await claims.TryClaimAsync(Connector, LoadId, "loader-a", Now, Lease, None);
        await claims.TryClaimAsync(Connector, LoadId, "loader-b", Now + Lease, Lease, None);

        // loader-a's lease ran out while its load committed: the load happened, so it is recorded.
        await claims.MarkLoadedAsync(Connector, LoadId, "loader-a", Outcome, Now + Lease, None);

        Assert.Equal(new LoadClaim(LoadClaimResult.AlreadyLoaded, LoadOutcome.Replayed), await claims.TryClaimAsync(Connector, "unclaimed", "x", Now, Lease, None));
        Assert.Equal(new LoadClaim(LoadClaimResult.AlreadyLoaded, Outcome), await claims.TryClaimAsync(Connector, LoadId, "x", Now, Lease, None));
    }

    [Fact]
    public async Task Release_ThenClaim_ClaimedAndAttemptsCounted()
    {
        var claims = Claims();
        await claims.TryClaimAsync(Connector, LoadId, "loader-a", Now, Lease, None);

        await claims.ReleaseAsync(Connector, LoadId, "loader-a", "COPY failed: disk full", Now.AddMinutes(1), None);
        var failed = await _table.ItemAsync(ItemPk, ItemSk);
        var retry = await claims.TryClaimAsync(Connector, LoadId, "loader-b", Now.AddMinutes(2), Lease, None);

        Assert.Equal("FAILED", failed!["state"].S);
        Assert.Equal("COPY failed: disk full", failed["lastError"].S);
        Assert.Equal("loader-a", failed["failedBy"].S);
        Assert.False(failed.ContainsKey("holder"));
        Assert.Equal(new LoadClaim(LoadClaimResult.Claimed, null, "loader-b", Now.AddMinutes(2) + Lease), retry);
        var item = await _table.ItemAsync(ItemPk, ItemSk);
        Assert.Equal("2", item!["attempts"].N);
        Assert.Equal("COPY failed: disk full", item["lastError"].S);
    }

    [Fact]
    public async Task Release_ByNonHolder_NoEffect()
    {
        var claims = Claims();
        await claims.TryClaimAsync(Connector, LoadId, "loader-a", Now, Lease, None);
        await claims.TryClaimAsync(Connector, LoadId, "loader-b", Now + Lease, Lease, None);

        await claims.ReleaseAsync(Connector, LoadId, "loader-a", "late failure", Now + Lease, None);
        await claims.ReleaseAsync(Connector, "never-claimed", "loader-a", "nothing", Now, None);

        Assert.Equal(
            new LoadClaim(LoadClaimResult.HeldByAnother, null, "loader-b", Now + Lease + Lease),
            await claims.TryClaimAsync(Connector, LoadId, "loader-c", Now + Lease, Lease, None));
        Assert.False((await _table.ItemAsync(ItemPk, ItemSk))!.ContainsKey("lastError"));
        Assert.Null(await _table.ItemAsync(ItemPk, "LOAD#never-claimed"));
    }

    [Fact]
    public async Task Release_AfterLoaded_NoEffect()
    {
        var claims = Claims();
        await claims.TryClaimAsync(Connector, LoadId, "loader-a", Now, Lease, None);
        await claims.MarkLoadedAsync(Connector, LoadId, "loader-a", Outcome, Now, None);

        await claims.ReleaseAsync(Connector, LoadId, "loader-a", "late failure", Now, None);

        Assert.Equal(new LoadClaim(LoadClaimResult.AlreadyLoaded, Outcome), await claims.TryClaimAsync(Connector, LoadId, "loader-b", Now, Lease, None));
    }

    [Fact]
    public async Task TryClaim_ManyConcurrentClaimants_ExactlyOneClaimed()
    {
        var stores = Enumerable.Range(0, 8).Select(_ => _table.Store()).ToList();

        var claims = await Task.WhenAll(stores.Select((s, i) => Task.Run(() => s.TryClaimAsync(Connector, LoadId, $"loader-{i}", Now, Lease, None))));

        var winner = Assert.Single(claims, c => c.Result == LoadClaimResult.Claimed);
        Assert.All(claims.Where(c => c != winner), c => Assert.Equal(new LoadClaim(LoadClaimResult.HeldByAnother, null, winner.Holder, Now + Lease), c));
        Assert.Equal("1", (await _table.ItemAsync(ItemPk, ItemSk))!["attempts"].N);
    }

    [Fact]
    public async Task Claims_ByConnectorAndLoadId_Independent()
    {
        var claims = Claims();
        await claims.TryClaimAsync(Connector, LoadId, "loader-a", Now, Lease, None);

        Assert.Equal(LoadClaimResult.Claimed, (await claims.TryClaimAsync("other", LoadId, "loader-b", Now, Lease, None)).Result);
        Assert.Equal(LoadClaimResult.Claimed, (await claims.TryClaimAsync(Connector, LoadId + "/2", "loader-b", Now, Lease, None)).Result);
    }

    [Fact]
    public async Task TryClaim_NoLease_Throws()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Claims().TryClaimAsync(Connector, LoadId, "loader-a", Now, TimeSpan.Zero, None));
        Assert.Null(await _table.ItemAsync(ItemPk, ItemSk));
    }
}
