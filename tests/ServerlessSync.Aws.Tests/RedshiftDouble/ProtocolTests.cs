using System.Net;

namespace ServerlessSync.Aws.Tests.RedshiftDouble;

public sealed class ProtocolTests : DoubleTestBase
{
    [Fact]
    public async Task BatchExecuteStatement_41Statements_IsValidationError()
    {
        var body = DataApiTestClient.OnCluster(new() { ["Sqls"] = Enumerable.Repeat("SELECT 1", 41).ToArray() });

        var answer = await Client.SendAsync("BatchExecuteStatement", body);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("ValidationException", answer.ErrorType);
        Assert.Contains("'Sqls'", answer.ErrorMessage);
        Assert.Contains("less than or equal to 40", answer.ErrorMessage);
        Assert.True(answer.Headers.Contains("x-amzn-RequestId"));
    }

    [Fact]
    public async Task ExecuteStatement_WrongContentType_Is400()
    {
        var body = DataApiTestClient.OnCluster(new() { ["Sql"] = "SELECT 1" });

        var answer = await Client.SendAsync("ExecuteStatement", body, contentType: "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("application/x-amz-json-1.1", answer.ErrorMessage);
        Assert.Equal("SerializationException", Assert.Single(Server.Requests).ErrorCode);
    }

    [Fact]
    public async Task ExecuteStatement_MissingDatabase_IsValidationError()
    {
        var answer = await Client.SendAsync("ExecuteStatement", new { Sql = "SELECT 1", ClusterIdentifier = DataApiTestClient.Cluster, DbUser = DataApiTestClient.DbUser });

        Assert.Equal("ValidationException", answer.ErrorType);
        Assert.Contains("Database", answer.ErrorMessage);
    }

    [Fact]
    public async Task ExecuteStatement_ClusterAndWorkgroupTogether_IsValidationError()
    {
        var body = DataApiTestClient.OnCluster(new() { ["Sql"] = "SELECT 1", ["WorkgroupName"] = "test-workgroup" });

        var answer = await Client.SendAsync("ExecuteStatement", body);

        Assert.Equal("ValidationException", answer.ErrorType);
    }

    [Fact]
    public async Task ExecuteStatement_ClusterWithoutDbUserOrSecret_IsValidationError()
    {
        var answer = await Client.SendAsync("ExecuteStatement", new { Sql = "SELECT 1", ClusterIdentifier = DataApiTestClient.Cluster, Database = DataApiTestClient.Database });

        Assert.Equal("ValidationException", answer.ErrorType);
        Assert.Contains("DbUser", answer.ErrorMessage);
    }

    [Theory]
    [InlineData("other-cluster", "dev", "awsuser", "other-cluster")]
    [InlineData("test-cluster", "prod", "awsuser", "prod")]
    [InlineData("test-cluster", "dev", "someone", "someone")]
    public async Task ExecuteStatement_UnknownTarget_IsResourceNotFound(string cluster, string database, string dbUser, string resource)
    {
        var answer = await Client.SendAsync("ExecuteStatement", new { Sql = "SELECT 1", ClusterIdentifier = cluster, Database = database, DbUser = dbUser });

        Assert.Equal("ResourceNotFoundException", answer.ErrorType);
        Assert.Equal(resource, answer.Body.GetProperty("ResourceId").GetString());
    }

    [Fact]
    public async Task ExecuteStatement_SqlOver100KB_IsValidationError()
    {
        var sql = "SELECT '" + new string('x', 100 * 1024) + "'";

        var answer = await Client.SendAsync("ExecuteStatement", DataApiTestClient.OnCluster(new() { ["Sql"] = sql }));

        Assert.Equal("ValidationException", answer.ErrorType);
        Assert.Contains("100kB", answer.ErrorMessage);
    }

    [Theory]
    [InlineData("ClientToken", "")]
    [InlineData("ClientToken", "0123456789012345678901234567890123456789012345678901234567890123456789")]
    [InlineData("StatementName", null)]
    public async Task ExecuteStatement_MemberOutOfModel_IsValidationError(string member, string? value)
    {
        var body = DataApiTestClient.OnCluster(new() { ["Sql"] = "SELECT 1" });
        body[member] = value ?? new string('n', 2049);

        var answer = await Client.SendAsync("ExecuteStatement", body);

        Assert.Equal("ValidationException", answer.ErrorType);
        Assert.Contains($"'{member}'", answer.ErrorMessage);
    }

    [Fact]
    public async Task ExecuteStatement_MisspelledMember_IsValidationError()
    {
        var answer = await Client.SendAsync("ExecuteStatement", new { sql = "SELECT 1", ClusterIdentifier = DataApiTestClient.Cluster, Database = "dev", DbUser = "awsuser" });

        Assert.Equal("ValidationException", answer.ErrorType);
        Assert.Contains("'sql'", answer.ErrorMessage);
    }

    [Fact]
    public async Task ExecuteStatement_EmptyParameterValue_IsValidationError()
    {
        var body = DataApiTestClient.OnCluster(new() { ["Sql"] = "SELECT :x", ["Parameters"] = new[] { new { name = "x", value = "" } } });

        var answer = await Client.SendAsync("ExecuteStatement", body);

        Assert.Equal("ValidationException", answer.ErrorType);
    }

    [Fact]
    public async Task DescribeStatement_UnknownOrMalformedId_IsNotFoundOrInvalid()
    {
        var unknown = await Client.SendAsync("DescribeStatement", new { Id = Guid.NewGuid().ToString() });
        var malformed = await Client.SendAsync("DescribeStatement", new { Id = "not-an-id" });

        Assert.Equal("ResourceNotFoundException", unknown.ErrorType);
        Assert.Equal("ValidationException", malformed.ErrorType);
    }

    [Fact]
    public async Task UnsignedRequest_IsRejected()
    {
        var answer = await Client.SendRawAsync("DescribeStatement", $"{{\"Id\":\"{Guid.NewGuid()}\"}}", signed: false);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("MissingAuthenticationTokenException", answer.ErrorType);
    }

    [Fact]
    public async Task UnknownOperation_IsRejected()
    {
        var answer = await Client.SendAsync("ListDatabases", new { });

        Assert.Equal("UnknownOperationException", answer.ErrorType);
    }

    [Fact]
    public async Task FailNextCalls_AnswersTheInjectedErrorThenRunsTheRetry()
    {
        await Client.RunAsync("CREATE TABLE retried (id int)");
        Server.FailNextCalls("ExecuteStatement", "ActiveStatementsExceededException", count: 2);
        Server.FailNextCalls("DescribeStatement", "InternalServerException");
        var body = DataApiTestClient.OnCluster(new() { ["Sql"] = "INSERT INTO retried VALUES (1)", ["ClientToken"] = "retry-me" });

        var first = await Client.SendAsync("ExecuteStatement", body);
        var second = await Client.SendAsync("ExecuteStatement", body);
        var third = await Client.SendAsync("ExecuteStatement", body);
        var id = third.Body.GetProperty("Id").GetString()!;
        var describeFault = await Client.SendAsync("DescribeStatement", new { Id = id });
        await Client.WaitAsync(id);

        Assert.Equal((HttpStatusCode.BadRequest, "ActiveStatementsExceededException"), (first.Status, first.ErrorType));
        Assert.Equal("ActiveStatementsExceededException", second.ErrorType);
        Assert.Equal(HttpStatusCode.OK, third.Status);
        Assert.Equal((HttpStatusCode.InternalServerError, "InternalServerException"), (describeFault.Status, describeFault.ErrorType));
        Assert.Single(await Server.QueryAsync("SELECT * FROM retried"));
        Assert.Equal(
            ["ActiveStatementsExceededException", "ActiveStatementsExceededException", null],
            Server.Requests.Where(r => r.ClientToken == "retry-me").Select(r => r.ErrorCode));
    }
}
