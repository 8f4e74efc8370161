using System.Text.Json;
using RedshiftDataDouble;

namespace ServerlessSync.Aws.Tests.RedshiftDouble;

/// <summary>The double refuses what Redshift and the Data API refuse (every strictness is on by default).</summary>
public sealed class StrictnessTests : DoubleTestBase
{
    [Fact]
    public async Task GetStatementResult_RowOver64KB_IsRefusedAsPacketTooLarge()
    {
        var fits = await Client.ExecuteAsync("SELECT repeat('x', 65536) AS big");
        var over = await Client.ExecuteAsync("SELECT repeat('x', 65536) AS big, 'y' AS more");
        await Client.WaitAsync(fits);
        var description = await Client.WaitAsync(over);

        Assert.Equal("FINISHED", description.GetProperty("Status").GetString());
        Assert.Equal(1, description.GetProperty("ResultRows").GetInt64());
        await Client.CallAsync("GetStatementResult", new { Id = fits });
        var answer = await Client.SendAsync("GetStatementResult", new { Id = over });
        Assert.Equal("ValidationException", answer.ErrorType);
        Assert.StartsWith("Packet for query is too large", answer.ErrorMessage);
    }

    [Fact]
    public async Task Statements_OfAnotherAccessKey_AreNotFound()
    {
        var id = await Client.ExecuteAsync("SELECT 1 AS one");
        await Client.WaitAsync(id);
        using var other = new DataApiTestClient(Server.Endpoint, accessKeyId: "another-key");

        foreach (var operation in new[] { "DescribeStatement", "GetStatementResult", "CancelStatement" })
        {
            var answer = await other.SendAsync(operation, new { Id = id });
            Assert.True(answer.ErrorType == "ResourceNotFoundException", $"{operation}: {answer.Body}");
            Assert.Equal($"Query {id} does not exist.", answer.ErrorMessage);
        }

        await Client.CallAsync("GetStatementResult", new { Id = id });
    }

    [Fact]
    public async Task QuotedIdentifiers_AreFoldedToLowerCase_LiteralsAreNot()
    {
        await Client.RunAsync("CREATE SCHEMA \"Zuora\"");
        await Client.RunAsync("CREATE TABLE \"Zuora\".\"Account\" (\"Id\" int, \"Name\" varchar(20))");
        await Client.RunAsync("INSERT INTO zuora.account VALUES (1, 'Keep \"Case\"')");

        var id = await Client.ExecuteAsync(
            "SELECT \"ID\", name AS \"Label\", 'A \"Quoted\" Text' AS \"Literal\", (SELECT count(*) FROM information_schema.tables WHERE table_schema = 'zuora' AND table_name = 'account') AS \"Found\" FROM \"ZUORA\".\"ACCOUNT\"");
        await Client.WaitAsync(id);
        var result = await Client.CallAsync("GetStatementResult", new { Id = id });

        Assert.Equal(["id", "label", "literal", "found"], result.GetProperty("ColumnMetadata").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        var row = result.GetProperty("Records")[0];
        Assert.Equal("Keep \"Case\"", row[1].GetProperty("stringValue").GetString());
        Assert.Equal("A \"Quoted\" Text", row[2].GetProperty("stringValue").GetString());
        Assert.Equal(1, row[3].GetProperty("longValue").GetInt64());
    }

    [Fact]
    public async Task Varchar_CountsBytes_ForInsertUpdateAndAddedColumns()
    {
        await Client.RunAsync("CREATE TABLE v (s varchar(2), free varchar)");
        await Client.RunAsync("INSERT INTO v VALUES ('é', 'unbounded €€€')"); // 2 bytes
        await Client.RunAsync("ALTER TABLE v ADD COLUMN t varchar(1)");

        var insert = await ErrorOfAsync("INSERT INTO v (s) VALUES ('€')"); // 1 character, 3 bytes
        var update = await ErrorOfAsync("UPDATE v SET s = 'a€'");
        var added = await ErrorOfAsync("INSERT INTO v (t) VALUES ('é')");
        var staged = await ErrorOfBatchAsync("CREATE TEMP TABLE staged (LIKE v)", "INSERT INTO staged (s) VALUES ('€')");

        Assert.Equal("ERROR: value too long for type character varying(2)", insert);
        Assert.Equal("ERROR: value too long for type character varying(2)", update);
        Assert.Equal("ERROR: value too long for type character varying(1)", added);
        Assert.Equal("ERROR: value too long for type character varying(2)", staged);
        Assert.Single(await Server.QueryAsync("SELECT * FROM v"));
    }

    [Fact]
    public async Task Statements_RunAsTheTargetsDatabaseUser_NotASuperuser()
    {
        var cluster = await ResultAsync("SELECT current_user::text AS name, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS super");
        var workgroupId = (await Client.CallAsync(
            "ExecuteStatement",
            new { Sql = "SELECT current_user::text AS name", WorkgroupName = DataApiTestClient.Workgroup, Database = DataApiTestClient.Database })).GetProperty("Id").GetString()!;
        await Client.WaitAsync(workgroupId);
        var workgroup = await Client.CallAsync("GetStatementResult", new { Id = workgroupId });

        Assert.Equal(DataApiTestClient.DbUser, cluster[0].GetProperty("stringValue").GetString());
        Assert.False(cluster[1].GetProperty("booleanValue").GetBoolean());
        Assert.Equal(RedshiftDataTarget.DefaultWorkgroupUser, workgroup.GetProperty("Records")[0][0].GetProperty("stringValue").GetString());
        // The default grants: schemas and temp tables may be created; the superuser's tables are not the user's.
        await Client.RunAsync("CREATE SCHEMA loaded");
        await Client.RunAsync("CREATE TABLE loaded.t (id int)");
        await Server.QueryAsync("CREATE TABLE admin_only (id int)");
        Assert.Equal("ERROR: permission denied for table admin_only", await ErrorOfAsync("SELECT * FROM admin_only"));
        Assert.Equal("ERROR: permission denied to set session authorization", await ErrorOfAsync("RESET SESSION AUTHORIZATION"));
    }

    [Theory]
    [InlineData("INSERT INTO t VALUES (1, 'a') ON CONFLICT DO NOTHING", "ON CONFLICT")]
    [InlineData("INSERT INTO t VALUES (1, 'a') RETURNING id", "RETURNING")]
    [InlineData("DELETE FROM t WHERE id = 1 RETURNING *", "RETURNING")]
    [InlineData("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED AND t.v <> s.v THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.v)", "WHEN MATCHED AND")]
    [InlineData("MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.v)", "0 WHEN MATCHED")]
    [InlineData("MERGE INTO t AS target USING s ON target.id = s.id WHEN MATCHED THEN DELETE WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.v)", "alias")]
    [InlineData("SELECT * FROM t WHERE v IS DISTINCT FROM 'a'", "DISTINCT FROM")]
    [InlineData("SELECT count(*) FILTER (WHERE id > 1) FROM t", "FILTER")]
    [InlineData("SELECT id, v IS NOT NULL IS TRUE AS known FROM t", "IS TRUE in a SELECT list")]
    [InlineData("ALTER TABLE t ADD COLUMN IF NOT EXISTS w int", "IF NOT EXISTS")]
    [InlineData("ALTER TABLE t ADD COLUMN w int, ADD COLUMN x int", "several actions")]
    [InlineData("CREATE INDEX t_id ON t (id)", "CREATE INDEX")]
    public async Task PostgresOnlySyntax_IsRefused(string sql, string named)
    {
        await Client.RunAsync("CREATE TABLE t (id int, v varchar(10))");
        await Client.RunAsync("CREATE TABLE s (id int, v varchar(10))");

        var error = await ErrorOfAsync(sql);

        Assert.Contains("is not supported by Amazon Redshift", error);
        Assert.Contains(named, error);
    }

    [Theory]
    [InlineData("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.v)")]
    [InlineData("SELECT id, 'ON CONFLICT RETURNING' AS \"returning\" FROM t WHERE (v IS NULL) IS TRUE")]
    [InlineData("SELECT (SELECT count(*) FROM s WHERE s.id IS NOT NULL AND (s.v = 'a') IS NOT FALSE) AS n FROM t")]
    [InlineData("ALTER TABLE t ADD COLUMN w varchar(10) DEFAULT 'a,b'")]
    public async Task RedshiftSyntax_Runs(string sql)
    {
        await Client.RunAsync("CREATE TABLE t (id int, v varchar(10))");
        await Client.RunAsync("CREATE TABLE s (id int, v varchar(10))");

        await Client.RunAsync(sql);
    }

    [Fact]
    public async Task ConcurrentTransactions_AreSerializable_ConflictIsError1023()
    {
        await Client.RunAsync("CREATE TABLE t1 (id int)");
        await Client.RunAsync("CREATE TABLE t2 (id int)");
        var isolation = await ResultAsync("SHOW transaction_isolation");

        // Write skew: each reads what the other writes. One of the two cannot be serialized.
        var first = await Client.BatchAsync("SELECT count(*) FROM t1", "SELECT pg_sleep(1)", "INSERT INTO t2 VALUES (1)");
        var second = await Client.BatchAsync("SELECT count(*) FROM t2", "SELECT pg_sleep(1)", "INSERT INTO t1 VALUES (1)");
        var outcomes = new[] { await Client.WaitAsync(first), await Client.WaitAsync(second) };

        Assert.Equal("serializable", isolation[0].GetProperty("stringValue").GetString());
        var failed = Assert.Single(outcomes, o => o.GetProperty("Status").GetString() == "FAILED");
        Assert.StartsWith("ERROR: 1023 DETAIL: Serializable isolation violation on table", failed.GetProperty("Error").GetString());
        Assert.Single(outcomes, o => o.GetProperty("Status").GetString() == "FINISHED");
    }

    private async Task<string?> ErrorOfAsync(string sql)
    {
        var description = await Client.WaitAsync(await Client.ExecuteAsync(sql));
        Assert.True(description.GetProperty("Status").GetString() == "FAILED", $"'{sql}' did not fail: {description}");
        return description.GetProperty("Error").GetString();
    }

    private async Task<string?> ErrorOfBatchAsync(params string[] sqls)
    {
        var description = await Client.WaitAsync(await Client.BatchAsync(sqls));
        Assert.True(description.GetProperty("Status").GetString() == "FAILED", $"the batch did not fail: {description}");
        return description.GetProperty("Error").GetString();
    }

    // The first row of the statement's result.
    private async Task<JsonElement> ResultAsync(string sql)
    {
        var id = await Client.ExecuteAsync(sql);
        await Client.WaitAsync(id);
        return (await Client.CallAsync("GetStatementResult", new { Id = id })).GetProperty("Records")[0];
    }
}

/// <summary>A whole result over the Data API's limit (set small here) is refused by GetStatementResult.</summary>
public sealed class ResultSizeLimitTests : DoubleTestBase
{
    protected override RedshiftDataDoubleOptions CreateOptions(IReadOnlyList<RedshiftDataTarget> targets) => new()
    {
        AdminConnectionString = ServerlessSync.Testing.TestStack.PostgresConnectionString,
        S3 = S3,
        Targets = targets,
        MaxResultBytes = 1000,
    };

    [Fact]
    public async Task GetStatementResult_ResultOverTheLimit_IsRefusedAsResponseTooLarge()
    {
        var fits = await Client.ExecuteAsync("SELECT repeat('x', 100) FROM generate_series(1, 10)");
        var over = await Client.ExecuteAsync("SELECT repeat('x', 100) FROM generate_series(1, 11)");
        await Client.WaitAsync(fits);
        var description = await Client.WaitAsync(over);

        Assert.Equal(10, (await Client.CallAsync("GetStatementResult", new { Id = fits })).GetProperty("Records").GetArrayLength());
        Assert.Equal(11, description.GetProperty("ResultRows").GetInt64());
        var answer = await Client.SendAsync("GetStatementResult", new { Id = over });
        Assert.Equal("ValidationException", answer.ErrorType);
        Assert.StartsWith("Database response exceeded size limit", answer.ErrorMessage);
    }
}

/// <summary>
/// Grants under test: a schema the administrator created with GRANT ALL to the loader's user, database-level CREATE not
/// granted, TEMPORARY kept.
/// </summary>
public sealed class DatabaseUserGrantsTests : DoubleTestBase
{
    protected override RedshiftDataDoubleOptions CreateOptions(IReadOnlyList<RedshiftDataTarget> targets) => new()
    {
        AdminConnectionString = ServerlessSync.Testing.TestStack.PostgresConnectionString,
        S3 = S3,
        Targets = targets,
        DatabaseUserGrants =
        [
            "CREATE SCHEMA IF NOT EXISTS zuora",
            "GRANT ALL ON SCHEMA zuora TO {user}",
            "GRANT TEMPORARY ON DATABASE {database} TO {user}",
        ],
    };

    [Fact]
    public async Task Statements_HaveOnlyTheConfiguredGrants()
    {
        await Client.RunAsync("CREATE TABLE zuora.account (id int)");
        await Client.RunAsync("CREATE TEMP TABLE staged (id int)");

        var description = await Client.WaitAsync(await Client.ExecuteAsync("CREATE SCHEMA IF NOT EXISTS zuora"));

        Assert.Equal("FAILED", description.GetProperty("Status").GetString());
        Assert.StartsWith("ERROR: permission denied for database", description.GetProperty("Error").GetString());
    }
}
