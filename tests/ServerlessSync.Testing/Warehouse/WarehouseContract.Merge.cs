using static ServerlessSync.Testing.Warehouse.WarehouseRows;

namespace ServerlessSync.Testing.Warehouse;

/// <summary>The merge: one row per id, the newest <c>updateddate</c> winning, a tie going to the delete, soft deletes, replays and snapshots.</summary>
public abstract partial class WarehouseContract
{
    [Fact]
    public async Task SubmitLoad_TwoRowsWithOneIdInOneManifest_KeepsOneRow()
    {
        var outcome = await LoadAsync(Sync1, Account("a", T0, "first"), Account("b", T0, "B"), Account("a", T0, "second"));

        Assert.Equal(new LoadOutcome(2, 0, 0, 0, false), outcome);
        var live = await LiveNamesAsync();
        Assert.Equal(["a", "b"], live.Keys.Order(StringComparer.Ordinal));
        // Which of two rows equal in id and updateddate is kept is not part of the contract.
        Assert.Contains(live["a"], new[] { "first", "second" });
    }

    [Fact]
    public async Task SubmitLoad_NewestUpdateddate_WinsWithinABatchAndAcrossLoads()
    {
        var first = await LoadAsync(
            Sync1,
            Account("a", T0.AddMinutes(1), "middle"),
            Account("a", T0.AddMinutes(2), "newest"),
            Account("a", T0, "oldest"),
            Account("b", T0, "b1"),
            Account("c", T0, "c1"));

        // Later: an older version of a (ignored), a newer one of b (applied), c again as it is (unchanged).
        var second = await LoadAsync(Sync2, Account("a", T0.AddMinutes(1), "late but older"), Account("b", T0.AddMinutes(1), "b2"), Account("c", T0, "c1"));

        Assert.Equal(new LoadOutcome(3, 0, 0, 0, false), first);
        Assert.Equal(new LoadOutcome(Inserted: 0, Updated: 1, Deleted: 0, Unchanged: 2, AlreadyLoaded: false), second);
        Assert.Equal(new Dictionary<string, string?> { ["a"] = "newest", ["b"] = "b2", ["c"] = "c1" }, await LiveNamesAsync());
    }

    [Fact]
    public async Task SubmitLoad_SameUpdateddateOneDeleted_TheDeleteWins()
    {
        // Within a batch, the deleted row first or last; across loads, a delete as new as the live row.
        var first = await LoadAsync(
            Sync1,
            Account("tie-deleted-first", T0, "deleted", deleted: true),
            Account("tie-deleted-first", T0, "live"),
            Account("tie-deleted-last", T0, "live"),
            Account("tie-deleted-last", T0, "deleted", deleted: true),
            Account("later", T0, "live"));
        var second = await LoadAsync(Sync2, Account("later", T0, "live", deleted: true));

        Assert.Equal(new LoadOutcome(1, 0, 2, 0, false), first);
        Assert.Equal(new LoadOutcome(0, 0, 1, 0, false), second);
        Assert.Empty(await LiveNamesAsync());
    }

    [Fact]
    public async Task SubmitLoad_DeletedRow_KeptSoftDeletedHiddenFromLiveRowsAndCounted()
    {
        // A deleted row the table never held is kept as deleted too.
        var first = await LoadAsync(Sync1, Account("a", T0, "A"), Account("b", T0, "B"), Account("gone", T0, "G", deleted: true));
        var delete = await LoadAsync(Sync2, Account("a", T0.AddMinutes(1), "A", deleted: true));

        // The deleted rows are still there: a version older than the delete changes nothing, a newer one restores.
        var older = await LoadAsync(Sync2, Account("a", T0, "A"), Account("gone", T0.AddMinutes(-1), "G"));
        Assert.Equal(new Dictionary<string, string?> { ["b"] = "B" }, await LiveNamesAsync());
        var restore = await LoadAsync(Sync2, Account("a", T0.AddMinutes(2), "back"));

        Assert.Equal(new LoadOutcome(2, 0, 1, 0, false), first);
        Assert.Equal(new LoadOutcome(0, 0, 1, 0, false), delete);
        Assert.Equal(new LoadOutcome(0, 0, 0, 2, false), older);
        Assert.Equal(new LoadOutcome(0, 1, 0, 0, false), restore);
        Assert.Equal(new Dictionary<string, string?> { ["a"] = "back", ["b"] = "B" }, await LiveNamesAsync());
    }

    [Fact]
    public async Task SubmitLoad_SameManifestAgain_ReplayedAndRowsUnchanged()
    {
        var first = await StageAsync(Narrow(), [Account("a", T0, "A"), Account("b", T0, "B", deleted: true)]);
        var second = await StageAsync(Narrow(), [Account("a", T0.AddMinutes(1), "A2"), Account("c", T0, "C")]);
        Assert.Equal(new LoadOutcome(1, 0, 1, 0, false), await LoadAsync(first, Sync1));
        Assert.Equal(new LoadOutcome(1, 1, 0, 0, false), await LoadAsync(second, Sync2));
        var before = await LiveRowsAsync(Narrow());
        LetReplayWindowPass();

        var replayFirst = await LoadAsync(first, T0.AddHours(5));
        var replaySecond = await LoadAsync(second, T0.AddHours(6));

        Assert.Equal(LoadOutcome.Replayed, replayFirst);
        Assert.Equal(LoadOutcome.Replayed, replaySecond);
        Assert.True(replayFirst.AlreadyLoaded);
        RowAssert.SameRows(before, await LiveRowsAsync(Narrow()), [.. Narrow().Columns.Select(c => c.Name)]);
        Assert.Equal(new Dictionary<string, string?> { ["a"] = "A2", ["c"] = "C" }, await LiveNamesAsync());
    }

    [Fact]
    public async Task SubmitLoad_FourFirstLoadsAtOnce_AllSucceedAndEachTableHoldsItsRows()
    {
        string[] objects = ["account", "contact", "invoice", "product"];
        var loads = await Task.WhenAll(objects.Select((name, i) =>
            StageAsync(Narrow(name), Enumerable.Range(0, i + 2).Select(r => Account($"{name}-{r}", T0, $"{name} {r}")))));

        var outcomes = await Task.WhenAll(loads.Select(load => Task.Run(() => LoadAsync(load, Sync1))));

        for (var i = 0; i < objects.Length; i++)
        {
            Assert.Equal(new LoadOutcome(i + 2, 0, 0, 0, false), outcomes[i]);
            Assert.Equal(Narrow().Columns, (await Warehouse.DescribeAsync(objects[i], None))!.Columns);
            Assert.Equal(
                Enumerable.Range(0, i + 2).Select(r => $"{objects[i]}-{r}"),
                (await LiveRowsAsync(Narrow(objects[i]))).Select(r => (string)r[0]!));
        }
    }

    [Fact]
    public async Task SubmitLoad_FirstHistoricalLoad_InsertsAndDeletesNothing()
    {
        var outcome = await LoadAsync(Narrow(), Sync1, [Account("a", T0, "A"), Account("b", T0, "B")], SyncWindow.Historical(Sync1));

        Assert.Equal(new LoadOutcome(2, 0, 0, 0, false), outcome);
        Assert.Equal(new Dictionary<string, string?> { ["a"] = "A", ["b"] = "B" }, await LiveNamesAsync());
    }

    [Fact]
    public async Task SubmitLoad_HistoricalLacksRowsUpdatedBeforeItsEnd_MarksThemDeletedAndCountsThem()
    {
        var snapshotEnd = T0.AddHours(1);
        await LoadAsync(
            Sync1,
            Account("same", T0, "S"),
            Account("changed", T0, "before"),
            Account("gone", T0, "G"),
            Account("gone-null", T0, null, null),
            Account("at-end", snapshotEnd, "E"),
            Account("after-end", snapshotEnd.AddMinutes(5), "F"),
            Account("deleted", T0, "D", deleted: true));

        var outcome = await LoadAsync(Narrow(), Sync2, [Account("same", T0, "S"), Account("changed", T0, "after")], SyncWindow.Historical(snapshotEnd));

        // Rows updated at or after the snapshot's end may be newer than it; a deleted row is not deleted again.
        Assert.Equal(new LoadOutcome(Inserted: 0, Updated: 1, Deleted: 2, Unchanged: 1, AlreadyLoaded: false), outcome);
        Assert.Equal(
            new Dictionary<string, string?> { ["after-end"] = "F", ["at-end"] = "E", ["changed"] = "after", ["same"] = "S" },
            await LiveNamesAsync());
    }
}
