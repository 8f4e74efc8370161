namespace RedshiftDataDouble.Statements;

/// <summary>Which member of the Data API's <c>Field</c> union carries a column's values.</summary>
internal enum FieldKind
{
    Long,
    Boolean,
    Double,
    String,
}

/// <summary>A result column, described as the Data API's <c>ColumnMetadata</c> does.</summary>
internal sealed record ResultColumn(
    string Name,
    string TypeName,
    FieldKind Kind,
    int Precision,
    int Scale,
    int Nullable,
    string SchemaName,
    string TableName,
    bool IsSigned,
    bool IsCaseSensitive);

/// <summary>
/// A statement's result, kept whole until the double is disposed. Values are PostgreSQL's text output. A result over
/// the Data API's limits keeps no rows: <see cref="LimitExceeded"/> is the error GetStatementResult answers.
/// </summary>
internal sealed record ResultSet(IReadOnlyList<ResultColumn> Columns, IReadOnlyList<string?[]> Rows, long SizeBytes)
{
    /// <summary>Rows the statement returned (also when they were not kept).</summary>
    public long RowCount { get; init; }

    /// <summary>The Data API's error for a row or result over its size limits; null within them.</summary>
    public string? LimitExceeded { get; init; }
}
