using System.Net;
using ServerlessSync.Aws.Http;
using ServerlessSync.Aws.RedshiftData;

namespace ServerlessSync.Aws.Tests.Http;

/// <summary>Error answers read into typed exceptions, from every form the code can arrive in.</summary>
public sealed class AwsErrorTests
{
    [Theory]
    [InlineData("ValidationException", "ValidationException")]
    [InlineData("com.amazonaws.redshiftdata#ValidationException", "ValidationException")]
    [InlineData("com.amazonaws.redshiftdata#ValidationException:http://internal.amazon.com/coral/com.amazon.coral.validate/", "ValidationException")]
    [InlineData("ValidationException:http://internal.amazon.com/coral/", "ValidationException")]
    [InlineData("  ", null)]
    [InlineData(null, null)]
    public void Sanitize_StripsNamespaceAndSuffix(string? raw, string? expected) =>
        Assert.Equal(expected, AwsServiceError.Sanitize(raw));

    [Theory]
    [InlineData("""{"__type":"ValidationException","message":"bad sql"}""", null)]
    [InlineData("""{"__type":"com.amazonaws.redshiftdata#ValidationException","Message":"bad sql"}""", null)]
    [InlineData("""{"__type":"com.amazonaws.redshiftdata#ValidationException:http://internal.amazon.com/coral/","message":"bad sql"}""", null)]
    [InlineData("""{"message":"bad sql"}""", "ValidationException:http://internal.amazon.com/coral/com.amazonaws.redshiftdata/")]
    [InlineData("""{"__type":"SomethingElse","message":"bad sql"}""", "com.amazonaws.redshiftdata#ValidationException")]
    public async Task ErrorAnswer_InAnyForm_BecomesTypedException(string body, string? errorTypeHeader)
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        var headers = new List<(string, string)> { ("x-amzn-RequestId", "req-42") };
        if (errorTypeHeader is not null)
        {
            headers.Add(("X-Amzn-ErrorType", errorTypeHeader));
        }

        endpoint.Answer(400, body, [.. headers]);
        using var client = TestAws.RedshiftData(endpoint);

        var error = await Assert.ThrowsAsync<ValidationException>(() => client.CancelStatementAsync("abc", CancellationToken.None));

        Assert.Equal("ValidationException", error.ErrorCode);
        Assert.Equal("bad sql", error.ServiceMessage);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("req-42", error.RequestId);
        Assert.Equal("Redshift Data API", error.Service);
        Assert.Contains("bad sql", error.Message, StringComparison.Ordinal);
        Assert.Contains("req-42", error.Message, StringComparison.Ordinal);
        Assert.Single(endpoint.Requests);
    }

    [Theory]
    [InlineData("ActiveStatementsExceededException", typeof(ActiveStatementsExceededException))]
    [InlineData("ActiveSessionsExceededException", typeof(ActiveSessionsExceededException))]
    [InlineData("ResourceNotFoundException", typeof(ResourceNotFoundException))]
    [InlineData("ExecuteStatementException", typeof(ExecuteStatementException))]
    [InlineData("BatchExecuteStatementException", typeof(BatchExecuteStatementException))]
    [InlineData("InternalServerException", typeof(InternalServerException))]
    [InlineData("ThrottlingException", typeof(AwsThrottlingException))]
    [InlineData("Throttling", typeof(AwsThrottlingException))]
    [InlineData("TooManyRequestsException", typeof(AwsThrottlingException))]
    [InlineData("RequestLimitExceeded", typeof(AwsThrottlingException))]
    [InlineData("AccessDeniedException", typeof(Aws.Auth.AwsAuthException))]
    public async Task DataApiErrorCodes_MapToTheirTypes(string code, Type expected)
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerError(400, $"com.amazonaws.redshiftdata#{code}");
        using var client = TestAws.RedshiftData(endpoint, retry: TestAws.Retry(maxAttempts: 1));

        var error = await Assert.ThrowsAnyAsync<AwsServiceException>(() => client.CancelStatementAsync("abc", CancellationToken.None));

        Assert.IsType(expected, error);
        Assert.Equal(code, error.ErrorCode);
    }

    [Fact]
    public async Task ExecuteStatementException_CarriesStatementId()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.Answer(400, """{"__type":"ExecuteStatementException","Message":"cluster unavailable","StatementId":"st-1"}""");
        using var client = TestAws.RedshiftData(endpoint);

        var error = await Assert.ThrowsAsync<ExecuteStatementException>(() => client.ExecuteStatementAsync(
            new ExecuteStatementRequest(RedshiftTarget.Serverless("wg-1", "dev"), "select 1"), CancellationToken.None));

        Assert.Equal("st-1", error.StatementId);
        Assert.Equal("cluster unavailable", error.ServiceMessage);
    }

    [Fact]
    public async Task NonJsonErrorBody_KeepsStatusAndText()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.Answer(502, "<html>Bad Gateway</html>");
        using var client = TestAws.RedshiftData(endpoint, retry: TestAws.Retry(maxAttempts: 1));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => client.CancelStatementAsync("abc", CancellationToken.None));

        Assert.Equal("Http502", error.ErrorCode);
        Assert.Equal(HttpStatusCode.BadGateway, error.StatusCode);
        Assert.Contains("Bad Gateway", error.ServiceMessage, StringComparison.Ordinal);
        Assert.True(error.IsRetryable);
    }

    [Fact]
    public async Task Http429WithoutCode_IsThrottling()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.Answer(429, "");
        using var client = TestAws.RedshiftData(endpoint, retry: TestAws.Retry(maxAttempts: 1));

        var error = await Assert.ThrowsAsync<AwsThrottlingException>(() => client.CancelStatementAsync("abc", CancellationToken.None));

        Assert.Equal(HttpStatusCode.TooManyRequests, error.StatusCode);
    }
}
