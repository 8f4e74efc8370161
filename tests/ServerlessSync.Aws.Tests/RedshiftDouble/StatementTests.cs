using System.Text.Json;
using System.Text.RegularExpressions;

namespace ServerlessSync.Aws.Tests.RedshiftDouble;

public sealed partial class StatementTests : DoubleTestBase
{
    protected override int ResultPageSize => 2;

    [Fact]
    public async Task ExecuteStatement_Select_DescribesThenPagesTypedFields()
    {
        await Client.RunAsync(
            """
            CREATE TABLE typed (id bigint NOT NULL, n int, name varchar(20), amount numeric(18,2), ok boolean, ratio float8,
                day date, at timestamptz)
            """);
        await Client.RunAsync(
            """
            INSERT INTO typed VALUES
                (1, 7, 'one', 10.50, true, 0.25, '2024-05-01', '2024-05-01 10:00:00.123456+00'),
                (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                (3, -1, 'a\\b', -0.01, false, 1e100, '1999-12-31', '2024-05-01 12:30:00+02')
            """);

        var submitted = await Client.CallAsync("ExecuteStatement", DataApiTestClient.OnCluster(new() { ["Sql"] = "SELECT * FROM typed ORDER BY id" }));
        var id = submitted.GetProperty("Id").GetString()!;
        Assert.Matches(StatementId(), id);
        Assert.False(submitted.TryGetProperty("Status", out _), "Status comes back only when the request waits");
        Assert.Equal(DataApiTestClient.Cluster, submitted.GetProperty("ClusterIdentifier").GetString());
        Assert.Equal(JsonValueKind.Number, submitted.GetProperty("CreatedAt").ValueKind);

        var description = await Client.WaitAsync(id);
        Assert.Equal("FINISHED", description.GetProperty("Status").GetString());
        Assert.True(description.GetProperty("HasResultSet").GetBoolean());
        Assert.Equal(3, description.GetProperty("ResultRows").GetInt64());
        Assert.Equal("SELECT * FROM typed ORDER BY id", description.GetProperty("QueryString").GetString());
        Assert.True(description.GetProperty("RedshiftQueryId").GetInt64() > 0);
        Assert.True(description.GetProperty("Duration").GetInt64() > 0);
        Assert.Equal(DataApiTestClient.DbUser, description.GetProperty("DbUser").GetString());

        var first = await Client.CallAsync("GetStatementResult", new { Id = id });
        Assert.Equal(3, first.GetProperty("TotalNumRows").GetInt64());
        var records = first.GetProperty("Records");
        Assert.Equal(2, records.GetArrayLength());
        var one = records[0];
        Assert.Equal(1, one[0].GetProperty("longValue").GetInt64());
        Assert.Equal(7, one[1].GetProperty("longValue").GetInt64());
        Assert.Equal("one", one[2].GetProperty("stringValue").GetString());
        Assert.Equal("10.50", one[3].GetProperty("stringValue").GetString());
        Assert.True(one[4].GetProperty("booleanValue").GetBoolean());
        Assert.Equal(0.25, one[5].GetProperty("doubleValue").GetDouble());
        Assert.Equal("2024-05-01", one[6].GetProperty("stringValue").GetString());
        Assert.Equal("2024-05-01 10:00:00.123456+00", one[7].GetProperty("stringValue").GetString());
        Assert.Single(one[1].EnumerateObject());
        foreach (var field in records[1].EnumerateArray().Skip(1))
        {
            Assert.True(field.GetProperty("isNull").GetBoolean());
        }

        var columns = first.GetProperty("ColumnMetadata");
        Assert.Equal(
            ["int8", "int4", "varchar", "numeric", "bool", "float8", "date", "timestamptz"],
            columns.EnumerateArray().Select(c => c.GetProperty("typeName").GetString()));
        Assert.Equal("amount", columns[3].GetProperty("name").GetString());
        Assert.Equal("amount", columns[3].GetProperty("label").GetString());
        Assert.Equal(18, columns[3].GetProperty("precision").GetInt32());
        Assert.Equal(2, columns[3].GetProperty("scale").GetInt32());
        Assert.Equal(20, columns[2].GetProperty("precision").GetInt32());
        Assert.Equal(0, columns[0].GetProperty("nullable").GetInt32());
        Assert.Equal(1, columns[1].GetProperty("nullable").GetInt32());
        Assert.Equal("typed", columns[0].GetProperty("tableName").GetString());

        var token = first.GetProperty("NextToken").GetString();
        var last = await Client.CallAsync("GetStatementResult", new { Id = id, NextToken = token });
        var three = Assert.Single(last.GetProperty("Records").EnumerateArray());
        Assert.Equal(3, three[0].GetProperty("longValue").GetInt64());
        Assert.Equal("a\\b", three[2].GetProperty("stringValue").GetString());
        Assert.Equal("-0.01", three[3].GetProperty("stringValue").GetString());
        Assert.False(three[4].GetProperty("booleanValue").GetBoolean());
        Assert.Equal(1e100, three[5].GetProperty("doubleValue").GetDouble());
        Assert.Equal("2024-05-01 10:30:00+00", three[7].GetProperty("stringValue").GetString());
        Assert.False(last.TryGetProperty("NextToken", out _));
    }

    [Fact]
    public async Task ExecuteStatement_WithWaitTimeSeconds_AnswersWithTheOutcome()
    {
        var answer = await Client.CallAsync(
            "ExecuteStatement",
            DataApiTestClient.OnCluster(new() { ["Sql"] = "SELECT 1 AS one", ["WaitTimeSeconds"] = 30 }));

        Assert.Equal("FINISHED", answer.GetProperty("Status").GetString());
        Assert.True(answer.GetProperty("HasResultSet").GetBoolean());
    }

    [Fact]
    public async Task ExecuteStatement_Dml_ReportsRowsAffected()
    {
        await Client.RunAsync("CREATE TABLE counted (id int)");

        var inserted = await Client.RunAsync("INSERT INTO counted SELECT generate_series(1, 5)");
        var updated = await Client.RunAsync("UPDATE counted SET id = id + 10 WHERE id <= 2");
        var created = await Client.RunAsync("CREATE TABLE other (id int)");

        Assert.Equal(5, inserted.GetProperty("ResultRows").GetInt64());
        Assert.False(inserted.GetProperty("HasResultSet").GetBoolean());
        Assert.Equal(2, updated.GetProperty("ResultRows").GetInt64());
        Assert.Equal(-1, created.GetProperty("ResultRows").GetInt64());
    }

    [Fact]
    public async Task ExecuteStatement_FailingSql_IsFailedWithTheDatabaseError()
    {
        var description = await Client.WaitAsync(await Client.ExecuteAsync("SELECT * FROM missing_table"));

        Assert.Equal("FAILED", description.GetProperty("Status").GetString());
        Assert.Equal("ERROR: relation \"missing_table\" does not exist", description.GetProperty("Error").GetString());
        var result = await Client.SendAsync("GetStatementResult", new { Id = description.GetProperty("Id").GetString() });
        Assert.Equal("ValidationException", result.ErrorType);
    }

    [Fact]
    public async Task BatchExecuteStatement_AllSucceed_CommitsInOneSessionWithTempTables()
    {
        await Client.RunAsync("CREATE TABLE target (id int, name varchar(10))");

        var id = await Client.BatchAsync(
            "CREATE TEMP TABLE staged (id int, name varchar(10))",
            "INSERT INTO staged VALUES (1, 'a'), (2, 'b')",
            "INSERT INTO target SELECT * FROM staged",
            "SELECT count(*) AS n FROM target");
        var description = await Client.WaitAsync(id);

        Assert.Equal("FINISHED", description.GetProperty("Status").GetString());
        Assert.True(description.GetProperty("HasResultSet").GetBoolean());
        var subs = description.GetProperty("SubStatements").EnumerateArray().ToList();
        Assert.Equal([$"{id}:1", $"{id}:2", $"{id}:3", $"{id}:4"], subs.Select(s => s.GetProperty("Id").GetString()));
        Assert.All(subs, s => Assert.Equal("FINISHED", s.GetProperty("Status").GetString()));
        Assert.Equal([-1L, 2, 2, 1], subs.Select(s => s.GetProperty("ResultRows").GetInt64()));
        Assert.Equal("INSERT INTO staged VALUES (1, 'a'), (2, 'b')", subs[1].GetProperty("QueryString").GetString());
        var queryIds = subs.Select(s => s.GetProperty("RedshiftQueryId").GetInt64()).ToList();
        Assert.Equal(queryIds.Order(), queryIds);

        var count = await Client.CallAsync("GetStatementResult", new { Id = $"{id}:4" });
        Assert.Equal(2, count.GetProperty("Records")[0][0].GetProperty("longValue").GetInt64());
        var parent = await Client.SendAsync("GetStatementResult", new { Id = id });
        Assert.Equal("ValidationException", parent.ErrorType);
        Assert.Equal("BatchExecuteStatement result can only be retrieved with sub-statement id.", parent.ErrorMessage);
        var sub = await Client.CallAsync("DescribeStatement", new { Id = $"{id}:3" });
        Assert.Equal("INSERT INTO target SELECT * FROM staged", sub.GetProperty("QueryString").GetString());

        Assert.Equal(2, (await Server.QueryAsync("SELECT * FROM target")).Count);
        var later = await Client.WaitAsync(await Client.ExecuteAsync("SELECT * FROM staged"));
        Assert.Equal("FAILED", later.GetProperty("Status").GetString());
    }

    [Fact]
    public async Task BatchExecuteStatement_StatementFails_RollsBackAndAbortsTheRest()
    {
        await Client.RunAsync("CREATE TABLE target (id int PRIMARY KEY)");

        var id = await Client.BatchAsync(
            "INSERT INTO target VALUES (1)",
            "INSERT INTO target VALUES (1 / 0)",
            "INSERT INTO target VALUES (3)");
        var description = await Client.WaitAsync(id);

        Assert.Equal("FAILED", description.GetProperty("Status").GetString());
        Assert.Equal("ERROR: division by zero", description.GetProperty("Error").GetString());
        var subs = description.GetProperty("SubStatements").EnumerateArray().ToList();
        Assert.Equal(["FINISHED", "FAILED", "ABORTED"], subs.Select(s => s.GetProperty("Status").GetString()));
        Assert.Equal("ERROR: division by zero", subs[1].GetProperty("Error").GetString());
        Assert.False(subs[2].TryGetProperty("Error", out _));
        Assert.Empty(await Server.QueryAsync("SELECT * FROM target"));
    }

    [Fact]
    public async Task BatchExecuteStatement_AutoCommit_KeepsTheStatementsAroundAFailure()
    {
        await Client.RunAsync("CREATE TABLE target (id int)");

        var body = DataApiTestClient.OnCluster(new()
        {
            ["Sqls"] = new[] { "INSERT INTO target VALUES (1)", "INSERT INTO target VALUES (1 / 0)", "INSERT INTO target VALUES (3)" },
            ["ExecutionMode"] = "AUTO_COMMIT",
        });
        var id = (await Client.CallAsync("BatchExecuteStatement", body)).GetProperty("Id").GetString()!;
        var description = await Client.WaitAsync(id);

        Assert.Equal("FAILED", description.GetProperty("Status").GetString());
        Assert.Equal(
            ["FINISHED", "FAILED", "FINISHED"],
            description.GetProperty("SubStatements").EnumerateArray().Select(s => s.GetProperty("Status").GetString()));
        Assert.Equal([1, 3], (await Server.QueryAsync("SELECT id FROM target ORDER BY id")).Select(r => (int)r["id"]!));
    }

    [Fact]
    public async Task ExecuteStatement_RepeatedClientToken_ReturnsTheFirstIdAndRunsOnce()
    {
        await Client.RunAsync("CREATE TABLE once (id int)");
        var body = DataApiTestClient.OnCluster(new() { ["Sql"] = "INSERT INTO once VALUES (1)", ["ClientToken"] = "load-42" });

        var first = (await Client.CallAsync("ExecuteStatement", body)).GetProperty("Id").GetString()!;
        await Client.WaitAsync(first);
        var second = (await Client.CallAsync("ExecuteStatement", body)).GetProperty("Id").GetString();

        Assert.Equal(first, second);
        Assert.Single(await Server.QueryAsync("SELECT * FROM once"));
        var recorded = Server.Requests.Where(r => r.ClientToken == "load-42").ToList();
        Assert.Equal(2, recorded.Count);
        Assert.All(recorded, r => Assert.Equal(first, r.StatementId));
    }

    [Fact]
    public async Task ExecuteStatement_Parameters_BindOutsideLiteralsAndCasts()
    {
        var body = DataApiTestClient.OnCluster(new()
        {
            ["Sql"] = "SELECT :n::int + 1 AS next, :name AS name, ':name' AS literal, '\\':n' AS escaped, :n AS again -- :n",
            ["Parameters"] = new[] { new { name = "n", value = "41" }, new { name = "name", value = "O'Brien" } },
        });

        var id = (await Client.CallAsync("ExecuteStatement", body)).GetProperty("Id").GetString()!;
        var description = await Client.WaitAsync(id);
        var row = (await Client.CallAsync("GetStatementResult", new { Id = id })).GetProperty("Records")[0];

        Assert.Equal("FINISHED", description.GetProperty("Status").GetString());
        Assert.Equal("n", description.GetProperty("QueryParameters")[0].GetProperty("name").GetString());
        Assert.Equal(42, row[0].GetProperty("longValue").GetInt64());
        Assert.Equal("O'Brien", row[1].GetProperty("stringValue").GetString());
        Assert.Equal(":name", row[2].GetProperty("stringValue").GetString());
        Assert.Equal("':n", row[3].GetProperty("stringValue").GetString());
        // PostgreSQL typed $1 from its first use (the cast), so the second use is an integer too.
        Assert.Equal(41, row[4].GetProperty("longValue").GetInt64());
    }

    [Fact]
    public async Task ExecuteStatement_BackslashEscapes_ReadAsRedshiftLiterals()
    {
        var id = await Client.ExecuteAsync("SELECT 'it\\'s; fine' AS quoted, 'two\\\\one' AS backslash");
        await Client.WaitAsync(id);

        var row = (await Client.CallAsync("GetStatementResult", new { Id = id })).GetProperty("Records")[0];

        Assert.Equal("it's; fine", row[0].GetProperty("stringValue").GetString());
        Assert.Equal("two\\one", row[1].GetProperty("stringValue").GetString());
    }

    [Fact]
    public async Task CancelStatement_Running_AbortsIt()
    {
        var id = await Client.ExecuteAsync("SELECT pg_sleep(60)");
        var started = await Client.CallAsync("DescribeStatement", new { Id = id });
        Assert.Contains(started.GetProperty("Status").GetString(), new[] { "SUBMITTED", "STARTED" });

        var cancelled = await Client.CallAsync("CancelStatement", new { Id = id });
        var description = await Client.WaitAsync(id);

        Assert.True(cancelled.GetProperty("Status").GetBoolean());
        Assert.Equal("ABORTED", description.GetProperty("Status").GetString());
        var again = await Client.SendAsync("CancelStatement", new { Id = id });
        Assert.Equal("ValidationException", again.ErrorType);
    }

    [Fact]
    public async Task Requests_AreRecordedAsSent()
    {
        var body = DataApiTestClient.OnCluster(new()
        {
            ["Sql"] = "SELECT 1",
            ["WithEvent"] = true,
            ["StatementName"] = "load-account",
            ["ClientToken"] = "token-1",
        });

        var id = (await Client.CallAsync("ExecuteStatement", body)).GetProperty("Id").GetString()!;
        await Client.WaitAsync(id);

        var submit = Server.Requests[0];
        Assert.Equal("ExecuteStatement", submit.Operation);
        Assert.Equal(["SELECT 1"], submit.Sqls);
        Assert.True(submit.WithEvent);
        Assert.Equal("load-account", submit.StatementName);
        Assert.Equal("token-1", submit.ClientToken);
        Assert.Equal(DataApiTestClient.Cluster, submit.ClusterIdentifier);
        Assert.Equal(DataApiTestClient.Database, submit.Database);
        Assert.Equal(DataApiTestClient.DbUser, submit.DbUser);
        Assert.Equal(id, submit.StatementId);
        Assert.Equal("k", submit.AccessKeyId);
        Assert.Equal("us-east-1", submit.Region);
        Assert.Null(submit.ErrorCode);
        Assert.All(Server.Requests.Skip(1), r => Assert.Equal(("DescribeStatement", id), (r.Operation, r.Id)));
    }

    [Fact]
    public async Task ExecuteStatement_Workgroup_RunsWithoutDbUser()
    {
        var answer = await Client.CallAsync(
            "ExecuteStatement",
            new { Sql = "SELECT 1", WorkgroupName = "test-workgroup", Database = DataApiTestClient.Database, WaitTimeSeconds = 30 });

        Assert.Equal("FINISHED", answer.GetProperty("Status").GetString());
        Assert.Equal("test-workgroup", answer.GetProperty("WorkgroupName").GetString());
        Assert.False(answer.TryGetProperty("ClusterIdentifier", out _));
    }

    [GeneratedRegex("^[a-z0-9]{8}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{12}$")]
    private static partial Regex StatementId();
}
