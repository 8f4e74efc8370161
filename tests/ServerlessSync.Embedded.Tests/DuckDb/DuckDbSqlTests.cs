using DuckDB.NET.Data;
using ServerlessSync.Core.Model;
using ServerlessSync.Embedded.DuckDb;

namespace ServerlessSync.Embedded.Tests.DuckDb;

public sealed class DuckDbSqlTests
{
    public static TheoryData<string> Hostile() =>
    [
        "",
        "plain",
        "'",
        "''",
        "it's",
        "\"",
        "a\"b\"\"c",
        "\\",
        "\\'",
        "'\\",
        "back\\slash\\n",
        "\\N",
        "line\nbreak",
        "cr\rlf\r\n",
        "tab\there",
        "'; DROP TABLE x; --",
        "\"; DROP TABLE x; --",
        "$1 ? :name @p",
        "ünïcødé ✓",
        "🦆𝄞",
        "  spaced  ",
        "E'\\x41'",
        "/*comment*/",
        "{'struct': 1}",
    ];

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Literal_HostileText_ReadsBackUnchanged(string text)
    {
        using var connection = OpenMemory();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {DuckDbSql.Literal(text)}";

        Assert.Equal(text, command.ExecuteScalar());
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Identifier_HostileName_NamesTheColumnExactly(string name)
    {
        if (name.Length == 0)
        {
            Assert.Throws<ArgumentException>(() => DuckDbSql.Identifier(name));
            return;
        }

        using var connection = OpenMemory();
        using var command = connection.CreateCommand();
        command.CommandText = $"CREATE TABLE {DuckDbSql.Identifier(name)} ({DuckDbSql.Identifier(name)} VARCHAR); SELECT * FROM {DuckDbSql.Identifier(name)}";
        using var reader = command.ExecuteReader();

        Assert.Equal(name, reader.GetName(0));
    }

    [Theory]
    [InlineData("abc", "'abc'")]
    [InlineData("it's", "'it''s'")]
    [InlineData("''", "''''''")]
    [InlineData("a\\b", "'a\\b'")]
    [InlineData("a\nb", "'a\nb'")]
    public void Literal_Text_DoublesSingleQuotesOnly(string text, string expected) =>
        Assert.Equal(expected, DuckDbSql.Literal(text));

    [Theory]
    [InlineData("id", "\"id\"")]
    [InlineData("a\"b", "\"a\"\"b\"")]
    [InlineData("it's", "\"it's\"")]
    public void Identifier_Name_DoublesDoubleQuotesOnly(string name, string expected) =>
        Assert.Equal(expected, DuckDbSql.Identifier(name));

    [Fact]
    public void Literal_Nul_Throws()
    {
        Assert.Throws<ArgumentException>(() => DuckDbSql.Literal("a\0b"));
        Assert.Throws<ArgumentException>(() => DuckDbSql.Identifier("a\0b"));
    }

    [Theory]
    [InlineData("varchar", "VARCHAR")]
    [InlineData("bigint", "BIGINT")]
    [InlineData("decimal(18,2)", "DECIMAL(18,2)")]
    [InlineData("decimal(38,9)", "DECIMAL(38,9)")]
    [InlineData("boolean", "BOOLEAN")]
    [InlineData("date", "DATE")]
    [InlineData("timestamptz", "TIMESTAMPTZ")]
    public void TypeName_EachColumnType_MapsToDuckDbType(string columnType, string expected) =>
        Assert.Equal(expected, DuckDbSql.TypeName(ColumnType.Parse(columnType)));

    [Theory]
    [InlineData("varchar")]
    [InlineData("bigint")]
    [InlineData("decimal(18,2)")]
    [InlineData("decimal(38,9)")]
    [InlineData("decimal(1,0)")]
    [InlineData("boolean")]
    [InlineData("date")]
    [InlineData("timestamptz")]
    public void TryParseType_InformationSchemaText_RoundTripsEveryColumnType(string columnType)
    {
        var type = ColumnType.Parse(columnType);
        using var connection = OpenMemory();
        using var command = connection.CreateCommand();
        command.CommandText = $"CREATE TABLE t (c {DuckDbSql.TypeName(type)}); SELECT data_type FROM information_schema.columns WHERE table_name = 't'";
        var dataType = (string)command.ExecuteScalar()!;

        Assert.True(DuckDbSql.TryParseType(dataType, out var parsed), dataType);
        Assert.Equal(type, parsed);
    }

    [Theory]
    [InlineData("INTEGER")]
    [InlineData("TIMESTAMP")]
    [InlineData("DOUBLE")]
    [InlineData("DECIMAL(40,2)")]
    [InlineData("DECIMAL(x,2)")]
    [InlineData("VARCHAR[]")]
    public void TryParseType_TypeThePipelineNeverCreates_ReturnsFalse(string dataType) =>
        Assert.False(DuckDbSql.TryParseType(dataType, out _));

    private static DuckDBConnection OpenMemory()
    {
        var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        return connection;
    }
}
