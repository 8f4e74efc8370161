using System.Globalization;
using ServerlessSync.Core.Model;

namespace ServerlessSync.Core.Sql;

/// <summary>
/// What differs between the warehouses' SQL (DuckDB, Redshift), and nothing more: the merge rules
/// (<see cref="LoadSql"/>) and schema evolution (<see cref="SchemaEvolution"/>) are written once against it.
/// Identifiers are quoted alike everywhere (<see cref="SqlText.QuoteIdentifier"/>); every value is a literal
/// escaped by <see cref="Literal"/>, the dialect's one tested escape function.
/// </summary>
public abstract class SqlDialect
{
    private const string TimestampLiteralFormat = "yyyy-MM-dd HH:mm:ss.ffffff'+00'";

    /// <summary>A string literal; refuses NUL.</summary>
    public abstract string Literal(string value);

    /// <summary>The type a table column of <paramref name="type"/> is created with.</summary>
    public abstract string TypeName(ColumnType type);

    /// <summary>A string type holding at most <paramref name="maxBytes"/> (the ledger's text columns).</summary>
    public abstract string BoundedStringType(int maxBytes);

    /// <summary>Reads a catalog column's type back to a column type; false for a type the pipeline never creates.</summary>
    public abstract bool TryParseType(CatalogColumn column, out ColumnType type);

    /// <summary>Null-safe equality of two expressions of one column type: true when both are NULL or both are equal.</summary>
    public abstract string NullSafeEquals(string left, string right, ColumnType type);

    /// <summary>The negation of <see cref="NullSafeEquals"/>.</summary>
    public abstract string NullSafeDiffers(string left, string right, ColumnType type);

    /// <summary>How a temporary table, created as <c>CREATE TEMP TABLE "name"</c>, is referenced afterwards.</summary>
    public abstract string TempTable(string name);

    /// <summary>
    /// An expression of the staging table (or of a target filled by <see cref="ReadParts"/>) that grows with the rows'
    /// arrival (part, then line), the last tie-break between duplicate ids; null when the dialect has none.
    /// </summary>
    public abstract string? ArrivalOrder { get; }

    /// <summary>Whether a target table declares <c>PRIMARY KEY (id)</c> (with <c>id NOT NULL</c>).</summary>
    public abstract bool DeclaresPrimaryKey { get; }

    /// <summary>Whether a target table's <c>_synced_at</c> may be NULL.</summary>
    public abstract bool SyncedAtNullable { get; }

    /// <summary>
    /// Whether a load's transaction starts by locking the ledger, so that loads of several objects at once run one
    /// after another instead of failing each other: every load reads the shared ledger and then writes it, which
    /// serializable isolation (Redshift's) refuses for two at once (error 1023). A warehouse that runs one load at a
    /// time itself needs none.
    /// </summary>
    public abstract bool LocksLedgerForLoad { get; }

    /// <summary>
    /// Whether the merge replaces an updated row (deletes it, then inserts its new version) instead of updating it in
    /// place. In a column store that keeps row groups compressed (DuckDB) an in-place update of rows spread over the
    /// table rewrites nearly every row group at the next checkpoint, where a delete only marks rows and the new versions
    /// append; the caller then names the target's columns the batch lacks (<see cref="SchemaPlan.KeptColumns"/>), whose
    /// values a replaced row carries over.
    /// </summary>
    public virtual bool ReplacesUpdatedRows => false;

    /// <summary>
    /// A table expression reading the staged parts of <paramref name="request"/> as rows (the load's columns, then
    /// <c>_deleted</c>), which a load into an empty target inserts from directly, without a staging table; null when the
    /// dialect's parts can only be staged (<see cref="Stage"/>) or there are no parts. A dialect answering one has an
    /// <see cref="ArrivalOrder"/> that the target's rows keep from the parts (the collapse of duplicate ids runs on the
    /// target then).
    /// </summary>
    public virtual string? ReadParts(StagingRequest request) => null;

    /// <summary>
    /// The statements that create the temporary staging table <see cref="StagingRequest.StagedTable"/> and fill it
    /// from the staged parts, with the load's columns and <c>_deleted</c> (at least).
    /// </summary>
    public abstract StagingStatements Stage(StagingRequest request);

    /// <summary>
    /// A query of <paramref name="columns"/> from <paramref name="source"/> keeping, for each <paramref name="partitionBy"/>,
    /// only the first row in <paramref name="order"/>. By default a ranked subquery, which every engine here runs; a
    /// dialect whose engine filters inside the window (DuckDB's <c>QUALIFY</c>) may say it so, to hold less in memory.
    /// </summary>
    public virtual string FirstRowPer(string columns, string source, string partitionBy, string order) =>
        $"""
        SELECT {columns} FROM (
            SELECT {columns}, ROW_NUMBER() OVER (PARTITION BY {partitionBy} ORDER BY {order}) AS {SqlText.QuoteIdentifier(LoadSql.RankColumn)}
            FROM {source}) AS ranked
        WHERE {SqlText.QuoteIdentifier(LoadSql.RankColumn)} = 1
        """;

    /// <summary>A timestamptz literal for an instant, at microsecond precision in UTC.</summary>
    public string TimestampLiteral(DateTimeOffset value) =>
        $"CAST({Literal(value.UtcDateTime.ToString(TimestampLiteralFormat, CultureInfo.InvariantCulture))} AS {TypeName(ColumnType.Timestamp)})";
}

/// <summary>What a dialect stages for one load.</summary>
/// <param name="StagedTable">the staging table's name, unquoted (created as <c>CREATE TEMP TABLE "name"</c>)</param>
/// <param name="Target">the target table, quoted and qualified</param>
/// <param name="Columns">the load's columns, in the staged files' order; <c>_deleted</c> follows them in the files</param>
/// <param name="Sources">
/// where the parts are read from: the part files themselves (DuckDB) or the one COPY manifest listing them
/// (Redshift); empty for a manifest without parts
/// </param>
/// <param name="NullMarker">what stands for NULL in the parts, unquoted (the manifest's <see cref="Staging.StagedManifest.NullMarker"/>)</param>
/// <param name="Codec">how the parts are compressed (the manifest's <see cref="Staging.StagedManifest.Codec"/>)</param>
public sealed record StagingRequest(string StagedTable, string Target, IReadOnlyList<ColumnSchema> Columns, IReadOnlyList<string> Sources, string NullMarker, Staging.StagingCodec Codec = Staging.StagingCodec.Gzip);

/// <summary>The staging statements, in order.</summary>
/// <param name="Sqls">the statements</param>
/// <param name="CopyIndex">the position (0-based) of the statement that reads the staged parts; -1 when none does</param>
public sealed record StagingStatements(IReadOnlyList<string> Sqls, int CopyIndex);

/// <summary>One row of the catalog's <c>information_schema.columns</c> for a table, in table order.</summary>
public sealed record CatalogColumn(string Name, string DataType, int? NumericPrecision = null, int? NumericScale = null);
