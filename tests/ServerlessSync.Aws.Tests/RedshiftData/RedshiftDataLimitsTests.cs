using ServerlessSync.Aws.RedshiftData;
using ServerlessSync.Aws.Tests.Http;

namespace ServerlessSync.Aws.Tests.RedshiftData;

/// <summary>Requests that cannot succeed fail before anything is sent, saying which member is wrong.</summary>
public sealed class RedshiftDataLimitsTests
{
    private static readonly RedshiftTarget Target = RedshiftTarget.Serverless("sync-wg", "dev");

    public static TheoryData<string, ExecuteStatementRequest> BadExecutes => new()
    {
        { "ClientToken is 65 characters", new ExecuteStatementRequest(Target, "select 1") { ClientToken = new string('t', 65) } },
        { "ClientToken is 0 characters", new ExecuteStatementRequest(Target, "select 1") { ClientToken = "" } },
        { "StatementName is 2049 characters", new ExecuteStatementRequest(Target, "select 1") { StatementName = new string('n', 2049) } },
        { "WaitTimeSeconds is 0", new ExecuteStatementRequest(Target, "select 1") { WaitTimeSeconds = 0 } },
        { "WaitTimeSeconds is 31", new ExecuteStatementRequest(Target, "select 1") { WaitTimeSeconds = 31 } },
        { "Parameters is empty", new ExecuteStatementRequest(Target, "select 1") { Parameters = [] } },
        { "Parameters[1] is named 'bad-name'", new ExecuteStatementRequest(Target, "select 1") { Parameters = [new("ok", "1"), new("bad-name", "2")] } },
        { "Parameters[0] ('id') has an empty value", new ExecuteStatementRequest(Target, "select 1") { Parameters = [new("id", "")] } },
        { "Sql is empty", new ExecuteStatementRequest(Target, " ") },
        { "Sql is 100001 bytes of UTF-8", new ExecuteStatementRequest(Target, new string('x', 100_001)) },
        { "Sql is 100002 bytes of UTF-8", new ExecuteStatementRequest(Target, new string('é', 50_001)) },
    };

    [Theory]
    [MemberData(nameof(BadExecutes))]
    public async Task ExecuteStatement_OverALimit_FailsBeforeSending(string expected, ExecuteStatementRequest request)
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        using var client = TestAws.RedshiftData(endpoint);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.ExecuteStatementAsync(request, CancellationToken.None));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Empty(endpoint.Requests);
    }

    [Theory]
    [InlineData(0, "Sqls holds 0 statements; BatchExecuteStatement takes 1 to 40")]
    [InlineData(41, "Sqls holds 41 statements; BatchExecuteStatement takes 1 to 40")]
    public async Task BatchExecuteStatement_WrongCount_FailsBeforeSending(int count, string expected)
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        using var client = TestAws.RedshiftData(endpoint);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.BatchExecuteStatementAsync(
            new BatchExecuteStatementRequest(Target, [.. Enumerable.Repeat("select 1", count)]), CancellationToken.None));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Empty(endpoint.Requests);
    }

    [Fact]
    public async Task BatchExecuteStatement_OversizedStatement_NamesItsIndexAndSize()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        using var client = TestAws.RedshiftData(endpoint);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.BatchExecuteStatementAsync(
            new BatchExecuteStatementRequest(Target, ["select 1", "select 2", "insert into t values " + new string('€', 40_000)]), CancellationToken.None));

        Assert.Contains("Sqls[2] is 120021 bytes of UTF-8", error.Message, StringComparison.Ordinal);
        Assert.Contains("100 KB (100000 bytes)", error.Message, StringComparison.Ordinal);
        Assert.Empty(endpoint.Requests);
    }

    [Fact]
    public async Task Statements_AtTheLimits_AreSent()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerJson("""{"Id":"b-1"}""");
        using var client = TestAws.RedshiftData(endpoint);

        await client.BatchExecuteStatementAsync(
            new BatchExecuteStatementRequest(Target, [.. Enumerable.Repeat(new string('x', 100_000), 40)])
            {
                ClientToken = new string('t', 64),
                StatementName = new string('n', 2048),
                WaitTimeSeconds = 30,
            },
            CancellationToken.None);

        Assert.Equal(40, Assert.Single(endpoint.Requests).Json.GetProperty("Sqls").GetArrayLength());
    }

    [Fact]
    public async Task WaitTimeSeconds_LongerThanTheAttemptTimeoutAllows_FailsBeforeSending()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        using var client = new RedshiftDataClient(TestAws.Options(endpoint.Url, new ObservedTimeProvider()) with { AttemptTimeout = TimeSpan.FromSeconds(20) });

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.DescribeStatementAsync(
            new DescribeStatementRequest("st-1") { WaitTimeSeconds = 20 }, CancellationToken.None));

        Assert.Contains("AttemptTimeout", error.Message, StringComparison.Ordinal);
        Assert.Empty(endpoint.Requests);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public async Task StatementId_Empty_FailsBeforeSending(string id)
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        using var client = TestAws.RedshiftData(endpoint);

        await Assert.ThrowsAsync<ArgumentException>(() => client.DescribeStatementAsync(new DescribeStatementRequest(id), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetStatementResultAsync(new GetStatementResultRequest(id), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => client.CancelStatementAsync(id, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => client.WaitForStatementAsync(id, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.Empty(endpoint.Requests);
    }
}
