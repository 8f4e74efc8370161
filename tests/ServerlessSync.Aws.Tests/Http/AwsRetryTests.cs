using ServerlessSync.Aws.Http;
using ServerlessSync.Aws.RedshiftData;

namespace ServerlessSync.Aws.Tests.Http;

/// <summary>Retries and backoff, on a fake clock the test advances (no real waiting).</summary>
public sealed class AwsRetryTests
{
    private const string Described = """{"Id":"abc","Status":"FINISHED"}""";

    [Fact]
    public async Task Throttled_ThenSuccess_ReturnsOneResultAfterOneBackoff()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerError(400, "ThrottlingException", "Rate exceeded").AnswerJson(Described);
        var time = new ObservedTimeProvider();
        using var client = TestAws.RedshiftData(endpoint, time);

        var call = client.DescribeStatementAsync(new DescribeStatementRequest("abc"), CancellationToken.None);
        var delays = await time.AdvanceUntilCompletedAsync(call);

        Assert.Equal(StatementStatus.Finished, (await call).Status);
        Assert.Equal(2, endpoint.Requests.Count);
        Assert.Equal([TimeSpan.FromMilliseconds(100)], delays);
    }

    [Theory]
    [InlineData(400, "ThrottlingException")]
    [InlineData(400, "Throttling")]
    [InlineData(400, "TooManyRequestsException")]
    [InlineData(400, "RequestLimitExceeded")]
    [InlineData(429, "SlowDown")]
    [InlineData(400, "ActiveStatementsExceededException")]
    [InlineData(400, "ActiveSessionsExceededException")]
    [InlineData(500, "InternalServerException")]
    [InlineData(503, "ServiceUnavailable")]
    public async Task RetryableError_IsRetried(int status, string code)
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerError(status, code).AnswerJson(Described);
        var time = new ObservedTimeProvider();
        using var client = TestAws.RedshiftData(endpoint, time);

        var call = client.DescribeStatementAsync(new DescribeStatementRequest("abc"), CancellationToken.None);
        await time.AdvanceUntilCompletedAsync(call);

        Assert.Equal("abc", (await call).Id);
        Assert.Equal(2, endpoint.Requests.Count);
    }

    [Theory]
    [InlineData("ValidationException")]
    [InlineData("AccessDeniedException")]
    [InlineData("ResourceNotFoundException")]
    [InlineData("ExecuteStatementException")]
    public async Task ClientError_IsNotRetried(string code)
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerError(400, code).AnswerJson(Described);
        var time = new ObservedTimeProvider();
        using var client = TestAws.RedshiftData(endpoint, time);

        var call = client.DescribeStatementAsync(new DescribeStatementRequest("abc"), CancellationToken.None);
        var delays = await time.AdvanceUntilCompletedAsync(call);

        var error = await Assert.ThrowsAnyAsync<AwsServiceException>(() => call);
        Assert.Equal(code, error.ErrorCode);
        Assert.False(error.IsRetryable);
        Assert.Single(endpoint.Requests);
        Assert.Empty(delays);
    }

    [Fact]
    public async Task MaxAttemptsExhausted_ThrowsTheLastError()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint
            .AnswerError(400, "ThrottlingException", "first")
            .AnswerError(500, "InternalServerException", "second")
            .AnswerError(400, "ThrottlingException", "third")
            .AnswerJson(Described);
        var time = new ObservedTimeProvider();
        using var client = TestAws.RedshiftData(endpoint, time, TestAws.Retry(maxAttempts: 3));

        var call = client.DescribeStatementAsync(new DescribeStatementRequest("abc"), CancellationToken.None);
        var delays = await time.AdvanceUntilCompletedAsync(call);

        var error = await Assert.ThrowsAsync<AwsThrottlingException>(() => call);
        Assert.Equal("third", error.ServiceMessage);
        Assert.Equal(3, endpoint.Requests.Count);
        Assert.Equal(2, delays.Count);
    }

    [Fact]
    public async Task Backoff_DoublesPerRetry()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerError(400, "Throttling").AnswerError(400, "Throttling").AnswerError(400, "Throttling").AnswerJson(Described);
        var time = new ObservedTimeProvider();
        using var client = TestAws.RedshiftData(endpoint, time, TestAws.Retry(maxAttempts: 4));

        var call = client.DescribeStatementAsync(new DescribeStatementRequest("abc"), CancellationToken.None);
        var delays = await time.AdvanceUntilCompletedAsync(call);

        Assert.Equal([TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400)], delays);
        Assert.Equal(4, endpoint.Requests.Count);
    }

    [Fact]
    public async Task Retry_ResendsTheSameBodyFreshlySigned()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerError(503, "ServiceUnavailable").AnswerJson("""{"Id":"st-1"}""");
        var time = new ObservedTimeProvider();
        using var client = TestAws.RedshiftData(endpoint, time);

        var call = client.BatchExecuteStatementAsync(
            new BatchExecuteStatementRequest(RedshiftTarget.Serverless("wg-1", "dev"), ["select 1", "select 2"]), CancellationToken.None);
        await time.AdvanceUntilCompletedAsync(call);

        var (first, second) = (endpoint.Requests[0], endpoint.Requests[1]);
        Assert.Equal(first.Body, second.Body);
        Assert.Equal(first.Header("X-Amz-Target"), second.Header("X-Amz-Target"));
        Assert.Equal(first.Header("Content-Type"), second.Header("Content-Type"));
        Assert.NotNull(second.Header("Authorization"));
        Assert.NotNull(second.Header("X-Amz-Date"));
        Assert.Equal("st-1", (await call).Id);
    }

    [Fact]
    public async Task ConnectionRefused_IsRetriedThenThrown()
    {
        var time = new ObservedTimeProvider();
        using var client = new RedshiftDataClient(TestAws.Options(TestAws.ClosedPortUrl(), time, TestAws.Retry(maxAttempts: 3)));

        var call = client.DescribeStatementAsync(new DescribeStatementRequest("abc"), CancellationToken.None);
        var delays = await time.AdvanceUntilCompletedAsync(call);

        await Assert.ThrowsAsync<HttpRequestException>(() => call);
        Assert.Equal([TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200)], delays);
    }

    [Fact]
    public async Task CallerCancellation_DuringBackoff_StopsWithoutAnotherAttempt()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerError(400, "ThrottlingException").AnswerJson(Described);
        var time = new ObservedTimeProvider();
        using var client = TestAws.RedshiftData(endpoint, time);
        using var cancel = new CancellationTokenSource();

        var call = client.DescribeStatementAsync(new DescribeStatementRequest("abc"), cancel.Token);
        Assert.Equal(TimeSpan.FromMilliseconds(100), await time.NextDelayAsync());
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Single(endpoint.Requests);
    }

    [Theory]
    [InlineData(1, 0.999, 200)]
    [InlineData(2, 0.999, 400)]
    [InlineData(6, 0.999, 5000)]
    [InlineData(40, 0.999, 5000)]
    [InlineData(3, 0.0, 0)]
    public void DelayBeforeRetry_IsFullJitterUnderACappedExponential(int retry, double draw, int ceilingMs)
    {
        var policy = TestAws.Retry() with { Random = new FixedRandom(draw) };

        var delay = policy.DelayBeforeRetry(retry);

        Assert.Equal(TimeSpan.FromTicks((long)(TimeSpan.FromMilliseconds(ceilingMs).Ticks * draw)), delay);
    }
}
