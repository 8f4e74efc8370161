namespace RedshiftDataDouble.Statements;

internal enum StatementStatus
{
    Submitted,
    Started,
    Finished,
    Failed,
    Aborted,
}

/// <summary>
/// Where a statement runs: what the request named (the double runs them all on its one database), and the database user
/// the named target's statements run as.
/// </summary>
internal sealed record StatementTarget(string? ClusterIdentifier, string? WorkgroupName, string Database, string? DbUser, string? SecretArn, string DatabaseUser);

/// <summary>One SQL text of a submission: the statement of an ExecuteStatement, or one of a batch's.</summary>
internal sealed class StatementPart(string id, string sql, DateTimeOffset createdAt)
{
    public string Id { get; } = id;

    public string Sql { get; } = sql;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public StatementStatus Status { get; set; } = StatementStatus.Submitted;

    public string? Error { get; set; }

    public DateTimeOffset UpdatedAt { get; set; } = createdAt;

    public long DurationNanoseconds { get; set; } = -1;

    public long ResultRows { get; set; } = -1;

    public long ResultSize { get; set; } = -1;

    public long RedshiftQueryId { get; set; }

    public bool HasResultSet { get; set; }

    public ResultSet? Result { get; set; }
}

/// <summary>
/// What one ExecuteStatement or BatchExecuteStatement submitted, and how it is going. Everything mutable here
/// (the submission's and its parts' state) changes under <see cref="Gate"/>.
/// </summary>
internal sealed class Submission
{
    public required string Id { get; init; }

    public required bool IsBatch { get; init; }

    public required StatementTarget Target { get; init; }

    /// <summary>The access key that signed the submission: the IAM identity the Data API keeps the statement for.</summary>
    public required string SubmitterAccessKeyId { get; init; }

    public required IReadOnlyList<StatementPart> Parts { get; init; }

    public required IReadOnlyList<KeyValuePair<string, string>> Parameters { get; init; }

    public required bool AutoCommit { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public string? StatementName { get; init; }

    /// <summary>The request asked for an EventBridge event when the submission ends.</summary>
    public bool WithEvent { get; init; }

    public object Gate { get; } = new();

    public StatementStatus Status { get; set; } = StatementStatus.Submitted;

    public string? Error { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public long DurationNanoseconds { get; set; } = -1;

    public int RedshiftPid { get; set; }

    /// <summary>Completes when the submission reaches FINISHED, FAILED or ABORTED.</summary>
    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CancellationTokenSource Cancellation { get; } = new();

    /// <summary>Rows over the submission's statements that reported any (-1 when none did): DescribeStatement's <c>ResultRows</c> of a batch.</summary>
    public long TotalResultRows
    {
        get
        {
            var counted = Parts.Where(p => p.ResultRows >= 0).ToList();
            return counted.Count > 0 ? counted.Sum(p => p.ResultRows) : -1;
        }
    }

    public bool IsDone => Status is StatementStatus.Finished or StatementStatus.Failed or StatementStatus.Aborted;
}
