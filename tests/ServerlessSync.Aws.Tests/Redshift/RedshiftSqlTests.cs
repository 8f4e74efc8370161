using System.Text.Json;
using ServerlessSync.Aws.Redshift;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Sql;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Aws.Tests.Redshift;

public sealed class RedshiftSqlTests
{
    [Theory]
    [InlineData("plain", "'plain'")]
    [InlineData("it's", "'it''s'")]
    [InlineData(@"C:\temp\", @"'C:\\temp\\'")]
    [InlineData(@"\N", @"'\\N'")]
    [InlineData(@"\'", @"'\\'''")]
    [InlineData("", "''")]
    [InlineData("line\nbreak, \"quoted\" é 😀", "'line\nbreak, \"quoted\" é 😀'")]
    public void Literal_DoublesQuotesAndBackslashes_AndNothingElse(string value, string expected) =>
        Assert.Equal(expected, RedshiftSql.Literal(value));

    [Fact]
    public void Literal_And_Identifier_RefuseNul()
    {
        Assert.Throws<ArgumentException>(() => RedshiftSql.Literal("a\0b"));
        Assert.Throws<ArgumentException>(() => RedshiftSql.Identifier("a\0b"));
    }

    [Theory]
    [InlineData("account", "\"account\"")]
    [InlineData("we\"ird", "\"we\"\"ird\"")]
    public void Identifier_IsQuoted(string name, string expected) => Assert.Equal(expected, RedshiftSql.Identifier(name));

    [Fact]
    public void TimestampLiteral_IsUtcMicroseconds()
    {
        var value = new DateTimeOffset(2025, 3, 1, 10, 15, 30, TimeSpan.FromHours(2)).AddTicks(1_234_560);

        Assert.Equal("CAST('2025-03-01 08:15:30.123456+00' AS TIMESTAMPTZ)", new RedshiftDialect("arn", null, false).TimestampLiteral(value));
    }

    public static TheoryData<string, int?, int?, string> CatalogTypes => new()
    {
        { "character varying", null, null, "varchar" },
        { "bigint", 64, 0, "bigint" },
        { "numeric", 18, 4, "decimal(18,4)" },
        { "boolean", null, null, "boolean" },
        { "date", null, null, "date" },
        { "timestamp with time zone", null, null, "timestamptz" },
    };

    [Theory]
    [MemberData(nameof(CatalogTypes))]
    public void TryParseType_ReadsWhatCreateTableWrites(string dataType, int? precision, int? scale, string expected)
    {
        Assert.True(RedshiftSql.TryParseType(dataType, precision, scale, out var type));
        Assert.Equal(expected, type.ToString());
    }

    [Theory]
    [InlineData("integer")]
    [InlineData("timestamp without time zone")]
    [InlineData("double precision")]
    [InlineData("numeric")]
    public void TryParseType_RefusesTypesThePipelineNeverCreates(string dataType) =>
        Assert.False(RedshiftSql.TryParseType(dataType, null, null, out _));

    [Fact]
    public void TypeName_StringsAreAsWideAsRedshiftAllows()
    {
        Assert.Equal("VARCHAR(65535)", RedshiftSql.TypeName(ColumnType.String));
        Assert.Equal("DECIMAL(38,9)", RedshiftSql.TypeName(ColumnType.Decimal(38, 9)));
        Assert.Equal("TIMESTAMPTZ", RedshiftSql.TypeName(ColumnType.Timestamp));
    }

    [Fact]
    public void Copy_StatesTheStagedDialect_AndOptionalOptions()
    {
        var columns = new[] { new ColumnSchema("id", ColumnType.String), new ColumnSchema("updateddate", ColumnType.Timestamp) };

        var plain = RedshiftSql.Copy(LoadSql.StagedTable, columns, new RedshiftSql.CopySource("s3://b/runs/c/r/o/o.copy-manifest.json", "null-abcdefghijkl", "arn:aws:iam::1:role/r", null, false));
        var full = RedshiftSql.Copy(LoadSql.StagedTable, columns, new RedshiftSql.CopySource("s3://b/k", "\\N", "arn", "eu-west-1", true));

        Assert.Equal(
            """
            COPY "_sync_staged" ("id", "updateddate", "_deleted")
            FROM 's3://b/runs/c/r/o/o.copy-manifest.json'
            IAM_ROLE 'arn:aws:iam::1:role/r'
            FORMAT AS CSV QUOTE AS '"' DELIMITER AS ',' NULL AS 'null-abcdefghijkl' GZIP MANIFEST
            TIMEFORMAT 'auto' DATEFORMAT 'auto' COMPUPDATE OFF STATUPDATE OFF
            """.ReplaceLineEndings("\n"),
            plain);
        Assert.EndsWith("STATUPDATE OFF REGION 'eu-west-1' TRUNCATECOLUMNS", full);
    }

    [Fact]
    public void CopyManifest_ListsEveryPartAsMandatory_WithItsSize()
    {
        var json = RedshiftSql.CopyManifestJson([("s3://b/a \"x\".csv.gz", 10), ("s3://b/b.csv.gz", 20)]);

        using var document = JsonDocument.Parse(json);
        var entries = document.RootElement.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(2, entries.Count);
        Assert.Equal("s3://b/a \"x\".csv.gz", entries[0].GetProperty("url").GetString());
        Assert.True(entries[1].GetProperty("mandatory").GetBoolean());
        Assert.Equal(20, entries[1].GetProperty("meta").GetProperty("content_length").GetInt64());
    }

    [Fact]
    public void Load_Classify_ComparesBooleansWithoutIs_WhichRedshiftRefusesInASelectList()
    {
        ColumnSchema[] columns = [new("id", ColumnType.String), new("updateddate", ColumnType.Timestamp), new("active", ColumnType.Boolean), new("name", ColumnType.String)];
        var manifest = new StagedManifest(
            StagedManifest.CurrentFormat, "conn", "run-1", "account", null, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            [.. columns.Select(c => new ManifestColumn(c.Name, c.Type.ToString()))], NullMarkers.For("conn", "run-1", "account"), [], 0, 0, DateTimeOffset.UnixEpoch, null);

        var load = LoadSql.Load(new RedshiftDialect("arn:aws:iam::123456789012:role/copy", null, false), "zuora", manifest, columns, ["s3://b/m.json"], DateTimeOffset.UnixEpoch);

        var classify = Assert.Single(load.Sqls, s => s.StartsWith("CREATE TEMP TABLE \"_sync_classified\"", StringComparison.Ordinal));
        // Redshift allows IS on a boolean only as a WHERE predicate; the classification is a SELECT list.
        Assert.DoesNotMatch(@"""(active|_deleted)""\s+IS\s", classify);
        Assert.Matches(@"""name""\s+IS NULL", classify);
    }
}
