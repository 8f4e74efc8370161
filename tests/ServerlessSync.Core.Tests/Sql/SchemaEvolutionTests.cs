using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Sql;

namespace ServerlessSync.Core.Tests.Sql;

public sealed class SchemaEvolutionTests
{
    private static readonly TestDialect Dialect = new();

    private static readonly ObjectSchema Account = new("account",
    [
        new ColumnSchema("id", ColumnType.String),
        new ColumnSchema("updateddate", ColumnType.Timestamp),
        new ColumnSchema("name", ColumnType.String),
        new ColumnSchema("balance", ColumnType.Decimal(18, 2)),
    ]);

    [Fact]
    public void Plan_NoTable_CreatesSchemaLedgerAndTable_AndLoadsTheManifestsColumns()
    {
        var plan = SchemaEvolution.Plan(Dialect, "zuora", Account, []);

        Assert.Equal(
        [
            "CREATE SCHEMA IF NOT EXISTS \"zuora\"",
            LoadSql.CreateLedger(Dialect, "zuora"),
            "CREATE TABLE IF NOT EXISTS \"zuora\".\"account\" (\"id\" VARCHAR NOT NULL, \"updateddate\" TIMESTAMPTZ, \"name\" VARCHAR, \"balance\" DECIMAL(18,2), "
                + "\"_deleted\" BOOLEAN NOT NULL, \"_synced_at\" TIMESTAMPTZ, PRIMARY KEY (\"id\"))",
        ],
            plan.Statements);
        Assert.Equal(Account.Columns, plan.Columns);
    }

    [Fact]
    public void Plan_NoTable_SchemaExists_CreatesLedgerAndTableOnly()
    {
        var plan = SchemaEvolution.Plan(Dialect, "zuora", Account, [], schemaExists: true);

        Assert.DoesNotContain(plan.Statements, s => s.Contains("CREATE SCHEMA", StringComparison.Ordinal));
        Assert.Equal([LoadSql.CreateLedger(Dialect, "zuora"), SchemaEvolution.Plan(Dialect, "zuora", Account, []).Statements[2]], plan.Statements);
    }

    [Fact]
    public void Plan_SameColumns_ChangesNothing()
    {
        var plan = SchemaEvolution.Plan(Dialect, "zuora", Account, Catalog(Account));

        Assert.Empty(plan.Statements);
        Assert.Equal(Account.Columns, plan.Columns);
    }

    [Fact]
    public void Plan_ColumnNamesDifferOnlyInCase_AddsNothing_AndLoadsInTheTablesSpelling()
    {
        var existing = new[]
        {
            new CatalogColumn("ID", "varchar"),
            new CatalogColumn("UpdatedDate", "timestamptz"),
            new CatalogColumn("Name", "varchar"),
            new CatalogColumn("balance", "decimal(18,2)"),
            new CatalogColumn("_Deleted", "BOOLEAN"),
            new CatalogColumn("_SYNCED_AT", "timestamptz"),
        };

        var plan = SchemaEvolution.Plan(Dialect, "zuora", Account, existing);

        Assert.Empty(plan.Statements);
        Assert.Equal(["ID", "UpdatedDate", "Name", "balance"], plan.Columns.Select(c => c.Name));
        Assert.Equal(Account.Columns.Select(c => c.Type), plan.Columns.Select(c => c.Type));
    }

    [Fact]
    public void Plan_NewColumns_AreAddedAtTheEnd_WithTheLedgerFirst()
    {
        var wider = Account with { Columns = [.. Account.Columns, new ColumnSchema("region", ColumnType.String), new ColumnSchema("seats", ColumnType.Int64)] };

        var plan = SchemaEvolution.Plan(Dialect, "zuora", wider, Catalog(Account));

        Assert.Equal(
        [
            LoadSql.CreateLedger(Dialect, "zuora"),
            "ALTER TABLE \"zuora\".\"account\" ADD COLUMN \"region\" VARCHAR",
            "ALTER TABLE \"zuora\".\"account\" ADD COLUMN \"seats\" BIGINT",
        ],
            plan.Statements);
        Assert.Equal(wider.Columns, plan.Columns);
    }

    [Fact]
    public void Plan_ColumnsTheManifestLacks_AreKept()
    {
        var narrower = Account with { Columns = [.. Account.Columns.Take(3)] };

        var plan = SchemaEvolution.Plan(Dialect, "zuora", narrower, Catalog(Account));

        Assert.Empty(plan.Statements);
        Assert.Equal(narrower.Columns, plan.Columns);
    }

    [Theory]
    [InlineData("decimal(18,2)", "decimal(18,4)", "decimal(18,2)")]
    [InlineData("decimal(18,2)", "bigint", "decimal(18,2)")]
    [InlineData("integer", "decimal(18,2)", "integer")]
    public void Plan_TypeChange_ThrowsSchemaChange_NamingTableColumnOldAndNewType(string existingType, string newType, string oldTypeNamed)
    {
        var existing = Catalog(Account).Select(c => c.Name == "balance" ? c with { DataType = existingType } : c).ToList();
        var changed = Account with { Columns = [.. Account.Columns.Take(3), new ColumnSchema("balance", ColumnType.Parse(newType))] };

        var e = Assert.Throws<SchemaChangeException>(() => SchemaEvolution.Plan(Dialect, "zuora", changed, existing));

        Assert.Equal("zuora.account", e.Table);
        Assert.Equal("balance", e.Column);
        Assert.Equal(oldTypeNamed, e.OldType);
        Assert.Equal(newType, e.NewType);
        foreach (var part in new[] { "zuora.account", "'balance'", oldTypeNamed, newType })
        {
            Assert.Contains(part, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Plan_TypeChangeOfAColumnInAnotherCase_IsStillRefused()
    {
        var existing = Catalog(Account).Select(c => c.Name == "balance" ? new CatalogColumn("BALANCE", "bigint") : c).ToList();

        var e = Assert.Throws<SchemaChangeException>(() => SchemaEvolution.Plan(Dialect, "zuora", Account, existing));

        Assert.Equal(("balance", "bigint", "decimal(18,2)"), (e.Column, e.OldType, e.NewType));
    }

    [Theory]
    [InlineData("_deleted", null, "BOOLEAN column '_deleted'")]
    [InlineData("_synced_at", null, "TIMESTAMPTZ column '_synced_at'")]
    [InlineData("_deleted", "varchar", "BOOLEAN column '_deleted'")]
    [InlineData("_synced_at", "date", "TIMESTAMPTZ column '_synced_at'")]
    [InlineData("_synced_at", "timestamp without time zone", "TIMESTAMPTZ column '_synced_at'")]
    public void Plan_PipelineColumnMissingOrOfAnotherType_ThrowsNamingTableAndColumn(string column, string? type, string named)
    {
        var existing = Catalog(Account)
            .Where(c => c.Name != column || type is not null)
            .Select(c => c.Name == column ? c with { DataType = type! } : c)
            .ToList();

        var e = Assert.Throws<InvalidDataException>(() => SchemaEvolution.Plan(Dialect, "zuora", Account, existing));

        Assert.Equal($"table zuora.account has no {named}; it was not created by this pipeline", e.Message);
    }

    [Fact]
    public void Describe_NoColumns_IsNull() => Assert.Null(SchemaEvolution.Describe(Dialect, "zuora", "account", []));

    [Fact]
    public void Describe_SkipsThePipelineColumnsInAnyCase_KeepingTableOrderAndSpelling()
    {
        var existing = new[]
        {
            new CatalogColumn("id", "varchar"),
            new CatalogColumn("_DELETED", "boolean"),
            new CatalogColumn("updateddate", "timestamptz"),
            new CatalogColumn("_Synced_At", "timestamptz"),
            new CatalogColumn("Name", "varchar"),
        };

        var described = SchemaEvolution.Describe(Dialect, "zuora", "account", existing)!;

        Assert.Equal("account", described.Name);
        Assert.Equal([new ColumnSchema("id", ColumnType.String), new ColumnSchema("updateddate", ColumnType.Timestamp), new ColumnSchema("Name", ColumnType.String)], described.Columns);
    }

    [Fact]
    public void Describe_ColumnOfATypeThePipelineNeverCreates_ThrowsNamingIt()
    {
        var existing = new[] { new CatalogColumn("id", "varchar"), new CatalogColumn("score", "double") };

        var e = Assert.Throws<InvalidDataException>(() => SchemaEvolution.Describe(Dialect, "zuora", "account", existing));

        Assert.Equal("table zuora.account: column 'score' has type double, which the pipeline never creates", e.Message);
    }

    [Theory]
    [InlineData("_deleted", true)]
    [InlineData("_DELETED", true)]
    [InlineData("_Synced_At", true)]
    [InlineData("deleted", false)]
    [InlineData("_sync_rank", false)]
    [InlineData("id", false)]
    public void IsPipelineColumn_MatchesInAnyCase(string name, bool expected) => Assert.Equal(expected, SchemaEvolution.IsPipelineColumn(name));

    [Fact]
    public void CreateTable_WithoutPrimaryKey_RequiresSyncedAt()
    {
        var sql = SchemaEvolution.CreateTable(new TestDialect(declaresPrimaryKey: false), "zuora", "account", Account.Columns.Take(2).ToList());

        Assert.Equal("CREATE TABLE IF NOT EXISTS \"zuora\".\"account\" (\"id\" VARCHAR, \"updateddate\" TIMESTAMPTZ, \"_deleted\" BOOLEAN NOT NULL, \"_synced_at\" TIMESTAMPTZ NOT NULL)", sql);
    }

    [Fact]
    public void AddColumn_QuotesTheName()
    {
        var sql = SchemaEvolution.AddColumn(Dialect, "we\"ird", "account", new ColumnSchema("a\"b", ColumnType.Date));

        Assert.Equal("ALTER TABLE \"we\"\"ird\".\"account\" ADD COLUMN \"a\"\"b\" DATE", sql);
    }

    /// <summary>The catalog of a table the pipeline created for <paramref name="schema"/>.</summary>
    private static List<CatalogColumn> Catalog(ObjectSchema schema) =>
    [
        .. schema.Columns.Select(c => new CatalogColumn(c.Name, c.Type.ToString())),
        new CatalogColumn(ObjectSchema.DeletedColumn, "boolean"),
        new CatalogColumn(ObjectSchema.SyncedAtColumn, "timestamptz"),
    ];
}
