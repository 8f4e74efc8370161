using ServerlessSync.Core.Model;
using ServerlessSync.Core.Sql;

namespace ServerlessSync.Core.Tests.Sql;

/// <summary>
/// A dialect for Core's SQL tests: types in <see cref="ColumnType"/>'s text form, marked null-safe comparisons,
/// and staging that names its source, so that a test sees where each piece came from.
/// </summary>
internal sealed class TestDialect(string? arrivalOrder = "arrival", bool declaresPrimaryKey = true, bool locksLedger = false, bool replacesUpdatedRows = false, bool readsParts = false) : SqlDialect
{
    public override bool ReplacesUpdatedRows => replacesUpdatedRows;

    /// <summary>With <c>readsParts</c>, <c>PARTS(sources)</c>.</summary>
    public override string? ReadParts(StagingRequest request) =>
        readsParts && request.Sources.Count > 0 ? $"PARTS({string.Join(", ", request.Sources.Select(Literal))})" : null;

    public override string? ArrivalOrder => arrivalOrder;

    public override bool DeclaresPrimaryKey => declaresPrimaryKey;

    public override bool LocksLedgerForLoad => locksLedger;

    public override bool SyncedAtNullable => declaresPrimaryKey;

    public override string Literal(string value) => string.Concat("'", value.Replace("'", "''", StringComparison.Ordinal), "'");

    public override string TypeName(ColumnType type) => type.ToString().ToUpperInvariant();

    public override string BoundedStringType(int maxBytes) => $"TEXT{maxBytes}";

    /// <summary>The text form of a column type, in any case; nothing else (not even what <see cref="ColumnType.Parse"/> also takes).</summary>
    public override bool TryParseType(CatalogColumn column, out ColumnType type)
    {
        try
        {
            type = ColumnType.Parse(column.DataType);
            return string.Equals(type.ToString(), column.DataType, StringComparison.OrdinalIgnoreCase);
        }
        catch (FormatException)
        {
            type = default;
            return false;
        }
    }

    public override string NullSafeEquals(string left, string right, ColumnType type) => $"SAME({left}, {right})";

    public override string NullSafeDiffers(string left, string right, ColumnType type) => $"DIFFERS({left}, {right})";

    public override string TempTable(string name) => $"tmp.{SqlText.QuoteIdentifier(name)}";

    public override StagingStatements Stage(StagingRequest request) =>
        request.Sources.Count == 0
            ? new StagingStatements([$"CREATE TEMP TABLE {SqlText.QuoteIdentifier(request.StagedTable)} (LIKE {request.Target})"], -1)
            : new StagingStatements(
                [$"CREATE TEMP TABLE {SqlText.QuoteIdentifier(request.StagedTable)} (LIKE {request.Target})", $"READ {string.Join(", ", request.Sources.Select(Literal))}"],
                1);
}
