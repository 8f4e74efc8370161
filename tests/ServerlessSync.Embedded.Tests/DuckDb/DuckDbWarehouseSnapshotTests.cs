using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using static ServerlessSync.Testing.Warehouse.WarehouseRows;

namespace ServerlessSync.Embedded.Tests.DuckDb;

/// <summary>A historical load is a snapshot (rows it lacks are deleted); a tombstone keeps the row's last known values.</summary>
public sealed class DuckDbWarehouseSnapshotTests : IDisposable
{
    private static readonly DateTimeOffset T0 = WarehouseScratch.T0;
    private static readonly DateTimeOffset Sync1 = T0.AddHours(1);
    private static readonly DateTimeOffset Sync2 = T0.AddHours(2);
    private static readonly SyncWindow Snapshot = SyncWindow.Historical(T0.AddHours(1));

    private readonly WarehouseScratch _scratch = new();
    private readonly ObjectSchema _schema = Narrow();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task LoadAsync_HistoricalLacksLiveRows_MarksThemDeletedKeepingValuesAndCountsThem()
    {
        await LoadAsync(Sync1, null, Account("same", T0, "S", 1m), Account("changed", T0, "before", 1m), Account("gone", T0, "G", 3m), Account("gone-null", T0, null, null));

        var load = await _scratch.StageAsync(_schema, [Account("same", T0, "S", 1m), Account("changed", T0, "after", 1m)], window: Snapshot);
        var outcome = await _scratch.LoadAsync(load, Sync2);

        Assert.Equal(new LoadOutcome(0, 1, 2, 1, false), outcome);
        Assert.Equal(
            $"""
            id|updateddate|name|balance|_deleted|_synced_at
            changed|{T0.UtcDateTime:O}|after|1.00|False|{Sync2.UtcDateTime:O}
            gone|{T0.UtcDateTime:O}|G|3.00|True|{Sync2.UtcDateTime:O}
            gone-null|{T0.UtcDateTime:O}|NULL|NULL|True|{Sync2.UtcDateTime:O}
            same|{T0.UtcDateTime:O}|S|1.00|False|{Sync1.UtcDateTime:O}

            """,
            await _scratch.DumpAsync("account"));
        Assert.Contains("|0|1|2|", (await _scratch.DumpLedgerAsync()).Split('\n')[2], StringComparison.Ordinal);

        var before = await _scratch.DumpAsync("account");
        Assert.Equal(LoadOutcome.Replayed, await _scratch.LoadAsync(load, Sync2.AddHours(1)));
        Assert.Equal(before, await _scratch.DumpAsync("account"));
    }

    [Fact]
    public async Task LoadAsync_TombstoneWithOnlyIdAndUpdateddate_KeepsLastKnownValues()
    {
        await LoadAsync(Sync1, null, Account("a", T0, "A", 1.5m), Account("b", T0, "B", 2m));

        // A tombstone of a live row (nulls but id and updateddate), and a live update that clears values.
        var outcome = await LoadAsync(Sync2, null, Account("a", T0.AddMinutes(1), null, null, deleted: true), Account("b", T0.AddMinutes(1), null, null));

        Assert.Equal(new LoadOutcome(0, 1, 1, 0, false), outcome);
        Assert.Equal(
            $"""
            id|updateddate|name|balance|_deleted|_synced_at
            a|{T0.AddMinutes(1).UtcDateTime:O}|A|1.50|True|{Sync2.UtcDateTime:O}
            b|{T0.AddMinutes(1).UtcDateTime:O}|NULL|NULL|False|{Sync2.UtcDateTime:O}

            """,
            await _scratch.DumpAsync("account"));
    }

    [Fact]
    public async Task LoadAsync_NewerTombstoneOfAlreadyDeletedRow_KeepsTheValuesAndMovesUpdateddate()
    {
        await LoadAsync(Sync1, null, Account("a", T0, "A", 1m, deleted: true));

        await LoadAsync(Sync2, null, Account("a", T0.AddMinutes(1), null, null, deleted: true));

        Assert.Contains($"a|{T0.AddMinutes(1).UtcDateTime:O}|A|1.00|True|{Sync2.UtcDateTime:O}", await _scratch.DumpAsync("account"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_SameTombstoneSeenAgain_UnchangedAndCountedAsNothing()
    {
        await LoadAsync(Sync1, null, Account("a", T0, "A", 1m));
        await LoadAsync(Sync1, null, Account("a", T0.AddMinutes(1), null, null, deleted: true));

        // The next window's lookback reads the same deleted record again.
        var outcome = await LoadAsync(Sync2, null, Account("a", T0.AddMinutes(1), null, null, deleted: true));

        Assert.Equal(new LoadOutcome(0, 0, 0, 1, false), outcome);
        Assert.Contains($"a|{T0.AddMinutes(1).UtcDateTime:O}|A|1.00|True|{Sync1.UtcDateTime:O}", await _scratch.DumpAsync("account"), StringComparison.Ordinal);
    }

    private async Task<LoadOutcome> LoadAsync(DateTimeOffset syncedAt, SyncWindow? window, params SourceRow[] rows) =>
        await _scratch.LoadAsync(await _scratch.StageAsync(_schema, rows, window: window), syncedAt);
}
