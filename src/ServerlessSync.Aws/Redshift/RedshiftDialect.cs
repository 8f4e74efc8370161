using System.Globalization;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Sql;

namespace ServerlessSync.Aws.Redshift;

/// <summary>
/// Redshift's side of the shared SQL: quotes and backslashes doubled in literals, null-safe comparison without
/// <c>IS DISTINCT FROM</c> (Redshift has none), temporary tables by their plain name, no arrival order, a primary key
/// on the target, and the parts read by <c>COPY ... MANIFEST</c> into a staging table made <c>LIKE</c> the target.
/// </summary>
/// <param name="copyRoleArn">the IAM role Redshift reads the staging bucket with (COPY's IAM_ROLE)</param>
/// <param name="copyRegion">the bucket's region when it differs from the cluster's, else null</param>
/// <param name="truncateLongStrings">COPY's TRUNCATECOLUMNS</param>
internal sealed class RedshiftDialect(string copyRoleArn, string? copyRegion, bool truncateLongStrings) : SqlDialect
{
    public override string? ArrivalOrder => null;

    public override bool DeclaresPrimaryKey => true;

    /// <summary>Loads of several objects run at once (the workflow's Map) under serializable isolation.</summary>
    public override bool LocksLedgerForLoad => true;

    /// <summary>The staging table, made LIKE the target, takes COPY's rows without <c>_synced_at</c>.</summary>
    public override bool SyncedAtNullable => true;

    public override string Literal(string value) => RedshiftSql.Literal(value);

    public override string TypeName(ColumnType type) => RedshiftSql.TypeName(type);

    public override string BoundedStringType(int maxBytes) =>
        string.Create(CultureInfo.InvariantCulture, $"VARCHAR({Math.Min(maxBytes, RedshiftSql.MaxVarcharBytes)})");

    public override bool TryParseType(CatalogColumn column, out ColumnType type)
    {
        ArgumentNullException.ThrowIfNull(column);
        return RedshiftSql.TryParseType(column.DataType, column.NumericPrecision, column.NumericScale, out type);
    }

    /// <summary>True when both are NULL or both equal (Redshift has no <c>IS NOT DISTINCT FROM</c>).</summary>
    /// <summary>
    /// Redshift has no <c>IS NOT DISTINCT FROM</c>, and allows an IS comparison on a boolean only as a WHERE predicate, never
    /// in a SELECT list (where the classification compares): booleans are compared with both NULL stand-ins instead, which
    /// agree only when both sides are NULL or both equal.
    /// </summary>
    public override string NullSafeEquals(string left, string right, ColumnType type) => type.Kind == ColumnKind.Boolean
        ? $"(COALESCE({left}, FALSE) = COALESCE({right}, FALSE) AND COALESCE({left}, TRUE) = COALESCE({right}, TRUE))"
        : $"(COALESCE({left} = {right}, FALSE) OR ({left} IS NULL AND {right} IS NULL))";

    public override string NullSafeDiffers(string left, string right, ColumnType type) => $"NOT {NullSafeEquals(left, right, type)}";

    public override string TempTable(string name) => SqlText.QuoteIdentifier(name);

    /// <summary>
    /// A staging table LIKE the target, then, with parts, COPY from the one COPY manifest listing them. A manifest
    /// without parts (an incremental window with no changes) has no COPY: Redshift refuses a COPY manifest without
    /// entries.
    /// </summary>
    public override StagingStatements Stage(StagingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var create = $"CREATE TEMP TABLE {SqlText.QuoteIdentifier(request.StagedTable)} (LIKE {request.Target})";
        return request.Sources switch
        {
            [] => new StagingStatements([create], CopyIndex: -1),
            [var manifestUrl] => new StagingStatements(
                [create, RedshiftSql.Copy(request.StagedTable, request.Columns, new RedshiftSql.CopySource(manifestUrl, request.NullMarker, copyRoleArn, copyRegion, truncateLongStrings, request.Codec))],
                CopyIndex: 1),
            _ => throw new ArgumentException($"Redshift reads a load's parts from one COPY manifest, not {request.Sources.Count} sources", nameof(request)),
        };
    }
}
