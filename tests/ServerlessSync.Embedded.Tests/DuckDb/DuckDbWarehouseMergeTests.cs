using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Sql;
using static ServerlessSync.Embedded.Tests.DuckDb.TestRows;
using static ServerlessSync.Testing.Warehouse.WarehouseRows;

namespace ServerlessSync.Embedded.Tests.DuckDb;

/// <summary>
/// The DuckDB warehouse's merge as the table and the ledger hold it (<c>_deleted</c>, <c>_synced_at</c>, the order of rows in
/// a batch and across parts). What every warehouse does is in <see cref="DuckDbWarehouseContractTests"/>.
/// </summary>
public sealed class DuckDbWarehouseMergeTests : IDisposable
{
    private static readonly DateTimeOffset T0 = WarehouseScratch.T0;
    private static readonly DateTimeOffset Sync1 = T0.AddHours(1);
    private static readonly DateTimeOffset Sync2 = T0.AddHours(2);

    private readonly WarehouseScratch _scratch = new();
    private readonly ObjectSchema _schema = Narrow();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task LoadAsync_NewRows_InsertsAndStampsSyncedAt()
    {
        var outcome = await LoadAsync(Sync1, Account("a", T0, "A", 1.50m), Account("b", T0, null, null));

        Assert.Equal(new LoadOutcome(2, 0, 0, 0, false), outcome);
        Assert.Equal(
            $"""
            id|updateddate|name|balance|_deleted|_synced_at
            a|{T0.UtcDateTime:O}|A|1.50|False|{Sync1.UtcDateTime:O}
            b|{T0.UtcDateTime:O}|NULL|NULL|False|{Sync1.UtcDateTime:O}

            """,
            await _scratch.DumpAsync("account"));
    }

    [Fact]
    public async Task LoadAsync_EqualTimestampDifferentContent_Applied()
    {
        await LoadAsync(Sync1, Account("a", T0, "A", 1m));

        var outcome = await LoadAsync(Sync2, Account("a", T0, "corrected", 1m));

        Assert.Equal(new LoadOutcome(0, 1, 0, 0, false), outcome);
        Assert.Contains($"a|{T0.UtcDateTime:O}|corrected|1.00|False|{Sync2.UtcDateTime:O}", await _scratch.DumpAsync("account"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_EqualTimestampNullVersusValue_Applied()
    {
        await LoadAsync(Sync1, Account("a", T0, "A", null));

        var outcome = await LoadAsync(Sync2, Account("a", T0, "A", 0m));

        Assert.Equal(new LoadOutcome(0, 1, 0, 0, false), outcome);
    }

    [Fact]
    public async Task LoadAsync_SameContentAgainUnderNewRun_UnchangedAndSyncedAtKept()
    {
        await LoadAsync(Sync1, Account("a", T0, "A", 1m), Account("b", T0, null, null));
        var before = await _scratch.DumpAsync("account");

        var outcome = await LoadAsync(Sync2, Account("a", T0, "A", 1m), Account("b", T0, null, null));

        Assert.Equal(new LoadOutcome(0, 0, 0, 2, false), outcome);
        Assert.Equal(before, await _scratch.DumpAsync("account"));
    }

    [Fact]
    public async Task LoadAsync_UpdatesAndTombstones_OneRowPerIdWithTheNewestValues_AndTheSameChangesAgainConverge()
    {
        await LoadAsync(Sync1, Account("a", T0, "A", 1m), Account("b", T0, "B", 2m), Account("c", T0, "C", 3m));
        SourceRow[] day = [Account("a", T0.AddMinutes(1), "A2", 10m), Account("b", T0.AddMinutes(1), null, null, deleted: true), Account("d", T0.AddMinutes(1), "D", 4m)];

        var first = await LoadAsync(Sync2, day);
        var dump = await _scratch.DumpAsync("account");
        var again = await LoadAsync(T0.AddHours(3), day);

        Assert.Equal(new LoadOutcome(1, 1, 1, 0, false), first);
        Assert.Equal(
            $"""
            id|updateddate|name|balance|_deleted|_synced_at
            a|{T0.AddMinutes(1).UtcDateTime:O}|A2|10.00|False|{Sync2.UtcDateTime:O}
            b|{T0.AddMinutes(1).UtcDateTime:O}|B|2.00|True|{Sync2.UtcDateTime:O}
            c|{T0.UtcDateTime:O}|C|3.00|False|{Sync1.UtcDateTime:O}
            d|{T0.AddMinutes(1).UtcDateTime:O}|D|4.00|False|{Sync2.UtcDateTime:O}

            """,
            dump);
        Assert.Equal(new LoadOutcome(0, 0, 0, 3, false), again);
        Assert.Equal(dump, await _scratch.DumpAsync("account"));
    }

    [Fact]
    public async Task LoadAsync_InBatchDuplicates_NewestWinsThenDeletedThenLaterRow()
    {
        var outcome = await LoadAsync(
            Sync1,
            // newest wins, wherever it stands
            Account("newest", T0.AddMinutes(2), "second", 2m),
            Account("newest", T0.AddMinutes(1), "first", 1m),
            Account("newest", T0, "zeroth", 0m),
            // equal timestamps: the deleted one wins, even when it comes first
            Account("tie-deleted", T0, "deleted", 1m, deleted: true),
            Account("tie-deleted", T0, "live", 1m),
            // equal in both: the later row wins
            Account("tie-later", T0, "earlier", 1m),
            Account("tie-later", T0, "later", 1m));

        Assert.Equal(new LoadOutcome(2, 0, 1, 0, false), outcome);
        var dump = await _scratch.DumpAsync("account");
        Assert.Contains($"newest|{T0.AddMinutes(2).UtcDateTime:O}|second|2.00|False|", dump, StringComparison.Ordinal);
        Assert.Contains("tie-deleted|" + $"{T0.UtcDateTime:O}|deleted|1.00|True|", dump, StringComparison.Ordinal);
        Assert.Contains("tie-later|" + $"{T0.UtcDateTime:O}|later|1.00|False|", dump, StringComparison.Ordinal);
        Assert.Equal(4, dump.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task LoadAsync_InBatchDuplicatesAcrossParts_LaterPartWins()
    {
        string[] Part(string name, int count) =>
            [.. Enumerable.Range(0, count).Select(i => Line(_schema, Account($"r{i:D4}", T0, name, i)))];
        var load = _scratch.WriteByHand(_schema, Part("first", 3000), Part("second", 2000), Part("third", 1000));

        var outcome = await _scratch.LoadAsync(load, Sync1);

        Assert.Equal(new LoadOutcome(3000, 0, 0, 0, false), outcome);
        var names = (await _scratch.LiveRowsAsync(_schema)).ToDictionary(r => (string)r[0]!, r => (string)r[2]!);
        Assert.Equal("third", names["r0999"]);
        Assert.Equal("second", names["r1000"]);
        Assert.Equal("second", names["r1999"]);
        Assert.Equal("first", names["r2000"]);
        Assert.Equal(3000, names.Count);
    }

    [Fact]
    public async Task LoadAsync_StagerCutManyParts_LoadsThemAll()
    {
        // Incompressible names make the stager cut a part every KiB or so.
        var random = new Random(7);
        var rows = Enumerable.Range(0, 20_000).Select(i => Account($"r{i:D5}", T0, Convert.ToHexString(BitConverter.GetBytes(random.NextInt64())), i)).ToList();
        var load = await _scratch.StageAsync(_schema, rows, partSizeBytes: 1024);
        Assert.True(load.Parts.Count > 2, $"expected several parts, got {load.Parts.Count}");

        var outcome = await _scratch.LoadAsync(load, Sync1);

        Assert.Equal(new LoadOutcome(20_000, 0, 0, 0, false), outcome);
        Assert.Equal(rows.Select(r => r.Values), await _scratch.LiveRowsAsync(_schema));
    }

    [Fact]
    public async Task LoadAsync_MixedBatch_CountsEachKind()
    {
        await LoadAsync(Sync1, Account("upd", T0, "u", 1m), Account("del", T0, "d", 1m), Account("same", T0, "s", 1m), Account("old", T0, "o", 1m));

        var outcome = await LoadAsync(
            Sync2,
            Account("new", T0, "n", 1m),
            Account("newdel", T0, "nd", 1m, deleted: true),
            Account("upd", T0.AddSeconds(1), "u2", 1m),
            Account("del", T0.AddSeconds(1), "d", 1m, deleted: true),
            Account("same", T0, "s", 1m),
            Account("old", T0.AddSeconds(-1), "o0", 1m));

        Assert.Equal(new LoadOutcome(Inserted: 1, Updated: 1, Deleted: 2, Unchanged: 2, AlreadyLoaded: false), outcome);
    }

    [Fact]
    public async Task LoadAsync_ColumnMissingFromManifest_KeepsTargetValueOnUpdate()
    {
        await LoadAsync(Sync1, Account("a", T0, "A", 5m));
        var narrower = _schema.Without("balance");

        var outcome = await _scratch.LoadAsync(await _scratch.StageAsync(narrower, [new(["a", T0.AddMinutes(1), "A2"], false), new(["b", T0, "B"], false)]), Sync2);

        Assert.Equal(new LoadOutcome(1, 1, 0, 0, false), outcome);
        var dump = await _scratch.DumpAsync("account");
        Assert.Contains($"a|{T0.AddMinutes(1).UtcDateTime:O}|A2|5.00|False|", dump, StringComparison.Ordinal);
        Assert.Contains($"b|{T0.UtcDateTime:O}|B|NULL|False|", dump, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_NoParts_CreatesTableAndRecordsLoad()
    {
        var load = await _scratch.StageAsync(_schema, []);
        Assert.Empty(load.Parts);

        var outcome = await _scratch.LoadAsync(load, Sync1);

        Assert.Equal(new LoadOutcome(0, 0, 0, 0, false), outcome);
        Assert.Equal(_schema.Columns, (await _scratch.Warehouse.DescribeAsync("account", CancellationToken.None))!.Columns);
        Assert.Contains(load.Manifest.LoadId, await _scratch.DumpLedgerAsync(), StringComparison.Ordinal);
        Assert.Equal(LoadOutcome.Replayed, await _scratch.LoadAsync(load, Sync2));
    }

    [Fact]
    public async Task LoadAsync_SameManifestAgain_ReplayedAndNothingChanges()
    {
        var first = await _scratch.StageAsync(_schema, [Account("a", T0, "A", 1m), Account("b", T0, "B", 2m, deleted: true)]);
        await _scratch.LoadAsync(first, Sync1);
        var second = await _scratch.StageAsync(_schema, [Account("a", T0.AddMinutes(1), "A2", 1m), Account("c", T0, "C", 3m)]);
        await _scratch.LoadAsync(second, Sync2);
        var table = await _scratch.DumpAsync("account");
        var ledger = await _scratch.DumpLedgerAsync();

        var replayFirst = await _scratch.LoadAsync(first, T0.AddHours(5));
        _scratch.Reopen();
        var replaySecond = await _scratch.LoadAsync(second, T0.AddHours(6));

        Assert.Equal(LoadOutcome.Replayed, replayFirst);
        Assert.Equal(LoadOutcome.Replayed, replaySecond);
        Assert.Equal(table, await _scratch.DumpAsync("account"));
        Assert.Equal(ledger, await _scratch.DumpLedgerAsync());
        Assert.Equal(3, ledger.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task LoadAsync_ConcurrentLoads_AllApplyAndTheSameManifestOnlyOnce()
    {
        var account = await _scratch.StageAsync(_schema, [Account("a", T0, "A", 1m)]);
        var contact = await _scratch.StageAsync(Narrow("contact"), [Account("c", T0, "C", 1m)]);

        var outcomes = await Task.WhenAll(
            Task.Run(() => _scratch.LoadAsync(account, Sync1)),
            Task.Run(() => _scratch.LoadAsync(contact, Sync1)),
            Task.Run(() => _scratch.LoadAsync(account, Sync1)));

        Assert.Equal(new LoadOutcome(1, 0, 0, 0, false), outcomes[1]);
        Assert.Equal(
            [LoadOutcome.Replayed, new LoadOutcome(1, 0, 0, 0, false)],
            new[] { outcomes[0], outcomes[2] }.OrderBy(o => o.Inserted));
        Assert.Single(await _scratch.LiveRowsAsync(_schema));
    }

    [Fact]
    public async Task LoadAsync_Ledger_RecordsManifestAndCounts()
    {
        var load = await _scratch.StageAsync(_schema, [Account("a", T0, "A", 1m), Account("b", T0, "B", 2m, deleted: true)]);

        await _scratch.LoadAsync(load, Sync1);

        var ledger = await _scratch.DumpLedgerAsync();
        Assert.Equal(
            $"""
            load_id|connector|run_id|object|window_start|window_end|rows|inserted|updated|deleted|loaded_at
            {load.Manifest.LoadId}|conn|{load.Manifest.RunId}|account|{T0.AddDays(-1).UtcDateTime:O}|{T0.UtcDateTime:O}|2|1|0|1|{Sync1.UtcDateTime:O}

            """,
            ledger);
    }

    [Fact]
    public async Task LoadAsync_ObjectNamedLikeTheLedger_Throws()
    {
        var load = _scratch.WriteByHand(Narrow(LoadSql.LedgerTable));

        // Names starting with '_' belong to the pipeline, the ledger's among them.
        await Assert.ThrowsAsync<InvalidDataException>(() => _scratch.LoadAsync(load, Sync1));
    }

    [Fact]
    public async Task LoadAsync_LargeOverlappingBatches_CountsInsertsAndUpdatesExactly()
    {
        // Speed is measured by tests/benchmarks/run.sh, not here.
        const int rows = 50_000;
        var load = await _scratch.StageAsync(_schema, Enumerable.Range(0, rows).Select(i => Account($"acc-{i:D7}", T0, $"Account {i}", i * 1.25m)));
        var next = await _scratch.StageAsync(_schema, Enumerable.Range(rows / 2, rows).Select(i => Account($"acc-{i:D7}", T0.AddMinutes(1), $"Account {i}", i)));

        var first = await _scratch.LoadAsync(load, Sync1);
        var second = await _scratch.LoadAsync(next, Sync2);

        Assert.Equal(new LoadOutcome(rows, 0, 0, 0, false), first);
        Assert.Equal(new LoadOutcome(rows / 2, rows / 2, 0, 0, false), second);
    }

    private async Task<LoadOutcome> LoadAsync(DateTimeOffset syncedAt, params SourceRow[] rows) =>
        await _scratch.LoadAsync(await _scratch.StageAsync(_schema, rows), syncedAt);
}
