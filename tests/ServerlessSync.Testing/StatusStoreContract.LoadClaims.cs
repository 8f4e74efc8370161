using static ServerlessSync.Testing.StatusSamples;

namespace ServerlessSync.Testing;

/// <summary>The <see cref="ILoadClaims"/> part of the contract.</summary>
public abstract partial class StatusStoreContract<TStore>
{
    private const string LoadId = "runs/acme/run-1/account";
    private static readonly DateTimeOffset Now = new DateTimeOffset(2025, 3, 1, 10, 0, 0, TimeSpan.FromHours(2)).AddTicks(7);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(15);
    private static readonly LoadOutcome Outcome = new(10, 3, 2, 5, false);

    /// <summary>The load's claim record as stored, or null: what the port keeps but does not answer (attempts, the last error).</summary>
    protected abstract Task<StoredClaim?> StoredClaimAsync(string connectorId, string loadId);

    [Fact]
    public async Task TryClaim_NoRecord_ClaimedWithLeaseAndOneAttempt()
    {
        var claim = await NewStore().TryClaimAsync(Connector, LoadId, "loader-a", Now, Lease, None);

        Assert.Equal(new LoadClaim(LoadClaimResult.Claimed, null, "loader-a", Now + Lease), claim);
        Assert.Equal(new StoredClaim("LOADING", 1, null), await StoredClaimAsync(Connector, LoadId));
    }

    [Fact]
    public async Task TryClaim_HeldByAnother_AnswersHolderAndExpiryAndChangesNothing()
    {
        var store = NewStore();
        await store.TryClaimAsync(Connector, LoadId, "loader-a", Now, Lease, None);
        var before = await StoredRecordsAsync(Connector);
        Assert.NotEmpty(before);

        var claim = await store.TryClaimAsync(Connector, LoadId, "loader-b", Now + Lease - TimeSpan.FromTicks(1), Lease, None);

        Assert.Equal(new LoadClaim(LoadClaimResult.HeldByAnother, null, "loader-a", Now + Lease), claim);
        Assert.Equal(before, await StoredRecordsAsync(Connector));
    }

    [Fact]
    public async Task TryClaim_SameClaimantAgain_RenewsItsLease()
    {
        // A retried request whose first attempt did claim must find the claim its own, not another's.
        var store = NewStore();
        await store.TryClaimAsync(Connector, LoadId, "loader-a", Now, Lease, None);

        var again = await store.TryClaimAsync(Connector, LoadId, "loader-a", Now.AddMinutes(1), Lease, None);
        var other = await store.TryClaimAsync(Connector, LoadId, "loader-b", Now + Lease, Lease, None);

        Assert.Equal(new LoadClaim(LoadClaimResult.Claimed, null, "loader-a", Now.AddMinutes(1) + Lease), again);
        Assert.Equal(new LoadClaim(LoadClaimResult.HeldByAnother, null, "loader-a", Now.AddMinutes(1) + Lease), other);
    }

    [Fact]
    public async Task TryClaim_WithoutALease_ThrowsAndWritesNothing()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => NewStore().TryClaimAsync(Connector, LoadId, "loader-a", Now, TimeSpan.Zero, None));

        Assert.Null(await StoredClaimAsync(Connector, LoadId));
    }

    [Fact]
    public async Task TryClaim_LeaseExpired_TakenOverAndAttemptsCounted()
    {
        var store = NewStore();
        await store.TryClaimAsync(Connector, LoadId, "loader-a", Now, Lease, None);

        // A lease "until T" is over at T.
        var second = await store.TryClaimAsync(Connector, LoadId, "loader-b", Now + Lease, Lease, None);
        var third = await store.TryClaimAsync(Connector, LoadId, "loader-a", Now + Lease + TimeSpan.FromMinutes(1), Lease, None);

        Assert.Equal(new LoadClaim(LoadClaimResult.Claimed, null, "loader-b", Now + Lease + Lease), second);
        Assert.Equal(new LoadClaim(LoadClaimResult.HeldByAnother, null, "loader-b", Now + Lease + Lease), third);
        Assert.Equal(new StoredClaim("LOADING", 2, null), await StoredClaimAsync(Connector, LoadId));
    }

    [Fact]
    public async Task MarkLoaded_ThenClaim_AlreadyLoadedWithOutcome()
    {
        var store = NewStore();
        await store.TryClaimAsync(Connector, LoadId, "loader-a", Now, Lease, None);

        await store.MarkLoadedAsync(Connector, LoadId, "loader-a", Outcome, Now.AddMinutes(2), None);

        var expected = new LoadClaim(LoadClaimResult.AlreadyLoaded, Outcome);
        Assert.Equal(expected, await store.TryClaimAsync(Connector, LoadId, "loader-b", Now.AddMinutes(3), Lease, None));
        Assert.Equal(expected, await store.TryClaimAsync(Connector, LoadId, "loader-a", Now.AddDays(1), Lease, None));
        Assert.Equal("LOADED", (await StoredClaimAsync(Connector, LoadId))?.State);
    }

    [Fact]
    public async Task MarkLoaded_Twice_FirstOutcomeKeptForever()
    {
        var store = NewStore();
        await store.TryClaimAsync(Connector, LoadId, "loader-a", Now, Lease, None);
        await store.MarkLoadedAsync(Connector, LoadId, "loader-a", Outcome, Now.AddMinutes(2), None);

        await NewStore().MarkLoadedAsync(Connector, LoadId, "loader-b", new LoadOutcome(0, 0, 0, 0, true), Now.AddDays(30), None);

        var expected = new LoadClaim(LoadClaimResult.AlreadyLoaded, Outcome);
        Assert.Equal(expected, await store.TryClaimAsync(Connector, LoadId, "loader-c", Now, Lease, None));
        Assert.Equal(expected, await NewStore().TryClaimAsync(Connector, LoadId, "loader-c", Now.AddDays(31), Lease, None));
    }

    [Fact]
    public async Task MarkLoaded_WithoutClaimOrByFormerHolder_Recorded()
    {
        var store = NewStore();
        await store.MarkLoadedAsync(Connector, "unclaimed", "loader-a", LoadOutcome.Replayed, Now, None);
        await store.TryClaimAsync(Connector, LoadId, "loader-a", Now, Lease, None);
        await store.TryClaimAsync(Connector, LoadId, "loader-b", Now + Lease, Lease, None);

        // loader-a's lease ran out while its load committed: the load happened, so it is recorded.
        await store.MarkLoadedAsync(Connector, LoadId, "loader-a", Outcome, Now + Lease, None);

        Assert.Equal(new LoadClaim(LoadClaimResult.AlreadyLoaded, LoadOutcome.Replayed), await store.TryClaimAsync(Connector, "unclaimed", "x", Now, Lease, None));
        Assert.Equal(new LoadClaim(LoadClaimResult.AlreadyLoaded, Outcome), await store.TryClaimAsync(Connector, LoadId, "x", Now, Lease, None));
    }

    [Fact]
    public async Task Release_ThenClaim_ClaimedAgainKeepingTheErrorAndAttemptsCounted()
    {
        var store = NewStore();
        await store.TryClaimAsync(Connector, LoadId, "loader-a", Now, Lease, None);

        await store.ReleaseAsync(Connector, LoadId, "loader-a", "COPY failed: disk full", Now.AddMinutes(1), None);
        var released = await StoredClaimAsync(Connector, LoadId);
        var retry = await store.TryClaimAsync(Connector, LoadId, "loader-b", Now.AddMinutes(2), Lease, None);

        Assert.Equal(new StoredClaim("FAILED", 1, "COPY failed: disk full"), released);
        Assert.Equal(new LoadClaim(LoadClaimResult.Claimed, null, "loader-b", Now.AddMinutes(2) + Lease), retry);
        Assert.Equal(new StoredClaim("LOADING", 2, "COPY failed: disk full"), await StoredClaimAsync(Connector, LoadId));
    }

    [Fact]
    public async Task Release_ByFormerHolderOrNeverClaimed_ChangesNothing()
    {
        var store = NewStore();
        await store.TryClaimAsync(Connector, LoadId, "loader-a", Now, Lease, None);
        await store.TryClaimAsync(Connector, LoadId, "loader-b", Now + Lease, Lease, None);
        var before = await StoredRecordsAsync(Connector);
        Assert.NotEmpty(before);

        await store.ReleaseAsync(Connector, LoadId, "loader-a", "late failure", Now + Lease, None);
        await store.ReleaseAsync(Connector, "never-claimed", "loader-a", "nothing", Now, None);

        Assert.Equal(before, await StoredRecordsAsync(Connector));
        Assert.Null(await StoredClaimAsync(Connector, "never-claimed"));
        Assert.Equal(
            new LoadClaim(LoadClaimResult.HeldByAnother, null, "loader-b", Now + Lease + Lease),
            await store.TryClaimAsync(Connector, LoadId, "loader-c", Now + Lease, Lease, None));
    }

    [Fact]
    public async Task Release_AfterLoaded_NoEffect()
    {
        var store = NewStore();
        await store.TryClaimAsync(Connector, LoadId, "loader-a", Now, Lease, None);
        await store.MarkLoadedAsync(Connector, LoadId, "loader-a", Outcome, Now, None);

        await store.ReleaseAsync(Connector, LoadId, "loader-a", "late failure", Now, None);

        Assert.Equal(new LoadClaim(LoadClaimResult.AlreadyLoaded, Outcome), await store.TryClaimAsync(Connector, LoadId, "loader-b", Now, Lease, None));
    }

    [Fact]
    public async Task TryClaim_ManyConcurrentClaimants_ExactlyOneClaimed()
    {
        var stores = Enumerable.Range(0, 8).Select(_ => NewStore()).ToList();

        var claims = await Task.WhenAll(stores.Select((s, i) => Task.Run(() => s.TryClaimAsync(Connector, LoadId, $"loader-{i}", Now, Lease, None))));

        var winner = Assert.Single(claims, c => c.Result == LoadClaimResult.Claimed);
        Assert.All(claims.Where(c => c != winner), c => Assert.Equal(new LoadClaim(LoadClaimResult.HeldByAnother, null, winner.Holder, Now + Lease), c));
        Assert.Equal(new StoredClaim("LOADING", 1, null), await StoredClaimAsync(Connector, LoadId));
    }

    [Fact]
    public async Task Claims_ByConnectorAndLoadId_Independent()
    {
        var store = NewStore();
        await store.TryClaimAsync(Connector, LoadId, "loader-a", Now, Lease, None);

        Assert.Equal(LoadClaimResult.Claimed, (await store.TryClaimAsync("other", LoadId, "loader-b", Now, Lease, None)).Result);
        Assert.Equal(LoadClaimResult.Claimed, (await store.TryClaimAsync(Connector, LoadId + "/2", "loader-b", Now, Lease, None)).Result);
    }
}

/// <summary>A load claim as the backing state holds it: <c>LOADING</c>, <c>LOADED</c> or <c>FAILED</c>; the claims granted; the last error kept.</summary>
public sealed record StoredClaim(string State, long Attempts, string? LastError);
