using ServerlessSync.Core.Model;

namespace ServerlessSync.Core.Tests.Model;

public class ColumnTypeTests
{
    [Theory]
    [InlineData("varchar")]
    [InlineData("bigint")]
    [InlineData("decimal(18,2)")]
    [InlineData("decimal(38,9)")]
    [InlineData("boolean")]
    [InlineData("date")]
    [InlineData("timestamptz")]
    public void Parse_TextForm_RoundTrips(string text)
    {
        Assert.Equal(text, ColumnType.Parse(text).ToString());
    }

    [Theory]
    [InlineData("decimal(39,2)")]
    [InlineData("decimal(5,6)")]
    [InlineData("decimal(38,38)")]
    [InlineData("number")]
    [InlineData("")]
    public void Parse_Unknown_ThrowsNamingTheText(string text)
    {
        var e = Assert.Throws<FormatException>(() => ColumnType.Parse(text));
        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ScaleAboveRedshiftsLargest_SaysWhatTheLimitIs()
    {
        var e = Assert.Throws<FormatException>(() => ColumnType.Parse("decimal(38,38)"));

        Assert.Contains("scale 0..37", e.Message, StringComparison.Ordinal);
        Assert.Equal("decimal(38,37)", ColumnType.Parse("decimal(38,37)").ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => ColumnType.Decimal(38, 38));
    }

    [Fact]
    public void Validate_SchemaWithoutCursor_ThrowsNamingObject()
    {
        var schema = new ObjectSchema("account", [new ColumnSchema("id", ColumnType.String)]);

        var e = Assert.Throws<InvalidDataException>(schema.Validate);
        Assert.Contains("account", e.Message, StringComparison.Ordinal);
        Assert.Contains("updateddate", e.Message, StringComparison.Ordinal);
    }
}

public class ObjectSchemaTests
{
    [Theory]
    [InlineData("Name")]
    [InlineData("na me")]
    [InlineData("1st")]
    [InlineData("_deleted")]
    [InlineData("oid")]
    [InlineData("ctid")]
    [InlineData("xmin")]
    [InlineData("deletexid")]
    public void Validate_ColumnNameNotPlainLowercase_ThrowsNamingIt(string column)
    {
        var schema = new ObjectSchema("account",
        [
            new ColumnSchema("id", ColumnType.String),
            new ColumnSchema("updateddate", ColumnType.Timestamp),
            new ColumnSchema(column, ColumnType.String),
        ]);

        var e = Assert.Throws<InvalidDataException>(schema.Validate);
        Assert.Contains($"'{column}'", e.Message, StringComparison.Ordinal);
    }
}

public class ObjectSchemaSystemColumnTests
{
    [Fact]
    public void Validate_RedshiftSystemColumnName_ThrowsSayingWhyAndWhatToDo()
    {
        var schema = new ObjectSchema("account",
        [
            new ColumnSchema("id", ColumnType.String),
            new ColumnSchema("updateddate", ColumnType.Timestamp),
            new ColumnSchema("oid", ColumnType.String),
        ]);

        var e = Assert.Throws<InvalidDataException>(schema.Validate);

        Assert.Contains("system column", e.Message, StringComparison.Ordinal);
        Assert.Contains("'oid'", e.Message, StringComparison.Ordinal);
    }
}
