using static ServerlessSync.Testing.StatusSamples;

namespace ServerlessSync.Testing;

/// <summary>The <see cref="IRunLock"/> part of the contract.</summary>
public abstract partial class StatusStoreContract<TStore>
{
    private static readonly DateTimeOffset LockedAt = new DateTimeOffset(2025, 3, 1, 9, 0, 0, TimeSpan.FromHours(-5)).AddTicks(3);
    private static readonly TimeSpan RunLease = TimeSpan.FromHours(2);

    [Fact]
    public async Task TryAcquire_NotHeld_AcquiredUntilLeaseEnd()
    {
        var result = await NewStore().TryAcquireAsync(Connector, "run-1", LockedAt, RunLease, None);

        Assert.Equal(new RunLockResult(true, "run-1", LockedAt + RunLease), result);
    }

    [Fact]
    public async Task TryAcquire_HeldByAnother_NotAcquiredNamingHolderAndExpiryAndChangesNothing()
    {
        var store = NewStore();
        await store.TryAcquireAsync(Connector, "run-1", LockedAt, RunLease, None);
        var before = await StoredRecordsAsync(Connector);
        Assert.NotEmpty(before);

        var result = await NewStore().TryAcquireAsync(Connector, "run-2", LockedAt + RunLease - TimeSpan.FromTicks(1), RunLease, None);

        Assert.Equal(new RunLockResult(false, "run-1", LockedAt + RunLease), result);
        Assert.Equal(before, await StoredRecordsAsync(Connector));
    }

    [Fact]
    public async Task TryAcquire_SameRunAgain_RenewsItsLease()
    {
        var store = NewStore();
        await store.TryAcquireAsync(Connector, "run-1", LockedAt, RunLease, None);

        var renewed = await NewStore().TryAcquireAsync(Connector, "run-1", LockedAt.AddMinutes(10), RunLease, None);
        var other = await store.TryAcquireAsync(Connector, "run-2", LockedAt + RunLease, RunLease, None);

        Assert.Equal(new RunLockResult(true, "run-1", LockedAt.AddMinutes(10) + RunLease), renewed);
        Assert.Equal(new RunLockResult(false, "run-1", LockedAt.AddMinutes(10) + RunLease), other);
    }

    [Fact]
    public async Task TryAcquire_AtExactlyExpiresAt_TakenOverNamingTheAbandonedRun()
    {
        var store = NewStore();
        await store.TryAcquireAsync(Connector, "run-1", LockedAt, RunLease, None);

        // A lease "until T" is over at T.
        var takenOver = await NewStore().TryAcquireAsync(Connector, "run-2", LockedAt + RunLease, RunLease, None);
        var late = await store.TryAcquireAsync(Connector, "run-1", LockedAt + RunLease, RunLease, None);

        Assert.Equal(new RunLockResult(true, "run-2", LockedAt + RunLease + RunLease, "run-1"), takenOver);
        Assert.Equal(new RunLockResult(false, "run-2", LockedAt + RunLease + RunLease), late);
    }

    [Fact]
    public async Task TryAcquire_WithoutALease_ThrowsAndWritesNothing()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => NewStore().TryAcquireAsync(Connector, "run-1", LockedAt, TimeSpan.Zero, None));

        Assert.Empty(await StoredRecordsAsync(Connector));
    }

    [Fact]
    public async Task ReleaseLock_ByNonHolder_ChangesNothing()
    {
        var store = NewStore();
        await store.TryAcquireAsync(Connector, "run-1", LockedAt, RunLease, None);
        await store.TryAcquireAsync(Connector, "run-2", LockedAt + RunLease, RunLease, None);
        var before = await StoredRecordsAsync(Connector);

        // run-1's lease ended and run-2 took the lock over: run-1 finishing late must not free it.
        await store.ReleaseAsync(Connector, "run-1", None);
        await store.ReleaseAsync("nobody", "run-1", None);

        Assert.Equal(before, await StoredRecordsAsync(Connector));
        Assert.Equal(
            new RunLockResult(false, "run-2", LockedAt + RunLease + RunLease),
            await store.TryAcquireAsync(Connector, "run-3", LockedAt + RunLease, RunLease, None));
    }

    [Fact]
    public async Task ReleaseLock_ThenAcquireByAnother_AcquiredWithoutTakeOver()
    {
        var store = NewStore();
        await store.TryAcquireAsync(Connector, "run-1", LockedAt, RunLease, None);

        await NewStore().ReleaseAsync(Connector, "run-1", None);
        var next = await store.TryAcquireAsync(Connector, "run-2", LockedAt.AddMinutes(1), RunLease, None);

        Assert.Equal(new RunLockResult(true, "run-2", LockedAt.AddMinutes(1) + RunLease), next);
    }

    [Fact]
    public async Task TryAcquire_ManyConcurrentRuns_ExactlyOneAcquired()
    {
        var stores = Enumerable.Range(0, 8).Select(_ => NewStore()).ToList();

        var results = await Task.WhenAll(stores.Select((s, i) => Task.Run(() => s.TryAcquireAsync(Connector, $"run-{i}", LockedAt, RunLease, None))));

        var winner = Assert.Single(results, r => r.Acquired);
        Assert.All(results.Where(r => r != winner), r => Assert.Equal(new RunLockResult(false, winner.HolderRunId, LockedAt + RunLease), r));
    }

    [Fact]
    public async Task RunLocks_ByConnector_IndependentAndApartFromRunsAndClaims()
    {
        var store = NewStore();
        await store.TryAcquireAsync(Connector, "run-1", LockedAt, RunLease, None);

        var other = await store.TryAcquireAsync("other", "run-2", LockedAt, RunLease, None);

        Assert.True(other.Acquired);
        Assert.Empty(await store.ListRunsAsync(Connector, 10, None));
        Assert.Empty(await store.GetObjectsAsync(Connector, None));
        Assert.Null(await store.GetRunAsync(Connector, "run-1", None));
    }
}
