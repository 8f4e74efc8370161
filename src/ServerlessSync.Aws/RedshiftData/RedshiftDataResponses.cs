using System.Text.Json.Serialization;

namespace ServerlessSync.Aws.RedshiftData;

/// <summary>
/// What ExecuteStatement and BatchExecuteStatement answer alike: the submitted statement's id (to describe,
/// wait for, read or cancel), when it was created and where it runs.
/// </summary>
public abstract record StatementSubmitted
{
    [JsonPropertyName("Id")]
    public string Id { get; init; } = "";

    [JsonPropertyName("CreatedAt")]
    public DateTimeOffset? CreatedAt { get; init; }

    [JsonPropertyName("ClusterIdentifier")]
    public string? ClusterIdentifier { get; init; }

    [JsonPropertyName("WorkgroupName")]
    public string? WorkgroupName { get; init; }

    [JsonPropertyName("Database")]
    public string? Database { get; init; }

    [JsonPropertyName("DbUser")]
    public string? DbUser { get; init; }

    /// <summary>Set when the request had WaitTimeSeconds; see <see cref="StatementStatus"/>.</summary>
    [JsonPropertyName("Status")]
    public string? Status { get; init; }

    [JsonPropertyName("HasResultSet")]
    public bool? HasResultSet { get; init; }
}

/// <summary>Output of ExecuteStatement: the statement's id, to describe, wait for, read or cancel.</summary>
public sealed record ExecuteStatementResponse : StatementSubmitted;

/// <summary>Output of BatchExecuteStatement: the batch's id (its sub-statements are <c>{Id}:1</c>, <c>{Id}:2</c>, …).</summary>
public sealed record BatchExecuteStatementResponse : StatementSubmitted;

/// <summary>
/// Where a statement is and how it went, as DescribeStatement says of a statement and of each statement of a batch.
/// </summary>
public abstract record StatementState
{
    [JsonPropertyName("Id")]
    public string Id { get; init; } = "";

    /// <summary>One of <see cref="StatementStatus"/>.</summary>
    [JsonPropertyName("Status")]
    public string? Status { get; init; }

    /// <summary>The error text of a FAILED statement.</summary>
    [JsonPropertyName("Error")]
    public string? Error { get; init; }

    [JsonPropertyName("QueryString")]
    public string? QueryString { get; init; }

    [JsonPropertyName("CreatedAt")]
    public DateTimeOffset? CreatedAt { get; init; }

    [JsonPropertyName("UpdatedAt")]
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Nanoseconds the statement ran.</summary>
    [JsonPropertyName("Duration")]
    public long? Duration { get; init; }

    [JsonPropertyName("HasResultSet")]
    public bool? HasResultSet { get; init; }

    /// <summary>Rows the statement returned or changed (-1 when not applicable).</summary>
    [JsonPropertyName("ResultRows")]
    public long? ResultRows { get; init; }

    [JsonPropertyName("ResultSize")]
    public long? ResultSize { get; init; }

    /// <summary>The query id in Redshift's system tables (SYS_QUERY_HISTORY, STL_QUERY).</summary>
    [JsonPropertyName("RedshiftQueryId")]
    public long? RedshiftQueryId { get; init; }
}

/// <summary>Output of DescribeStatement: where a statement (or batch) is, and why it failed if it did.</summary>
public sealed record DescribeStatementResponse : StatementState
{

    [JsonPropertyName("RedshiftPid")]
    public long? RedshiftPid { get; init; }

    [JsonPropertyName("QueryParameters")]
    public IReadOnlyList<SqlParameter>? QueryParameters { get; init; }

    /// <summary>For a batch: each statement, in order.</summary>
    [JsonPropertyName("SubStatements")]
    public IReadOnlyList<SubStatementData>? SubStatements { get; init; }

    [JsonPropertyName("ClusterIdentifier")]
    public string? ClusterIdentifier { get; init; }

    [JsonPropertyName("WorkgroupName")]
    public string? WorkgroupName { get; init; }

    [JsonPropertyName("Database")]
    public string? Database { get; init; }

    [JsonPropertyName("DbUser")]
    public string? DbUser { get; init; }
}

/// <summary>One statement of a batch, as DescribeStatement reports it. Its id is the batch id plus <c>:n</c> (1-based).</summary>
public sealed record SubStatementData : StatementState
{
    /// <summary>The 1-based position in the batch, from the <c>:n</c> suffix of <see cref="StatementState.Id"/>; null without one.</summary>
    [JsonIgnore]
    public int? Position =>
        Id.LastIndexOf(':') is var colon and >= 0 && int.TryParse(Id.AsSpan(colon + 1), out var position) ? position : null;
}

/// <summary>Output of GetStatementResult: one page of rows; <see cref="NextToken"/> asks for the next.</summary>
public sealed record GetStatementResultResponse
{
    [JsonPropertyName("Records")]
    public IReadOnlyList<IReadOnlyList<Field>> Records { get; init; } = [];

    [JsonPropertyName("ColumnMetadata")]
    public IReadOnlyList<ColumnMetadata>? ColumnMetadata { get; init; }

    [JsonPropertyName("TotalNumRows")]
    public long? TotalNumRows { get; init; }

    [JsonPropertyName("NextToken")]
    public string? NextToken { get; init; }
}

/// <summary>One value of a result row: exactly one member is set (<c>isNull: true</c> for SQL NULL).</summary>
public sealed record Field
{
    [JsonPropertyName("isNull")]
    public bool? IsNull { get; init; }

    [JsonPropertyName("booleanValue")]
    public bool? BooleanValue { get; init; }

    [JsonPropertyName("longValue")]
    public long? LongValue { get; init; }

    [JsonPropertyName("doubleValue")]
    public double? DoubleValue { get; init; }

    [JsonPropertyName("stringValue")]
    public string? StringValue { get; init; }

    [JsonPropertyName("blobValue")]
    public byte[]? BlobValue { get; init; }

    /// <summary>The value as a CLR object: null, bool, long, double, string or byte[].</summary>
    [JsonIgnore]
    public object? Value =>
        IsNull == true ? null
        : BooleanValue is { } b ? b
        : LongValue is { } l ? l
        : DoubleValue is { } d ? d
        : StringValue is { } s ? s
        : BlobValue;
}

/// <summary>A result column as the Data API describes it.</summary>
public sealed record ColumnMetadata
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("label")]
    public string? Label { get; init; }

    /// <summary>The Redshift type name, e.g. <c>varchar</c>, <c>int8</c>, <c>numeric</c>, <c>timestamp</c>.</summary>
    [JsonPropertyName("typeName")]
    public string? TypeName { get; init; }

    [JsonPropertyName("precision")]
    public int? Precision { get; init; }

    [JsonPropertyName("scale")]
    public int? Scale { get; init; }

    [JsonPropertyName("length")]
    public int? Length { get; init; }

    /// <summary>0 no nulls, 1 nullable, 2 unknown (JDBC convention).</summary>
    [JsonPropertyName("nullable")]
    public int? Nullable { get; init; }

    [JsonPropertyName("isSigned")]
    public bool? IsSigned { get; init; }

    [JsonPropertyName("isCaseSensitive")]
    public bool? IsCaseSensitive { get; init; }

    [JsonPropertyName("isCurrency")]
    public bool? IsCurrency { get; init; }

    [JsonPropertyName("schemaName")]
    public string? SchemaName { get; init; }

    [JsonPropertyName("tableName")]
    public string? TableName { get; init; }

    [JsonPropertyName("columnDefault")]
    public string? ColumnDefault { get; init; }
}

/// <summary>Output of CancelStatement: whether the cancel was accepted.</summary>
public sealed record CancelStatementResponse
{
    [JsonPropertyName("Status")]
    public bool? Status { get; init; }
}

/// <summary>The statuses the Data API reports for a statement.</summary>
public static class StatementStatus
{
    public const string Submitted = "SUBMITTED";
    public const string Picked = "PICKED";
    public const string Started = "STARTED";
    public const string Finished = "FINISHED";
    public const string Aborted = "ABORTED";
    public const string Failed = "FAILED";

    /// <summary>FINISHED, FAILED or ABORTED: the statement will not change any more.</summary>
    public static bool IsTerminal(string? status) => status is Finished or Failed or Aborted;
}
