using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Sql;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Core.Tests.Sql;

public sealed class LoadSqlTests
{
    private static readonly DateTimeOffset T0 = new(2026, 2, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly IReadOnlyList<ColumnSchema> Columns =
    [
        new ColumnSchema("id", ColumnType.String),
        new ColumnSchema("updateddate", ColumnType.Timestamp),
        new ColumnSchema("name", ColumnType.String),
    ];

    [Fact]
    public void Load_WithParts_StagesThroughTheDialect_AndMarksCopyCountAndLastStagingStatement()
    {
        var load = LoadSql.Load(new TestDialect(), "zuora", Manifest(windowStart: T0.AddDays(-1)), Columns, ["s3://b/m.json"], T0);

        Assert.Equal("READ 's3://b/m.json'", load.Sqls[load.CopyIndex]);
        Assert.Equal(1, load.CopyIndex);
        Assert.Equal(1, load.StagedIndex);
        Assert.StartsWith("DELETE FROM tmp.\"_sync_staged\" WHERE EXISTS (SELECT 1 FROM \"zuora\".\"_serverless_sync_loads\" WHERE \"load_id\" = 'conn/run''1/account')", load.Sqls[load.StagedIndex + 1], StringComparison.Ordinal);
        Assert.StartsWith("SELECT COUNT(CASE WHEN", load.Sqls[load.CountIndex], StringComparison.Ordinal);
        Assert.Contains("AS already_loaded", load.Sqls[load.CountIndex], StringComparison.Ordinal);
        Assert.Equal(["DROP TABLE tmp.\"_sync_classified\"", "DROP TABLE tmp.\"_sync_batch\"", "DROP TABLE tmp.\"_sync_staged\""], load.Sqls.TakeLast(3));
    }

    [Fact]
    public void Load_DialectLocksTheLedger_LocksItFirst_BeforeAnyStatementTakesASnapshot()
    {
        var unlocked = LoadSql.Load(new TestDialect(), "zuora", Manifest(windowStart: T0.AddDays(-1)), Columns, ["s3://b/m.json"], T0);

        var load = LoadSql.Load(new TestDialect(locksLedger: true), "zuora", Manifest(windowStart: T0.AddDays(-1)), Columns, ["s3://b/m.json"], T0);

        Assert.Equal("LOCK \"zuora\".\"_serverless_sync_loads\"", load.Sqls[0]);
        Assert.Equal(unlocked.Sqls, load.Sqls.Skip(1));
        Assert.Equal("READ 's3://b/m.json'", load.Sqls[load.CopyIndex]);
        Assert.Equal((unlocked.CopyIndex + 1, unlocked.StagedIndex + 1, unlocked.CountIndex + 1), (load.CopyIndex, load.StagedIndex, load.CountIndex));
    }

    [Fact]
    public void Load_WithoutParts_HasNoCopy()
    {
        var load = LoadSql.Load(new TestDialect(), "zuora", Manifest(windowStart: T0.AddDays(-1)), Columns, [], T0);

        Assert.Equal(-1, load.CopyIndex);
        Assert.Equal(0, load.StagedIndex);
        Assert.DoesNotContain(load.Sqls, s => s.StartsWith("READ", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_CollapsesDuplicatesByCursorThenDeleteThenTheDialectsArrivalOrder()
    {
        var withArrival = LoadSql.Load(new TestDialect("arrival"), "zuora", Manifest(windowStart: T0), Columns, [], T0);
        var without = LoadSql.Load(new TestDialect(arrivalOrder: null), "zuora", Manifest(windowStart: T0), Columns, [], T0);

        Assert.Contains(withArrival.Sqls, s => s.Contains("ORDER BY \"updateddate\" DESC NULLS LAST, \"_deleted\" DESC, arrival DESC)", StringComparison.Ordinal));
        Assert.Contains(without.Sqls, s => s.Contains("ORDER BY \"updateddate\" DESC NULLS LAST, \"_deleted\" DESC)", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_ComparesThroughTheDialectsNullSafeFunctions_AndValuesThroughItsLiterals()
    {
        var load = LoadSql.Load(new TestDialect(), "zuora", Manifest(windowStart: T0), Columns, [], T0);
        var all = string.Join("\n", load.Sqls);

        Assert.Contains("SAME(b.\"updateddate\", t.\"updateddate\")", all, StringComparison.Ordinal);
        Assert.Contains("DIFFERS(b.\"name\", t.\"name\") OR DIFFERS(b.\"_deleted\", t.\"_deleted\")", all, StringComparison.Ordinal);
        Assert.DoesNotContain("DISTINCT FROM", all, StringComparison.Ordinal);
        Assert.Contains("'conn', 'run''1', 'account'", all, StringComparison.Ordinal);
        Assert.Contains("CAST('2026-02-01 12:00:00.000000+00' AS TIMESTAMPTZ)", all, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Historical_FindsAbsentRowsBeforeTheCount_MarksThemAfterTheMerge_UnlessReplayed()
    {
        var load = LoadSql.Load(new TestDialect(), "zuora", Manifest(windowStart: null), Columns, [], T0.AddHours(1));

        var find = load.Sqls.ToList().FindIndex(s => s.StartsWith("CREATE TEMP TABLE \"_sync_absent\"", StringComparison.Ordinal));
        var mark = load.Sqls.ToList().FindIndex(s => s.Contains("SET \"_deleted\" = TRUE", StringComparison.Ordinal));
        Assert.InRange(find, 0, load.CountIndex - 1);
        Assert.True(mark > load.CountIndex);
        Assert.Contains("\"updateddate\" < CAST('2026-02-01 12:00:00.000000+00' AS TIMESTAMPTZ)", load.Sqls[find], StringComparison.Ordinal);
        Assert.Contains("AND NOT EXISTS (SELECT 1 FROM \"zuora\".\"_serverless_sync_loads\"", load.Sqls[find], StringComparison.Ordinal);
        Assert.Contains("+ (SELECT COUNT(*) FROM tmp.\"_sync_absent\")", load.Sqls[load.CountIndex], StringComparison.Ordinal);
        Assert.Equal("DROP TABLE tmp.\"_sync_absent\"", load.Sqls[^4]);
    }

    [Fact]
    public void Load_DialectReplacingUpdatedRows_DeletesThemAndInsertsTheMergedRowsWithTheKeptColumns_NoUpdate()
    {
        var load = LoadSql.Load(new TestDialect(replacesUpdatedRows: true), "zuora", Manifest(windowStart: T0), Columns, ["s3://b/m.json"], T0, keptColumns: ["legacy"]);

        var classify = Assert.Single(load.Sqls, s => s.StartsWith("CREATE TEMP TABLE \"_sync_classified\"", StringComparison.Ordinal));
        Assert.Contains("SELECT b.\"id\", CASE WHEN b.\"_deleted\" THEN COALESCE(b.\"updateddate\", t.\"updateddate\") ELSE b.\"updateddate\" END AS \"updateddate\", CASE WHEN b.\"_deleted\" THEN COALESCE(b.\"name\", t.\"name\") ELSE b.\"name\" END AS \"name\", b.\"_deleted\", t.\"legacy\",", classify, StringComparison.Ordinal);
        var delete = load.Sqls.ToList().FindIndex(s => s.StartsWith("DELETE FROM \"zuora\".\"account\"", StringComparison.Ordinal));
        Assert.Equal("DELETE FROM \"zuora\".\"account\" WHERE \"id\" IN (SELECT \"id\" FROM tmp.\"_sync_classified\" WHERE \"_sync_action\" = 'U')", load.Sqls[delete]);
        Assert.True(delete > load.CountIndex);
        Assert.StartsWith("INSERT INTO \"zuora\".\"account\" (\"id\", \"updateddate\", \"name\", \"_deleted\", \"legacy\", \"_synced_at\")", load.Sqls[delete + 1], StringComparison.Ordinal);
        Assert.Contains("WHERE \"_sync_action\" IN ('I', 'U')", load.Sqls[delete + 1], StringComparison.Ordinal);
        Assert.DoesNotContain(load.Sqls, s => s.StartsWith("UPDATE", StringComparison.Ordinal));
        Assert.Throws<ArgumentNullException>(() => LoadSql.Load(new TestDialect(replacesUpdatedRows: true), "zuora", Manifest(windowStart: T0), Columns, [], T0));
    }

    [Fact]
    public void Load_DialectReadingParts_IntoEmptyTarget_InsertsFromThePartsThenCollapsesRepeatedIdsInTheTarget()
    {
        var load = LoadSql.Load(new TestDialect(readsParts: true), "zuora", Manifest(windowStart: null), Columns, ["p0", "p1"], T0, targetIsEmpty: true);

        Assert.Equal(0, load.CopyIndex);
        Assert.Equal(0, load.StagedIndex);
        Assert.Equal("\"zuora\".\"account\"", load.StagedRows);
        Assert.StartsWith("INSERT INTO \"zuora\".\"account\" (\"id\", \"updateddate\", \"name\", \"_deleted\", \"_synced_at\")", load.Sqls[0], StringComparison.Ordinal);
        Assert.Contains("FROM PARTS('p0', 'p1')\nWHERE NOT EXISTS (SELECT 1 FROM \"zuora\".\"_serverless_sync_loads\"", load.Sqls[0], StringComparison.Ordinal);
        Assert.Contains("ROW_NUMBER() OVER (PARTITION BY \"id\" ORDER BY \"updateddate\" DESC NULLS LAST, \"_deleted\" DESC, arrival DESC)", load.Sqls[1], StringComparison.Ordinal);
        Assert.Contains("WHERE \"id\" IN (SELECT \"id\" FROM \"zuora\".\"account\" GROUP BY \"id\" HAVING COUNT(*) > 1)", load.Sqls[1], StringComparison.Ordinal);
        Assert.Contains("AS already_loaded", load.Sqls[load.CountIndex], StringComparison.Ordinal);
        Assert.StartsWith("INSERT INTO \"zuora\".\"_serverless_sync_loads\"", load.Sqls[^1], StringComparison.Ordinal);
        Assert.DoesNotContain(load.Sqls, s => s.Contains("_sync_staged", StringComparison.Ordinal));

        // Without parts, or into a table with rows, the parts are staged as before.
        Assert.Equal("tmp.\"_sync_staged\"", LoadSql.Load(new TestDialect(readsParts: true), "zuora", Manifest(windowStart: null), Columns, [], T0, targetIsEmpty: true).StagedRows);
        Assert.Equal("tmp.\"_sync_staged\"", LoadSql.Load(new TestDialect(readsParts: true), "zuora", Manifest(windowStart: null), Columns, ["p0"], T0).StagedRows);
    }

    [Fact]
    public void Outcome_ReadsTheCountRow_AlreadyLoadedIsAReplay()
    {
        Assert.Equal(new LoadOutcome(1, 2, 3, 4, false), LoadSql.Outcome([1, 2, 3, 4, 0]));
        Assert.Equal(LoadOutcome.Replayed, LoadSql.Outcome([0, 0, 0, 5, 1]));
        Assert.Throws<InvalidDataException>(() => LoadSql.Outcome([1, 2, 3, 4]));
    }

    private static StagedManifest Manifest(DateTimeOffset? windowStart) => new(
        StagedManifest.CurrentFormat, "conn", "run'1", "account", windowStart, T0,
        [.. Columns.Select(c => new ManifestColumn(c.Name, c.Type.ToString()))],
        "null-abcdefghijkl", [], 0, 0, T0, null);
}
