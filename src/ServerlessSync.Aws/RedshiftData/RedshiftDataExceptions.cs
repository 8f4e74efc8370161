using System.Globalization;
using ServerlessSync.Aws.Http;

namespace ServerlessSync.Aws.RedshiftData;

/// <summary>The request was invalid (bad SQL parameters, unknown cluster member, a limit). Never retried.</summary>
public sealed class ValidationException : AwsServiceException
{
    internal ValidationException(AwsServiceError error) : base(error)
    {
    }

    public override bool IsRetryable => false;
}

/// <summary>Too many statements are running for this cluster or workgroup; retried with backoff.</summary>
public sealed class ActiveStatementsExceededException : AwsServiceException
{
    internal ActiveStatementsExceededException(AwsServiceError error) : base(error)
    {
    }

    public override bool IsRetryable => true;
}

/// <summary>Too many sessions are open; retried with backoff.</summary>
public sealed class ActiveSessionsExceededException : AwsServiceException
{
    internal ActiveSessionsExceededException(AwsServiceError error) : base(error)
    {
    }

    public override bool IsRetryable => true;
}

/// <summary>The statement id (or the session) is unknown, or its results expired.</summary>
public sealed class ResourceNotFoundException : AwsServiceException
{
    internal ResourceNotFoundException(AwsServiceError error) : base(error) => ResourceId = error.StringMember("ResourceId");

    public string? ResourceId { get; }

    public override bool IsRetryable => false;
}

/// <summary>The statement could not be submitted (e.g. the cluster is unavailable or the user lacks access).</summary>
public sealed class ExecuteStatementException : AwsServiceException
{
    internal ExecuteStatementException(AwsServiceError error) : base(error) => StatementId = error.StringMember("StatementId");

    public string? StatementId { get; }

    public override bool IsRetryable => false;
}

/// <summary>The batch could not be submitted.</summary>
public sealed class BatchExecuteStatementException : AwsServiceException
{
    internal BatchExecuteStatementException(AwsServiceError error) : base(error) => StatementId = error.StringMember("StatementId");

    public string? StatementId { get; }

    public override bool IsRetryable => false;
}

/// <summary>The Data API failed internally; retried with backoff.</summary>
public sealed class InternalServerException : AwsServiceException
{
    internal InternalServerException(AwsServiceError error) : base(error)
    {
    }

    public override bool IsRetryable => true;
}

/// <summary>
/// A statement ended FAILED or ABORTED. For a batch, <see cref="SubStatements"/> says which statement failed
/// (<see cref="FailedSubStatement"/>, with its <see cref="StatementState.RedshiftQueryId"/> for the system tables).
/// </summary>
public sealed class RedshiftStatementFailedException(DescribeStatementResponse statement)
    : Exception(Describe(statement))
{
    public string StatementId => Statement.Id;

    /// <summary>FAILED or ABORTED.</summary>
    public string Status => Statement.Status ?? "";

    /// <summary>The Data API's error text (e.g. the database's error message).</summary>
    public string? Error => Statement.Error;

    public IReadOnlyList<SubStatementData> SubStatements => Statement.SubStatements ?? [];

    /// <summary>The first sub-statement that FAILED (or was ABORTED, when none failed), or null for a single statement.</summary>
    public SubStatementData? FailedSubStatement =>
        SubStatements.FirstOrDefault(s => s.Status == StatementStatus.Failed)
        ?? SubStatements.FirstOrDefault(s => s.Status == StatementStatus.Aborted);

    /// <summary>The last DescribeStatement answer, whole.</summary>
    public DescribeStatementResponse Statement { get; } = statement;

    private static string Describe(DescribeStatementResponse statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        var text = $"Redshift statement {statement.Id} {statement.Status}: {statement.Error ?? "(no error text)"}";
        var failed = statement.SubStatements?.FirstOrDefault(s => s.Status == StatementStatus.Failed);
        if (failed is not null)
        {
            text += $" [sub-statement {failed.Position?.ToString(CultureInfo.InvariantCulture) ?? failed.Id} of {statement.SubStatements!.Count}"
                + (failed.RedshiftQueryId is { } query ? $", Redshift query id {query}" : "")
                + (failed.Error is { } error && error != statement.Error ? $": {error}" : "")
                + "]";
        }

        return text;
    }
}

/// <summary>A statement was still running when the wait's timeout passed. It is not cancelled: the caller decides.</summary>
public sealed class RedshiftStatementTimeoutException(string statementId, string? lastStatus, TimeSpan timeout)
    : TimeoutException($"Redshift statement {statementId} was still {lastStatus ?? "unknown"} after {timeout}")
{
    public string StatementId { get; } = statementId;

    public string? LastStatus { get; } = lastStatus;
}
