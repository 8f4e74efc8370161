using System.Text.Json.Serialization;

namespace ServerlessSync.Aws.RedshiftData;

/// <summary>
/// What ExecuteStatement and BatchExecuteStatement share: the target (sent as its wire members
/// <c>ClusterIdentifier</c>/<c>Database</c>/<c>DbUser</c> or <c>WorkgroupName</c>/<c>Database</c>) and the
/// optional members we use. The client fills <see cref="ClientToken"/> when it is null so that a retried
/// submission is not run twice.
/// </summary>
public abstract record StatementSubmission([property: JsonIgnore] RedshiftTarget Target)
{
    [JsonPropertyName("ClusterIdentifier")]
    public string? ClusterIdentifier => Target.ClusterIdentifier;

    [JsonPropertyName("Database")]
    public string Database => Target.Database;

    [JsonPropertyName("DbUser")]
    public string? DbUser => Target.DbUser;

    [JsonPropertyName("WorkgroupName")]
    public string? WorkgroupName => Target.WorkgroupName;

    /// <summary>Named parameters (<c>:name</c> in the SQL); null or at least one.</summary>
    [JsonPropertyName("Parameters")]
    public IReadOnlyList<SqlParameter>? Parameters { get; init; }

    /// <summary>A label shown in ListStatements; at most 2048 characters.</summary>
    [JsonPropertyName("StatementName")]
    public string? StatementName { get; init; }

    /// <summary>Whether the Data API sends an EventBridge event when the statement ends.</summary>
    [JsonPropertyName("WithEvent")]
    public bool? WithEvent { get; init; }

    /// <summary>Idempotency token, 1 to 64 characters; filled with a new GUID when null.</summary>
    [JsonPropertyName("ClientToken")]
    public string? ClientToken { get; init; }

    /// <summary>1 to 30 seconds the call may wait for the statement to end before answering; null to answer at once.</summary>
    [JsonPropertyName("WaitTimeSeconds")]
    public int? WaitTimeSeconds { get; init; }
}

/// <summary>Input of ExecuteStatement: one SQL statement.</summary>
public sealed record ExecuteStatementRequest(RedshiftTarget Target, [property: JsonPropertyName("Sql")] string Sql) : StatementSubmission(Target);

/// <summary>
/// Input of BatchExecuteStatement: 1 to 40 statements run in order in one transaction; if one fails, the
/// transaction is rolled back and the statement's status is FAILED.
/// </summary>
public sealed record BatchExecuteStatementRequest(RedshiftTarget Target, [property: JsonPropertyName("Sqls")] IReadOnlyList<string> Sqls) : StatementSubmission(Target);

/// <summary>A named SQL parameter. The Data API has no NULL parameter: the value is 1 or more characters.</summary>
public sealed record SqlParameter([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("value")] string Value);

/// <summary>Input of DescribeStatement.</summary>
public sealed record DescribeStatementRequest([property: JsonPropertyName("Id")] string Id)
{
    [JsonPropertyName("WaitTimeSeconds")]
    public int? WaitTimeSeconds { get; init; }
}

/// <summary>Input of GetStatementResult: one page of a finished statement's rows.</summary>
public sealed record GetStatementResultRequest([property: JsonPropertyName("Id")] string Id)
{
    [JsonPropertyName("NextToken")]
    public string? NextToken { get; init; }

    [JsonPropertyName("WaitTimeSeconds")]
    public int? WaitTimeSeconds { get; init; }
}

/// <summary>Input of CancelStatement.</summary>
public sealed record CancelStatementRequest([property: JsonPropertyName("Id")] string Id);
