using System.Runtime.CompilerServices;
using ServerlessSync.Aws.Http;

namespace ServerlessSync.Aws.RedshiftData;

/// <summary>
/// The Redshift Data API operations the warehouse uses (ExecuteStatement, BatchExecuteStatement,
/// DescribeStatement, GetStatementResult, CancelStatement), a waiter for a statement's end, and a reader of
/// its rows page by page. Requests are checked against the API's limits before sending; throttling,
/// concurrency limits and server errors are retried per <see cref="AwsClientOptions.Retry"/>; error answers
/// become <see cref="AwsServiceException"/> subclasses. Create one per process and reuse it.
/// </summary>
public sealed class RedshiftDataClient : IDisposable
{
    private static readonly RedshiftDataJsonContext Json = RedshiftDataJsonContext.Default;

    internal static readonly AwsJsonOperation<ExecuteStatementRequest, ExecuteStatementResponse> ExecuteStatement =
        new("ExecuteStatement", Json.ExecuteStatementRequest, Json.ExecuteStatementResponse);

    internal static readonly AwsJsonOperation<BatchExecuteStatementRequest, BatchExecuteStatementResponse> BatchExecuteStatement =
        new("BatchExecuteStatement", Json.BatchExecuteStatementRequest, Json.BatchExecuteStatementResponse);

    internal static readonly AwsJsonOperation<DescribeStatementRequest, DescribeStatementResponse> DescribeStatement =
        new("DescribeStatement", Json.DescribeStatementRequest, Json.DescribeStatementResponse);

    internal static readonly AwsJsonOperation<GetStatementResultRequest, GetStatementResultResponse> GetStatementResult =
        new("GetStatementResult", Json.GetStatementResultRequest, Json.GetStatementResultResponse);

    internal static readonly AwsJsonOperation<CancelStatementRequest, CancelStatementResponse> CancelStatement =
        new("CancelStatement", Json.CancelStatementRequest, Json.CancelStatementResponse);

    /// <summary>Every operation this client sends (the contract tests check each against the API model).</summary>
    internal static IReadOnlyList<IAwsJsonOperation> Operations { get; } =
        [ExecuteStatement, BatchExecuteStatement, DescribeStatement, GetStatementResult, CancelStatement];

    private readonly AwsJsonClient _client;

    public RedshiftDataClient(AwsClientOptions options) => _client = new AwsJsonClient(Service, options, ToException);

    /// <summary>The Data API's wire identity: endpoint prefix and signing name <c>redshift-data</c>, target prefix <c>RedshiftData</c>, awsJson 1.1.</summary>
    public static AwsJsonService Service { get; } = new("Redshift Data API", "redshift-data", "redshift-data", "RedshiftData", "1.1");

    /// <summary>Submits one statement; returns at once with its id (or after up to WaitTimeSeconds).</summary>
    public Task<ExecuteStatementResponse> ExecuteStatementAsync(ExecuteStatementRequest request, CancellationToken cancellationToken)
    {
        RedshiftDataLimits.Check(request);
        CheckWaitFitsAttempt(request.WaitTimeSeconds);
        return _client.SendAsync(ExecuteStatement, WithClientToken(request), cancellationToken);
    }

    /// <summary>Submits up to 40 statements run in order in one transaction; returns the batch id.</summary>
    public Task<BatchExecuteStatementResponse> BatchExecuteStatementAsync(BatchExecuteStatementRequest request, CancellationToken cancellationToken)
    {
        RedshiftDataLimits.Check(request);
        CheckWaitFitsAttempt(request.WaitTimeSeconds);
        return _client.SendAsync(BatchExecuteStatement, WithClientToken(request), cancellationToken);
    }

    public Task<DescribeStatementResponse> DescribeStatementAsync(DescribeStatementRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        RedshiftDataLimits.CheckId(request.Id, request.WaitTimeSeconds);
        CheckWaitFitsAttempt(request.WaitTimeSeconds);
        return _client.SendAsync(DescribeStatement, request, cancellationToken);
    }

    /// <summary>One page of a FINISHED statement's rows (for a batch, ask for a sub-statement id <c>{Id}:n</c>).</summary>
    public Task<GetStatementResultResponse> GetStatementResultAsync(GetStatementResultRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        RedshiftDataLimits.CheckId(request.Id, request.WaitTimeSeconds);
        CheckWaitFitsAttempt(request.WaitTimeSeconds);
        return _client.SendAsync(GetStatementResult, request, cancellationToken);
    }

    public Task<CancelStatementResponse> CancelStatementAsync(string statementId, CancellationToken cancellationToken)
    {
        RedshiftDataLimits.CheckId(statementId, waitTimeSeconds: null);
        return _client.SendAsync(CancelStatement, new CancelStatementRequest(statementId), cancellationToken);
    }

    /// <summary>
    /// Describes <paramref name="statementId"/> every <paramref name="pollInterval"/> (on the options'
    /// TimeProvider) until it ends. Returns the FINISHED description; throws
    /// <see cref="RedshiftStatementFailedException"/> for FAILED or ABORTED (with the error text and, for a
    /// batch, the sub-statements), and <see cref="RedshiftStatementTimeoutException"/> when it is still
    /// running after <paramref name="timeout"/> (the statement is left running; cancel it if you must).
    /// </summary>
    public async Task<DescribeStatementResponse> WaitForStatementAsync(string statementId, TimeSpan pollInterval, TimeSpan timeout, CancellationToken cancellationToken)
    {
        RedshiftDataLimits.CheckId(statementId, waitTimeSeconds: null);
        if (pollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(pollInterval), pollInterval, "the poll interval must be positive");
        }

        if (timeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "the timeout must not be negative");
        }

        var time = _client.TimeProvider;
        var started = time.GetTimestamp();
        while (true)
        {
            // Long polling: the Data API holds the call until the statement ends or WaitTimeSeconds pass.
            var longPoll = LongPollSeconds(timeout - time.GetElapsedTime(started));
            var statement = await DescribeStatementAsync(new DescribeStatementRequest(statementId) { WaitTimeSeconds = longPoll }, cancellationToken);
            switch (statement.Status)
            {
                case StatementStatus.Finished:
                    return statement;
                case StatementStatus.Failed or StatementStatus.Aborted:
                    throw new RedshiftStatementFailedException(statement);
            }

            var elapsed = time.GetElapsedTime(started);
            if (elapsed >= timeout)
            {
                throw new RedshiftStatementTimeoutException(statementId, statement.Status, timeout);
            }

            var wait = timeout - elapsed < pollInterval ? timeout - elapsed : pollInterval;
            await Task.Delay(wait, time, cancellationToken);
        }
    }

    /// <summary>
    /// The rows of a FINISHED statement, one at a time, fetching the next GetStatementResult page only when
    /// the previous one has been consumed (so at most one page is held).
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<Field>> ReadRecordsAsync(string statementId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? nextToken = null;
        do
        {
            var page = await GetStatementResultAsync(new GetStatementResultRequest(statementId) { NextToken = nextToken }, cancellationToken);
            foreach (var record in page.Records)
            {
                yield return record;
            }

            nextToken = page.NextToken;
        }
        while (!string.IsNullOrEmpty(nextToken));
    }

    public void Dispose() => _client.Dispose();

    /// <summary>How long one Describe may wait for the end: what is left of the timeout, 1 to 30 s, and 5 s under an HTTP attempt's timeout.</summary>
    private int? LongPollSeconds(TimeSpan remaining)
    {
        var ceiling = Math.Min(RedshiftDataLimits.MaxWaitTimeSeconds, (int)(_client.AttemptTimeout - TimeSpan.FromSeconds(5)).TotalSeconds);
        return ceiling < RedshiftDataLimits.MinWaitTimeSeconds
            ? null
            : Math.Clamp((int)Math.Ceiling(remaining.TotalSeconds), RedshiftDataLimits.MinWaitTimeSeconds, ceiling);
    }

    /// <summary>A call that may wait WaitTimeSeconds on the server must not be cut short by the attempt timeout.</summary>
    private void CheckWaitFitsAttempt(int? waitTimeSeconds)
    {
        if (waitTimeSeconds is { } seconds && TimeSpan.FromSeconds(seconds + 5) > _client.AttemptTimeout)
        {
            throw new ArgumentException(
                $"WaitTimeSeconds {seconds} leaves no room within the client's AttemptTimeout of {_client.AttemptTimeout}: raise AttemptTimeout above {seconds + 5} s or wait less",
                "request");
        }
    }

    private static T WithClientToken<T>(T request) where T : StatementSubmission =>
        request.ClientToken is null ? request with { ClientToken = Guid.NewGuid().ToString() } : request;

    private static AwsServiceException ToException(AwsServiceError error) => error.Code switch
    {
        "ValidationException" => new ValidationException(error),
        "ActiveStatementsExceededException" => new ActiveStatementsExceededException(error),
        "ActiveSessionsExceededException" => new ActiveSessionsExceededException(error),
        "ResourceNotFoundException" => new ResourceNotFoundException(error),
        "ExecuteStatementException" => new ExecuteStatementException(error),
        "BatchExecuteStatementException" => new BatchExecuteStatementException(error),
        "InternalServerException" => new InternalServerException(error),
        _ when AwsThrottlingException.Matches(error) => new AwsThrottlingException(error),
        _ => new AwsServiceException(error),
    };
}
