using RedshiftDataDouble.Copy;
using RedshiftDataDouble.Sql;
using RedshiftDataDouble.Statements;

namespace ServerlessSync.Aws.Tests.RedshiftDouble;

// The double's SQL text handling on its own: no servers.
public sealed class SqlTextTests
{
    [Fact]
    public void Bind_PlaceholdersOutsideLiteralsCommentsAndCasts_BecomePositional()
    {
        var sql = "SELECT :a, ':a', E'\\':a', \":a\", $$ :a $$, x::text, :b, :a /* :a */ -- :a";

        var (bound, values) = ParameterBinder.Bind(sql, [new("a", "1"), new("b", "2")]);

        Assert.Equal("SELECT $1, ':a', E'\\':a', \":a\", $$ :a $$, x::text, $2, $1 /* :a */ -- :a", bound);
        Assert.Equal(["1", "2"], values);
    }

    [Fact]
    public void Bind_NameNotInParameters_IsLeftAlone()
    {
        var (bound, values) = ParameterBinder.Bind("SELECT :a, :other", [new("a", "x")]);

        Assert.Equal("SELECT $1, :other", bound);
        Assert.Equal(["x"], values);
    }

    [Fact]
    public void Parse_WarehouseCopy_ReadsTableColumnsSourceAndOptions()
    {
        var copy = CopyStatement.Parse(
            """
            COPY "_sync_staged" ("id", "Name", "amount")
            FROM 's3://staging-bucket/runs/default/20260101T000000Z-abc/account/account.copy-manifest.json'
            IAM_ROLE 'arn:aws:iam::123456789012:role/redshift-copy'
            FORMAT AS CSV QUOTE AS '"' DELIMITER AS ',' NULL AS '\\N' GZIP MANIFEST
            TIMEFORMAT 'auto' DATEFORMAT 'auto' COMPUPDATE OFF STATUPDATE OFF REGION 'eu-west-1';
            """)!;

        Assert.Equal(["_sync_staged"], copy.TableName);
        Assert.Equal(["id", "Name", "amount"], copy.Columns!);
        Assert.Equal(new S3Location("staging-bucket", "runs/default/20260101T000000Z-abc/account/account.copy-manifest.json"), copy.Source);
        Assert.True(copy.Manifest);
        Assert.True(copy.Gzip);
        Assert.Equal((',', '"', "\\N"), (copy.Delimiter, copy.Quote, copy.NullString));
        Assert.Equal("arn:aws:iam::123456789012:role/redshift-copy", copy.IamRole);
        Assert.Equal("eu-west-1", copy.Region);
        Assert.Equal("\"_sync_staged\"", copy.QualifiedTable);
    }

    [Fact]
    public void Parse_UnquotedNames_FoldToLowerCase()
    {
        var copy = CopyStatement.Parse("copy Analytics.Account (Id) from 's3://b/k' csv")!;

        Assert.Equal(["analytics", "account"], copy.TableName);
        Assert.Equal(["id"], copy.Columns!);
        Assert.False(copy.Manifest);
        Assert.Null(copy.NullString);
    }

    [Fact]
    public void Parse_NotACopy_IsNull()
    {
        Assert.Null(CopyStatement.Parse("SELECT 'COPY x FROM ''s3://b/k'''"));
    }

    [Theory]
    [InlineData("COPY t FROM 's3://b/k' CSV TRUNCATECOLUMNS", "TRUNCATECOLUMNS")]
    [InlineData("COPY t FROM 's3://b/k' CSV ACCEPTINVCHARS", "ACCEPTINVCHARS")]
    [InlineData("COPY t FROM 's3://b/k' GZIP", "FORMAT AS CSV")]
    [InlineData("COPY t FROM 's3://b/k' FORMAT AS PARQUET", "PARQUET")]
    [InlineData("COPY t FROM '/etc/passwd' CSV", "s3://")]
    [InlineData("COPY t FROM STDIN", "COPY table")]
    [InlineData("COPY t FROM 's3://b/k' CSV DELIMITER '||'", "one character")]
    public void Parse_CopyTheDoubleDoesNotServe_FailsNamingWhy(string sql, string named)
    {
        var error = Assert.Throws<StatementFailedException>(() => CopyStatement.Parse(sql));

        Assert.StartsWith("ERROR: ", error.Message);
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void Splitter_CountsRecordsAcrossChunksWithQuotedLineBreaks()
    {
        var splitter = new CsvRecordSplitter('"', captureRecord: 2, captureLimit: 100);

        splitter.Feed("1,\"a\r");
        splitter.Feed("\nb\"\r\n2,\"x\"\"\ny\"");
        splitter.Feed("\n3,z");
        splitter.Finish();

        Assert.Equal(3, splitter.Records);
        Assert.Equal("2,\"x\"\"\ny\"", splitter.Captured);
        Assert.Equal(["2", "x\"\ny"], CsvRecordSplitter.SplitFields(splitter.Captured!, ',', '"'));
    }
}
