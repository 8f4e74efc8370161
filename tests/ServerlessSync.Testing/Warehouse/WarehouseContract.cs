using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Staging;
using static ServerlessSync.Testing.Warehouse.WarehouseRows;

namespace ServerlessSync.Testing.Warehouse;

/// <summary>
/// What every warehouse must do through <see cref="IWarehouse"/>, written once: loads go in as the pipeline stages them
/// (Core's <see cref="ObjectStager"/> into the warehouse's staging store) and as the load step drives them
/// (<see cref="WarehouseLoads"/>: submit, wait for a running load's end, read the completion), and every outcome is
/// read back through the port (<see cref="IWarehouse.DescribeAsync"/>, <see cref="IWarehouse.ReadLiveRowsAsync"/>) and
/// from the returned <see cref="LoadOutcome"/>. A test class per warehouse derives from this: its
/// <see cref="IAsyncLifetime"/> gives every test a destination of its own (xunit makes a new instance per test) and
/// removes it. What one warehouse does its own way (its error explanations, its SQL, its requests) is tested in that
/// warehouse's own test classes.
/// </summary>
public abstract partial class WarehouseContract : IAsyncLifetime
{
    protected static readonly CancellationToken None = CancellationToken.None;

    /// <summary>When the rows were updated; the default window ends here.</summary>
    protected static readonly DateTimeOffset T0 = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);

    protected static readonly DateTimeOffset Sync1 = T0.AddHours(1);
    protected static readonly DateTimeOffset Sync2 = T0.AddHours(2);

    /// <summary>An incremental window: the day before <see cref="T0"/>.</summary>
    protected static readonly SyncWindow Incremental = new(T0.AddDays(-1), T0);

    private readonly ImmediateTimeProvider _stagingClock = new(T0);
    private int _runs;

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    /// <summary>The warehouse under test, over this test's own destination.</summary>
    protected abstract IWarehouse Warehouse { get; }

    /// <summary>Where parts are staged and where the warehouse reads them from.</summary>
    protected abstract IStagingStore Staging { get; }

    /// <summary>Where the end of a load that answered running is heard; null for a warehouse that always completes at once.</summary>
    protected abstract ILoadEndSignal? LoadEnds { get; }

    /// <summary>The destination schema the warehouse creates its tables in (a <see cref="SchemaChangeException"/> names <c>schema.table</c>).</summary>
    protected abstract string DestinationSchema { get; }

    /// <summary>The longest text, in UTF-8 bytes, the warehouse's text columns hold; longer values are tested with each warehouse.</summary>
    protected virtual int MaxStringBytes => int.MaxValue;

    /// <summary>
    /// Lets the time pass, between a load and its replay, within which the warehouse cannot tell the replay from the load
    /// itself (Redshift's clock skew allowance, within which the Data API's answer for the manifest's token is the
    /// load's own statement); nothing for a warehouse that can always tell.
    /// </summary>
    protected virtual void LetReplayWindowPass()
    {
    }

    /// <summary>Stages <paramref name="rows"/> under a new run id for <paramref name="window"/> (default <see cref="Incremental"/>).</summary>
    protected Task<StagedManifest> StageAsync(ObjectSchema schema, IEnumerable<SourceRow> rows, SyncWindow? window = null) =>
        Staging.StageRowsAsync($"run-{Interlocked.Increment(ref _runs):D4}", schema, rows, window ?? Incremental, _stagingClock, None);

    /// <summary>Loads <paramref name="manifest"/> as the load step does, stamping <paramref name="syncedAt"/>.</summary>
    protected Task<LoadOutcome> LoadAsync(StagedManifest manifest, DateTimeOffset syncedAt) =>
        Warehouse.LoadAsync(manifest, Staging.PartLocations(manifest), syncedAt, None, LoadEnds);

    /// <summary>Stages <paramref name="rows"/> of <paramref name="schema"/> for <paramref name="window"/> (default <see cref="Incremental"/>) and loads them.</summary>
    protected async Task<LoadOutcome> LoadAsync(ObjectSchema schema, DateTimeOffset syncedAt, IEnumerable<SourceRow> rows, SyncWindow? window = null) =>
        await LoadAsync(await StageAsync(schema, rows, window), syncedAt);

    /// <summary>Stages <paramref name="rows"/> of <see cref="Narrow"/> for the incremental window and loads them.</summary>
    protected Task<LoadOutcome> LoadAsync(DateTimeOffset syncedAt, params SourceRow[] rows) => LoadAsync(Narrow(), syncedAt, rows);

    /// <summary>Every live row of <paramref name="schema"/>'s table, all pages, in the order read.</summary>
    protected async Task<List<object?[]>> LiveRowsAsync(ObjectSchema schema)
    {
        var rows = new List<object?[]>();
        await foreach (var row in Warehouse.ReadLiveRowsAsync(schema, None))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The live rows of <see cref="Narrow"/>'s table as <c>id → name</c>.</summary>
    protected async Task<Dictionary<string, string?>> LiveNamesAsync() =>
        (await LiveRowsAsync(Narrow())).ToDictionary(r => (string)r[0]!, r => (string?)r[2], StringComparer.Ordinal);

    [Fact]
    public async Task DescribeAndReadLiveRows_NoTable_NullAndEmpty()
    {
        Assert.Null(await Warehouse.DescribeAsync("account", None));
        Assert.Equal(LiveRowsPage.Empty, await Warehouse.ReadLiveRowsAsync(Narrow(), null, 10, None));
    }

    [Fact]
    public async Task SubmitLoad_FirstLoad_CreatesTableWithTheSourceColumnsOnly()
    {
        var schema = Narrow();

        var outcome = await LoadAsync(Sync1, Account("a", T0, "A", 1.50m), Account("b", T0, null, null));

        Assert.Equal(new LoadOutcome(2, 0, 0, 0, false), outcome);
        var described = await Warehouse.DescribeAsync("account", None);
        Assert.NotNull(described);
        Assert.Equal("account", described.Name);
        // The pipeline's own columns (_deleted, _synced_at) are not the source's.
        Assert.Equal(schema.Columns, described.Columns);
        RowAssert.SameRows([["a", T0, "A", 1.50m], ["b", T0, null, null]], await LiveRowsAsync(schema), [.. schema.Columns.Select(c => c.Name)]);
    }

    [Fact]
    public async Task SubmitLoad_NewColumn_AddedAtTheEndWithNullForOldRows()
    {
        await LoadAsync(Sync1, Account("old", T0, "O"), Account("upd", T0, "U"));
        var wider = Narrow() with { Columns = [.. Narrow().Columns, new ColumnSchema("region", ColumnType.String), new ColumnSchema("seats", ColumnType.Int64)] };

        var outcome = await LoadAsync(wider, Sync2, [new(["upd", T0.AddMinutes(1), "U", 1m, "EU", 5L], false), new(["new", T0, "N", 1m, "US", null], false)]);

        Assert.Equal(new LoadOutcome(1, 1, 0, 0, false), outcome);
        Assert.Equal(wider.Columns, (await Warehouse.DescribeAsync("account", None))!.Columns);
        var live = (await LiveRowsAsync(wider)).ToDictionary(r => (string)r[0]!, StringComparer.Ordinal);
        Assert.Equal([null, null], live["old"][4..]);
        Assert.Equal(["EU", 5L], live["upd"][4..]);
        Assert.Equal(["US", null], live["new"][4..]);
    }

    [Fact]
    public async Task SubmitLoad_ChangedType_ThrowsNamingTableColumnAndTypesAndLoadsNothing()
    {
        await LoadAsync(Sync1, Account("a", T0, "A", 1m));
        var before = await LiveRowsAsync(Narrow());
        var changed = new ObjectSchema("account",
        [
            new ColumnSchema("id", ColumnType.String),
            new ColumnSchema("updateddate", ColumnType.Timestamp),
            new ColumnSchema("added", ColumnType.String),
            new ColumnSchema("name", ColumnType.String),
            new ColumnSchema("balance", ColumnType.Decimal(18, 4)),
        ]);
        var load = await StageAsync(changed, [new(["a", T0.AddMinutes(1), "x", "A2", 2m], false), new(["b", T0, "y", "B", 1m], false)]);

        var e = await Assert.ThrowsAsync<SchemaChangeException>(() => LoadAsync(load, Sync2));

        Assert.Equal($"{DestinationSchema}.account", e.Table);
        Assert.Equal("balance", e.Column);
        Assert.Equal("decimal(18,2)", e.OldType);
        Assert.Equal("decimal(18,4)", e.NewType);
        foreach (var part in new[] { $"{DestinationSchema}.account", "'balance'", "decimal(18,2)", "decimal(18,4)" })
        {
            Assert.Contains(part, e.Message, StringComparison.Ordinal);
        }

        // Not even the new column that came before the changed one.
        Assert.Equal(Narrow().Columns, (await Warehouse.DescribeAsync("account", None))!.Columns);
        RowAssert.SameRows(before, await LiveRowsAsync(Narrow()), [.. Narrow().Columns.Select(c => c.Name)]);
    }
}
