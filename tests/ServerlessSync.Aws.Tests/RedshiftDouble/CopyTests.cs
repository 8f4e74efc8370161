using RedshiftDataDouble;
using ServerlessSync.Testing;

namespace ServerlessSync.Aws.Tests.RedshiftDouble;

public sealed class CopyTests : DoubleTestBase
{
    private const string CreateAccount =
        "CREATE TABLE account (id bigint NOT NULL, name varchar(64), amount numeric(18,2), updateddate timestamptz, _deleted boolean)";

    private const string CreateStaged =
        "CREATE TEMP TABLE \"_sync_staged\" (\"id\" bigint NOT NULL, \"name\" varchar(64), \"amount\" numeric(18,2), \"updateddate\" timestamptz, \"_deleted\" boolean)";

    private const string InsertFromStaged = "INSERT INTO account SELECT * FROM \"_sync_staged\"";

    // The staged CSV dialect: every string quoted, NULL as an unquoted \N.
    private const string FirstPart =
        "1,\"plain\",10.50,2024-05-01 10:00:00.123456+00,false\n" +
        "2,\"\\N\",\\N,2024-05-01 10:00:01.000000+00,false\n" +
        "3,\"\",0.00,\\N,true\n" +
        "4,\"say \"\"hi\"\", ok\",1.00,2024-05-01 10:00:03.000000+00,false\n";

    private const string SecondPart =
        "5,\"line1\nline2\r\nline3\",2.00,2024-05-01 10:00:05.000000+00,false\n" +
        "6,\"back\\\\slash \\ end\",3.00,2024-05-01 10:00:06.000000+00,false\n" +
        "7,\"ünïcødé 日本語 🎉\",4.00,2024-05-01 10:00:07.000000+00,false\n" +
        "8,\\N,\\N,\\N,false\n";

    private string _bucket = "";

    [Fact]
    public async Task Copy_ManifestOfTwoGzipParts_LoadsExactValuesThroughATempTable()
    {
        await Client.RunAsync(CreateAccount);
        var manifest = await StageAsync(("part-00000.csv.gz", FirstPart), ("part-00001.csv.gz", SecondPart));

        var id = await Client.BatchAsync(CreateStaged, CopySql(manifest), InsertFromStaged);
        var description = await Client.WaitAsync(id);

        Assert.Equal("FINISHED", description.GetProperty("Status").GetString());
        Assert.Equal(8, description.GetProperty("SubStatements")[1].GetProperty("ResultRows").GetInt64());
        var rows = (await Server.QueryAsync("SELECT * FROM account ORDER BY id")).ToDictionary(r => (long)r["id"]!);
        Assert.Equal(8, rows.Count);
        Assert.Equal("plain", rows[1]["name"]);
        Assert.Equal(10.50m, rows[1]["amount"]);
        Assert.Equal(new DateTime(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc).AddTicks(1234560), rows[1]["updateddate"]);
        // A quoted NULL string: NULL under the double's default reading (NullStringMatchesQuotedFields).
        Assert.Null(rows[2]["name"]);
        Assert.Null(rows[2]["amount"]);
        Assert.Equal("", rows[3]["name"]);
        Assert.Null(rows[3]["updateddate"]);
        Assert.Equal(true, rows[3]["_deleted"]);
        Assert.Equal("say \"hi\", ok", rows[4]["name"]);
        Assert.Equal("line1\nline2\r\nline3", rows[5]["name"]);
        Assert.Equal("back\\\\slash \\ end", rows[6]["name"]);
        Assert.Equal("ünïcødé 日本語 🎉", rows[7]["name"]);
        Assert.Null(rows[8]["name"]);
        Assert.Null(rows[8]["updateddate"]);
    }

    [Fact]
    public async Task Copy_StagedText_ReadsBackThroughTheApiAsStringsAndNulls()
    {
        await Client.RunAsync(CreateAccount);
        var manifest = await StageAsync(("part-00000.csv.gz", FirstPart));
        await Client.WaitAsync(await Client.BatchAsync(CreateStaged, CopySql(manifest), InsertFromStaged));

        var id = await Client.ExecuteAsync("SELECT name, amount FROM account WHERE id IN (2, 3) ORDER BY id");
        await Client.WaitAsync(id);
        var records = (await Client.CallAsync("GetStatementResult", new { Id = id })).GetProperty("Records");

        Assert.True(records[0][0].GetProperty("isNull").GetBoolean());
        Assert.True(records[0][1].GetProperty("isNull").GetBoolean());
        Assert.Equal("", records[1][0].GetProperty("stringValue").GetString());
        Assert.Equal("0.00", records[1][1].GetProperty("stringValue").GetString());
    }

    [Fact]
    public async Task Copy_BadValueInSecondFile_FailsWithALoadErrorRowNamingTheLine()
    {
        await Client.RunAsync(CreateAccount);
        var second =
            "5,\"two\nlines\",2.00,2024-05-01 10:00:05.000000+00,false\n" +
            "6,\"bad\",abc,2024-05-01 10:00:06.000000+00,false\n";
        var manifest = await StageAsync(("part-00000.csv.gz", FirstPart), ("part-00001.csv.gz", second));

        var id = await Client.BatchAsync(CopySql(manifest, table: "account"));
        var description = await Client.WaitAsync(id);

        Assert.Equal("FAILED", description.GetProperty("Status").GetString());
        Assert.Equal(
            "ERROR: Load into table 'account' failed.  Check 'sys_load_error_detail' system table for details.",
            description.GetProperty("Error").GetString());
        var copyQueryId = description.GetProperty("SubStatements")[0].GetProperty("RedshiftQueryId").GetInt64();
        var error = Assert.Single(await Server.QueryAsync(
            "SELECT query_id, trim(file_name) AS file_name, line_number, trim(column_name) AS column_name, trim(column_type) AS column_type, " +
            "error_code, trim(error_message) AS error_message, trim(raw_line) AS raw_line, trim(raw_field_value) AS raw_field_value, start_time " +
            "FROM sys_load_error_detail"));
        Assert.Equal(copyQueryId, error["query_id"]);
        Assert.Equal($"s3://{_bucket}/run/account/part-00001.csv.gz", error["file_name"]);
        Assert.Equal(2L, error["line_number"]);
        Assert.Equal("amount", error["column_name"]);
        Assert.Equal("numeric", error["column_type"]);
        Assert.Equal(1209, error["error_code"]);
        Assert.Equal("invalid input syntax for type numeric: \"abc\"", error["error_message"]);
        Assert.Equal("6,\"bad\",abc,2024-05-01 10:00:06.000000+00,false", error["raw_line"]);
        Assert.Equal("abc", error["raw_field_value"]);
        Assert.NotNull(error["start_time"]);
        Assert.Empty(await Server.QueryAsync("SELECT * FROM account"));
    }

    [Fact]
    public async Task Copy_NullIntoNotNullColumn_NamesTheColumn()
    {
        await Client.RunAsync(CreateAccount);
        var manifest = await StageAsync(("part-00000.csv.gz", "1,\"a\",1.00,\\N,false\n\\N,\"b\",2.00,\\N,false\n"));

        var description = await Client.WaitAsync(await Client.ExecuteAsync(CopySql(manifest, table: "account")));

        Assert.Equal("FAILED", description.GetProperty("Status").GetString());
        var error = Assert.Single(await Server.QueryAsync("SELECT line_number, trim(column_name) AS column_name, error_code FROM sys_load_error_detail"));
        Assert.Equal((2L, "id", 1213), ((long)error["line_number"]!, (string)error["column_name"]!, (int)error["error_code"]!));
        Assert.Empty(await Server.QueryAsync("SELECT * FROM account"));
    }

    [Fact]
    public async Task Copy_MultiByteValueOverVarcharBytes_IsLoadError1204()
    {
        await Client.RunAsync(CreateAccount.Replace("varchar(64)", "varchar(4)", StringComparison.Ordinal));
        // "abcd" is 4 bytes; "été" is 3 characters (PostgreSQL's count) but 5 bytes of UTF-8 (Redshift's).
        var manifest = await StageAsync(("part-00000.csv.gz", "1,\"abcd\",1.00,\\N,false\n2,\"été\",2.00,\\N,false\n"));

        var description = await Client.WaitAsync(await Client.ExecuteAsync(CopySql(manifest, table: "account")));

        Assert.Equal("FAILED", description.GetProperty("Status").GetString());
        var error = Assert.Single(await Server.QueryAsync(
            "SELECT line_number, trim(column_name) AS column_name, error_code, trim(error_message) AS error_message FROM sys_load_error_detail"));
        Assert.Equal((2L, "name", 1204), ((long)error["line_number"]!, (string)error["column_name"]!, (int)error["error_code"]!));
        Assert.Equal("value too long for type character varying(4)", error["error_message"]);
        Assert.Empty(await Server.QueryAsync("SELECT * FROM account"));
    }

    [Fact]
    public async Task Copy_MissingMandatoryEntry_FailsNamingIt()
    {
        await Client.RunAsync(CreateAccount);
        var manifest = await StageAsync(("part-00000.csv.gz", FirstPart));
        var missing = $"s3://{_bucket}/run/account/part-00001.csv.gz";
        await DoubleS3.PutAsync(S3, _bucket, "run/account/account.copy-manifest.json", DoubleS3.Manifest($"s3://{_bucket}/run/account/part-00000.csv.gz", missing));

        var description = await Client.WaitAsync(await Client.ExecuteAsync(CopySql(manifest, table: "account")));

        Assert.Equal("FAILED", description.GetProperty("Status").GetString());
        Assert.Contains(missing, description.GetProperty("Error").GetString());
        Assert.Empty(await Server.QueryAsync("SELECT * FROM account"));
    }

    [Fact]
    public async Task Copy_KeyPrefixWithoutManifest_LoadsEveryObjectUnderIt()
    {
        await Client.RunAsync(CreateAccount);
        await StageAsync(("part-00000.csv.gz", FirstPart), ("part-00001.csv.gz", SecondPart));
        var sql = $"COPY account FROM 's3://{_bucket}/run/account/part-' IAM_ROLE 'arn:aws:iam::123456789012:role/redshift-copy' CSV NULL '\\\\N' GZIP REGION 'eu-west-1'";

        var description = await Client.WaitAsync(await Client.ExecuteAsync(sql));

        Assert.Equal("FINISHED", description.GetProperty("Status").GetString());
        Assert.Equal(8, description.GetProperty("ResultRows").GetInt64());
        Assert.Equal(8, (await Server.QueryAsync("SELECT * FROM account")).Count);
    }

    [Theory]
    [InlineData("TRUNCATECOLUMNS")]
    [InlineData("MAXERROR 10")]
    [InlineData("TIMEFORMAT 'epochsecs'")]
    public async Task Copy_UnsupportedOption_FailsNamingIt(string option)
    {
        await Client.RunAsync(CreateAccount);
        var manifest = await StageAsync(("part-00000.csv.gz", FirstPart));

        var description = await Client.WaitAsync(await Client.ExecuteAsync(CopySql(manifest, table: "account") + " " + option));

        Assert.Equal("FAILED", description.GetProperty("Status").GetString());
        Assert.Contains(option.Split(' ')[0], description.GetProperty("Error").GetString());
        Assert.Contains("not supported by the double", description.GetProperty("Error").GetString());
    }

    private static string CopySql(string manifestUrl, string table = "_sync_staged") =>
        $"""
        COPY "{table}" ("id", "name", "amount", "updateddate", "_deleted")
        FROM '{manifestUrl}'
        IAM_ROLE 'arn:aws:iam::123456789012:role/redshift-copy'
        FORMAT AS CSV QUOTE AS '"' DELIMITER AS ',' NULL AS '\\N' GZIP MANIFEST
        TIMEFORMAT 'auto' DATEFORMAT 'auto' COMPUPDATE OFF STATUPDATE OFF
        """;

    // Uploads gzip parts under run/account/ and a manifest naming them; returns the manifest's URL.
    private async Task<string> StageAsync(params (string Name, string Csv)[] parts)
    {
        _bucket = await DoubleS3.CreateBucketAsync(S3);
        var urls = new List<string>();
        foreach (var (name, csv) in parts)
        {
            await DoubleS3.PutAsync(S3, _bucket, $"run/account/{name}", DoubleS3.Gzip(csv));
            urls.Add($"s3://{_bucket}/run/account/{name}");
        }

        await DoubleS3.PutAsync(S3, _bucket, "run/account/account.copy-manifest.json", DoubleS3.Manifest([.. urls]));
        return $"s3://{_bucket}/run/account/account.copy-manifest.json";
    }
}

/// <summary>The double with <see cref="RedshiftDataDoubleOptions.NullStringMatchesQuotedFields"/> off: PostgreSQL's reading.</summary>
public sealed class CopyWithQuotedFieldsNeverNullTests : DoubleTestBase
{
    [Fact]
    public async Task Copy_QuotedNullString_IsText_UnquotedIsNull()
    {
        await Client.RunAsync("CREATE TABLE account (id bigint NOT NULL, name varchar(64))");
        var bucket = await DoubleS3.CreateBucketAsync(S3);
        await DoubleS3.PutAsync(S3, bucket, "run/account/part-00000.csv.gz", DoubleS3.Gzip("1,\"\\N\"\n2,\\N\n"));
        await DoubleS3.PutAsync(S3, bucket, "run/account/m.json", DoubleS3.Manifest($"s3://{bucket}/run/account/part-00000.csv.gz"));

        await Client.WaitAsync(await Client.ExecuteAsync(
            $"COPY account (id, name) FROM 's3://{bucket}/run/account/m.json' IAM_ROLE 'arn:aws:iam::123456789012:role/r' CSV NULL AS '\\\\N' GZIP MANIFEST"));

        var rows = (await Server.QueryAsync("SELECT * FROM account ORDER BY id")).ToDictionary(r => (long)r["id"]!);
        Assert.Equal("\\N", rows[1]["name"]);
        Assert.Null(rows[2]["name"]);
    }

    protected override RedshiftDataDoubleOptions CreateOptions(IReadOnlyList<RedshiftDataTarget> targets) =>
        new()
        {
            AdminConnectionString = TestStack.PostgresConnectionString,
            S3 = S3,
            Targets = targets,
            NullStringMatchesQuotedFields = false,
        };
}
