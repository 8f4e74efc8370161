using DuckDB.NET.Data;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Embedded.DuckDb;
using static ServerlessSync.Testing.Warehouse.WarehouseRows;
using ServerlessSync.Testing.Warehouse;

namespace ServerlessSync.Embedded.Tests.DuckDb;

public sealed class DuckDbWarehouseSchemaAndFailureTests : IDisposable
{
    private const string Ts = "2024-03-01 12:00:00.000000+00";
    private const string Later = "2024-03-01 12:05:00.000000+00";
    private static readonly DateTimeOffset T0 = WarehouseScratch.T0;
    private static readonly DateTimeOffset Sync1 = T0.AddHours(1);
    private static readonly DateTimeOffset Sync2 = T0.AddHours(2);

    private readonly WarehouseScratch _scratch = new();
    private readonly ObjectSchema _schema = Narrow();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task LoadAsync_DatabaseDirectoryMissing_CreatesIt()
    {
        Assert.False(Directory.Exists(Path.GetDirectoryName(_scratch.DatabasePath)));

        await LoadAsync(_schema, Sync1, Account("a", T0, "A", 1m));

        Assert.True(File.Exists(_scratch.DatabasePath));
    }

    [Fact]
    public async Task LoadAsync_DatabaseOpened_RunsWithTheWarehousesThreadsAndMemoryLimit()
    {
        await LoadAsync(_schema, Sync1, Account("a", T0, "A", 1m));

        // A connection of the test's own shares the warehouse's database instance, and so its settings.
        await using var connection = new DuckDBConnection(new DuckDBConnectionStringBuilder { DataSource = _scratch.DatabasePath }.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT current_setting('threads'), current_setting('memory_limit')";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal((1L, "160.0 MiB"), (Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), reader.GetString(1)));
        Assert.Equal((1, 160L * 1024 * 1024), (_scratch.Warehouse.Threads, _scratch.Warehouse.MemoryLimitBytes));
    }

    [Fact]
    public async Task LoadAsync_ChangedType_LeavesTableAndLedgerAsTheyWere()
    {
        // What the exception names is in the warehouse contract; here, that the table and the ledger hold the same.
        await LoadAsync(_schema, Sync1, Account("a", T0, "A", 1m));
        var table = await _scratch.DumpAsync("account");
        var ledger = await _scratch.DumpLedgerAsync();
        var changed = _schema.Without("balance").With("added", ColumnType.String).With("balance", ColumnType.Decimal(18, 4));
        var load = await _scratch.StageAsync(changed, [new(["a", T0.AddMinutes(1), "A2", "x", 2m], false)]);

        await Assert.ThrowsAsync<SchemaChangeException>(() => _scratch.LoadAsync(load, Sync2));

        Assert.Equal(table, await _scratch.DumpAsync("account"));
        Assert.Equal(ledger, await _scratch.DumpLedgerAsync());
    }

    [Fact]
    public async Task LoadAsync_SecondPartMalformed_RollsBackEverythingAndNamesFileAndLine()
    {
        await LoadAsync(_schema, Sync1, Account("a", T0, "A", 1m), Account("b", T0, "B", 2m));
        var table = await _scratch.DumpAsync("account");
        var ledger = await _scratch.DumpLedgerAsync();
        var wider = _schema.With("region", ColumnType.String);
        var load = _scratch.WriteByHand(
            wider,
            [$"\"a\",{Later},\"A2\",1.00,\"EU\",false", $"\"c\",{Ts},\"C\",3.00,\"EU\",false"],
            [$"\"b\",{Later},\"B\",2.00,\\N,true", $"\"d\",{Ts},\"D\",4.00,\\N,false", $"\"e\",{Ts},\"unterminated,4.00,\\N,false"]);

        var e = await Assert.ThrowsAsync<DuckDbLoadException>(() => _scratch.LoadAsync(load, Sync2));

        Assert.Contains(load.Parts[1], e.Message, StringComparison.Ordinal);
        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("'account'", e.Message, StringComparison.Ordinal);
        Assert.Contains("unterminated quote", e.Message, StringComparison.Ordinal);
        Assert.Equal(load.Parts[1], e.File);
        Assert.Equal(3, e.Line);
        Assert.Equal(table, await _scratch.DumpAsync("account"));
        Assert.Equal(ledger, await _scratch.DumpLedgerAsync());
        Assert.Equal(_schema.Columns, (await _scratch.Warehouse.DescribeAsync("account", CancellationToken.None))!.Columns);
    }

    [Fact]
    public async Task LoadAsync_AfterFailedLoad_RetryWithGoodPartsSucceeds()
    {
        var bad = _scratch.WriteByHand(_schema, [$"\"a\",{Ts},\"A\",1.00,false", $"\"b\",{Ts},\"B\",1.00,false,extra"]);
        await Assert.ThrowsAsync<DuckDbLoadException>(() => _scratch.LoadAsync(bad, Sync1));
        var good = _scratch.WriteByHand(_schema, [$"\"a\",{Ts},\"A\",1.00,false", $"\"b\",{Ts},\"B\",1.00,false"]);

        var outcome = await _scratch.LoadAsync(good with { Manifest = good.Manifest with { RunId = bad.Manifest.RunId } }, Sync2);

        Assert.Equal(new LoadOutcome(2, 0, 0, 0, false), outcome);
    }

    [Theory]
    [InlineData("notanumber", "Could not convert string \"notanumber\"")]
    [InlineData("12345678901234567.00", "Could not convert string \"12345678901234567.00\"")]
    public async Task LoadAsync_ValueOfWrongType_NamesFileLineAndReason(string balance, string reason)
    {
        var load = _scratch.WriteByHand(_schema, [$"\"a\",{Ts},\"A\",1.00,false"], [$"\"b\",{Ts},\"B\",1.00,false", $"\"c\",{Ts},\"multi\nline\",1.00,false", $"\"d\",{Ts},\"D\",{balance},false"]);

        var e = await Assert.ThrowsAsync<DuckDbLoadException>(() => _scratch.LoadAsync(load, Sync1));

        Assert.Contains(load.Parts[1], e.Message, StringComparison.Ordinal);
        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.Contains("balance", e.Message, StringComparison.Ordinal);
        Assert.Equal("<no table>", await _scratch.DumpAsync("account"));
    }

    [Fact]
    public async Task LoadAsync_PartHoldsFewerRowsThanManifest_ThrowsNamingFile()
    {
        // DuckDB skips a blank line silently; the manifest's row count catches it.
        var load = _scratch.WriteByHand(_schema, [$"\"a\",{Ts},\"A\",1.00,false"], [$"\"b\",{Ts},\"B\",1.00,false", "", $"\"c\",{Ts},\"C\",1.00,false"]);

        var e = await Assert.ThrowsAsync<DuckDbLoadException>(() => _scratch.LoadAsync(load, Sync1));

        Assert.Contains(load.Parts[1], e.Message, StringComparison.Ordinal);
        Assert.Contains("2 rows but the manifest says 3", e.Message, StringComparison.Ordinal);
        Assert.Equal("<no table>", await _scratch.DumpAsync("account"));
    }

    [Fact]
    public async Task LoadAsync_NullId_ThrowsNamingFile()
    {
        var load = _scratch.WriteByHand(_schema, [$"\"a\",{Ts},\"A\",1.00,false"], [$"\\N,{Ts},\"B\",1.00,false"]);

        var e = await Assert.ThrowsAsync<DuckDbLoadException>(() => _scratch.LoadAsync(load, Sync1));

        Assert.Contains(load.Parts[1], e.Message, StringComparison.Ordinal);
        Assert.Contains("NULL id", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LoadAsync_NullDeleted_ThrowsNamingFileAndChangesNothing(bool tableExists)
    {
        if (tableExists)
        {
            await _scratch.LoadAsync(_scratch.WriteByHand(_schema, [$"\"z\",{Ts},\"Z\",1.00,false"]), Sync1);
        }

        var (table, ledger) = (await _scratch.DumpAsync("account"), await _scratch.DumpLedgerAsync());
        var load = _scratch.WriteByHand(_schema, [$"\"a\",{Ts},\"A\",1.00,false"], [$"\"b\",{Ts},\"B\",1.00,\\N"]);

        var e = await Assert.ThrowsAsync<DuckDbLoadException>(() => _scratch.LoadAsync(load, Sync1));

        Assert.Contains(load.Parts[1], e.Message, StringComparison.Ordinal);
        Assert.Contains("1 rows have a NULL id or _deleted", e.Message, StringComparison.Ordinal);
        Assert.Equal((table, ledger), (await _scratch.DumpAsync("account"), await _scratch.DumpLedgerAsync()));
    }

    [Fact]
    public async Task LoadAsync_QuotedNullMarker_IsTextNotNull()
    {
        var load = _scratch.WriteByHand(_schema, [$"\"a\",{Ts},\"\\N\",\\N,false", $"\"b\",{Ts},\\N,\\N,false", $"\"c\",{Ts},\"\",\\N,false"]);

        await _scratch.LoadAsync(load, Sync1);

        var names = (await _scratch.LiveRowsAsync(_schema)).ToDictionary(r => (string)r[0]!, r => (string?)r[2]);
        Assert.Equal("\\N", names["a"]);
        Assert.Null(names["b"]);
        Assert.Equal("", names["c"]);
    }

    [Fact]
    public async Task LoadAsync_MissingPartFile_ThrowsNamingFile()
    {
        var load = _scratch.WriteByHand(_schema, [$"\"a\",{Ts},\"A\",1.00,false"]);
        File.Delete(load.Parts[0]);

        var e = await Assert.ThrowsAsync<DuckDbLoadException>(() => _scratch.LoadAsync(load, Sync1));

        Assert.Contains(load.Parts[0], e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_PartCountDiffersFromManifest_Throws()
    {
        var load = _scratch.WriteByHand(_schema, [$"\"a\",{Ts},\"A\",1.00,false"]);

        await Assert.ThrowsAsync<ArgumentException>(() => _scratch.Warehouse.LoadAsync(load.Manifest, [], Sync1, CancellationToken.None));
    }

    [Fact]
    public async Task LoadAsync_Cancelled_ThrowsAndRecordsNothing()
    {
        var load = _scratch.WriteByHand(_schema, [$"\"a\",{Ts},\"A\",1.00,false"]);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _scratch.Warehouse.LoadAsync(load.Manifest, load.Parts, Sync1, new CancellationToken(canceled: true)));

        Assert.Equal("<no table>", await _scratch.DumpLedgerAsync());
    }

    [Fact]
    public async Task LoadAsync_AfterDispose_ThrowsObjectDisposed()
    {
        var load = _scratch.WriteByHand(_schema, [$"\"a\",{Ts},\"A\",1.00,false"]);
        await _scratch.Warehouse.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => _scratch.LoadAsync(load, Sync1));
    }

    private async Task<LoadOutcome> LoadAsync(ObjectSchema schema, DateTimeOffset syncedAt, params SourceRow[] rows) =>
        await _scratch.LoadAsync(await _scratch.StageAsync(schema, rows), syncedAt);
}
