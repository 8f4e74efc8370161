using System.Text.Json;
using ServerlessSync.Aws.RedshiftData;
using ServerlessSync.Aws.Tests.Http;

namespace ServerlessSync.Aws.Tests.RedshiftData;

/// <summary>Request members as the server receives them, and responses parsed from the Data API's JSON.</summary>
public sealed class RedshiftDataClientTests
{
    private static readonly RedshiftTarget Cluster = RedshiftTarget.ProvisionedCluster("analytics", "dev", "loader");
    private static readonly RedshiftTarget Workgroup = RedshiftTarget.Serverless("sync-wg", "warehouse");

    [Fact]
    public async Task ExecuteStatement_OnCluster_SendsModelMembers()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerJson("""{"Id":"d9b6c0c9-0747-4bf4-b142-e8883122f766","CreatedAt":1700000000.25,"ClusterIdentifier":"analytics","Database":"dev","DbUser":"loader"}""");
        using var client = TestAws.RedshiftData(endpoint);

        var response = await client.ExecuteStatementAsync(
            new ExecuteStatementRequest(Cluster, "select * from t where id = :id")
            {
                Parameters = [new SqlParameter("id", "42")],
                StatementName = "ssync-load",
                WithEvent = true,
            },
            CancellationToken.None);

        var body = Assert.Single(endpoint.Requests).Json;
        Assert.Equal("select * from t where id = :id", body.GetProperty("Sql").GetString());
        Assert.Equal("analytics", body.GetProperty("ClusterIdentifier").GetString());
        Assert.Equal("dev", body.GetProperty("Database").GetString());
        Assert.Equal("loader", body.GetProperty("DbUser").GetString());
        Assert.False(body.TryGetProperty("WorkgroupName", out _));
        Assert.Equal("ssync-load", body.GetProperty("StatementName").GetString());
        Assert.True(body.GetProperty("WithEvent").GetBoolean());
        var parameter = Assert.Single(body.GetProperty("Parameters").EnumerateArray());
        Assert.Equal("id", parameter.GetProperty("name").GetString());
        Assert.Equal("42", parameter.GetProperty("value").GetString());
        Assert.True(Guid.TryParse(body.GetProperty("ClientToken").GetString(), out _), "a ClientToken is generated");
        Assert.False(body.TryGetProperty("WaitTimeSeconds", out _));
        Assert.False(body.TryGetProperty("Target", out _));

        Assert.Equal("d9b6c0c9-0747-4bf4-b142-e8883122f766", response.Id);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(1_700_000_000.25), response.CreatedAt);
    }

    [Fact]
    public async Task ExecuteStatement_OnServerless_SendsWorkgroupAndDatabaseOnly()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerJson("""{"Id":"st-1"}""");
        using var client = TestAws.RedshiftData(endpoint);

        await client.ExecuteStatementAsync(new ExecuteStatementRequest(Workgroup, "select 1") { ClientToken = "load-7" }, CancellationToken.None);

        var members = Assert.Single(endpoint.Requests).Json.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["ClientToken", "Database", "Sql", "WorkgroupName"], members);
        Assert.Equal("load-7", endpoint.Requests[0].Json.GetProperty("ClientToken").GetString());
    }

    [Fact]
    public async Task BatchExecuteStatement_SendsSqlsInOrder_AndKeepsItsClientTokenAcrossRetries()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerError(500, "InternalServerException").AnswerJson("""{"Id":"b-1","CreatedAt":1700000000,"WorkgroupName":"sync-wg","Database":"warehouse"}""");
        var time = new ObservedTimeProvider();
        using var client = TestAws.RedshiftData(endpoint, time);

        var call = client.BatchExecuteStatementAsync(new BatchExecuteStatementRequest(Workgroup, ["begin", "copy x", "merge"]), CancellationToken.None);
        await time.AdvanceUntilCompletedAsync(call);
        var response = await call;

        Assert.Equal("b-1", response.Id);
        Assert.Equal("sync-wg", response.WorkgroupName);
        var (first, second) = (endpoint.Requests[0].Json, endpoint.Requests[1].Json);
        Assert.Equal(["begin", "copy x", "merge"], first.GetProperty("Sqls").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("RedshiftData.BatchExecuteStatement", endpoint.Requests[0].Header("X-Amz-Target"));
        Assert.Equal(first.GetProperty("ClientToken").GetString(), second.GetProperty("ClientToken").GetString());
    }

    [Fact]
    public async Task DescribeStatement_ParsesEveryMemberWeUse()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerJson("""
            {
              "Id": "b-1", "Status": "FAILED", "Error": "ERROR: division by zero",
              "CreatedAt": 1700000000.5, "UpdatedAt": 1700000003, "Duration": 2500000000,
              "HasResultSet": false, "ResultRows": -1, "ResultSize": 0, "RedshiftQueryId": 0, "RedshiftPid": 1073815778,
              "ClusterIdentifier": "analytics", "Database": "dev", "DbUser": "loader", "QueryString": "",
              "QueryParameters": [{"name": "id", "value": "42"}],
              "SubStatements": [
                {"Id": "b-1:1", "Status": "FINISHED", "QueryString": "begin", "RedshiftQueryId": 101, "ResultRows": 0, "HasResultSet": false, "CreatedAt": 1700000000.5, "UpdatedAt": 1700000001, "Duration": 1000},
                {"Id": "b-1:2", "Status": "FAILED", "QueryString": "select 1/0", "RedshiftQueryId": 102, "Error": "ERROR: division by zero"}
              ],
              "SomeFutureMember": {"ignored": true}
            }
            """);
        using var client = TestAws.RedshiftData(endpoint);

        var statement = await client.DescribeStatementAsync(new DescribeStatementRequest("b-1"), CancellationToken.None);

        Assert.Equal("""{"Id":"b-1"}""", endpoint.Requests[0].BodyText);
        Assert.Equal(StatementStatus.Failed, statement.Status);
        Assert.Equal("ERROR: division by zero", statement.Error);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(1_700_000_000.5), statement.CreatedAt);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(1_700_000_003), statement.UpdatedAt);
        Assert.Equal(2_500_000_000L, statement.Duration);
        Assert.Equal(-1L, statement.ResultRows);
        Assert.Equal(1_073_815_778L, statement.RedshiftPid);
        Assert.Equal(new SqlParameter("id", "42"), Assert.Single(statement.QueryParameters!));
        Assert.Equal(2, statement.SubStatements!.Count);
        var failed = statement.SubStatements[1];
        Assert.Equal((2, 102L, StatementStatus.Failed), (failed.Position!.Value, failed.RedshiftQueryId!.Value, failed.Status));
        Assert.Equal(1, statement.SubStatements[0].Position);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(1_700_000_001), statement.SubStatements[0].UpdatedAt);
    }

    [Fact]
    public async Task GetStatementResult_ParsesFieldsAndColumnMetadata()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerJson("""
            {
              "ColumnMetadata": [
                {"name": "id", "label": "id", "typeName": "varchar", "precision": 64, "scale": 0, "nullable": 0, "length": 0, "isSigned": false, "isCaseSensitive": true, "isCurrency": false, "schemaName": "zuora", "tableName": "account", "columnDefault": null},
                {"name": "amount", "typeName": "numeric", "precision": 18, "scale": 6, "nullable": 1, "isSigned": true}
              ],
              "Records": [
                [{"stringValue": "A-1"}, {"longValue": 9007199254740993}, {"doubleValue": 1.5}, {"booleanValue": true}, {"isNull": true}, {"blobValue": "AAEC/w=="}]
              ],
              "TotalNumRows": 1
            }
            """);
        using var client = TestAws.RedshiftData(endpoint);

        var page = await client.GetStatementResultAsync(new GetStatementResultRequest("st-1"), CancellationToken.None);

        Assert.Equal(1L, page.TotalNumRows);
        Assert.Null(page.NextToken);
        var values = Assert.Single(page.Records).Select(f => f.Value).ToArray();
        Assert.Equal("A-1", values[0]);
        Assert.Equal(9_007_199_254_740_993L, values[1]);
        Assert.Equal(1.5, values[2]);
        Assert.Equal(true, values[3]);
        Assert.Null(values[4]);
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, values[5]);
        var columns = page.ColumnMetadata!;
        Assert.Equal(("id", "varchar", 64, 0, 0), (columns[0].Name, columns[0].TypeName, columns[0].Precision, columns[0].Scale, columns[0].Nullable));
        Assert.Equal(("zuora", "account", true), (columns[0].SchemaName, columns[0].TableName, columns[0].IsCaseSensitive));
        Assert.Equal(("amount", "numeric", 18, 6, 1), (columns[1].Name, columns[1].TypeName, columns[1].Precision, columns[1].Scale, columns[1].Nullable));
    }

    [Fact]
    public async Task ReadRecords_PagesWithNextToken_OnePageAtATime()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint
            .AnswerJson("""{"Records":[[{"longValue":1}],[{"longValue":2}]],"NextToken":"page-2","TotalNumRows":5}""")
            .AnswerJson("""{"Records":[[{"longValue":3}],[{"longValue":4}]],"NextToken":"page-3","TotalNumRows":5}""")
            .AnswerJson("""{"Records":[[{"longValue":5}]],"TotalNumRows":5}""");
        using var client = TestAws.RedshiftData(endpoint);

        var seen = new List<long>();
        var requestsWhenSeen = new List<int>();
        await foreach (var record in client.ReadRecordsAsync("st-1", CancellationToken.None))
        {
            seen.Add(record[0].LongValue!.Value);
            requestsWhenSeen.Add(endpoint.Requests.Count);
        }

        Assert.Equal([1L, 2, 3, 4, 5], seen);
        Assert.Equal([1, 1, 2, 2, 3], requestsWhenSeen);
        Assert.Equal(
            ["""{"Id":"st-1"}""", """{"Id":"st-1","NextToken":"page-2"}""", """{"Id":"st-1","NextToken":"page-3"}"""],
            endpoint.Requests.Select(r => r.BodyText));
        Assert.All(endpoint.Requests, r => Assert.Equal("RedshiftData.GetStatementResult", r.Header("X-Amz-Target")));
    }

    [Fact]
    public async Task CancelStatement_SendsIdAndReadsStatus()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerJson("""{"Status":true}""");
        using var client = TestAws.RedshiftData(endpoint);

        var response = await client.CancelStatementAsync("st-9", CancellationToken.None);

        Assert.True(response.Status);
        var request = Assert.Single(endpoint.Requests);
        Assert.Equal("RedshiftData.CancelStatement", request.Header("X-Amz-Target"));
        Assert.Equal("""{"Id":"st-9"}""", request.BodyText);
    }

    [Fact]
    public void Requests_SerialiseTheTargetAsWireMembers()
    {
        var json = JsonSerializer.Serialize(new ExecuteStatementRequest(Cluster, "select 1"), RedshiftDataJsonContext.Default.ExecuteStatementRequest);

        Assert.Equal("""{"Sql":"select 1","ClusterIdentifier":"analytics","Database":"dev","DbUser":"loader"}""", json);
    }
}
