using System.Text;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Staging;
using ServerlessSync.Testing;

namespace ServerlessSync.Core.Tests.Staging;

public class CsvFormatTests
{
    private static readonly DateTimeOffset Updated = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private const string Marker = "null-abcdefghijkl";

    [Fact]
    public void AppendValue_HostileRows_ReadBackExactly()
    {
        var rows = HostileValues.Rows(Updated).ToList();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Values.Length; i++)
            {
                CsvFormat.AppendValue(text, HostileValues.Schema.Columns[i], row.Values[i], Marker);
                text.Append(',');
            }

            text.Append("false\n");
        }

        var records = CsvFormat.ReadRecords(new StringReader(text.ToString())).ToList();

        Assert.Equal(rows.Count, records.Count);
        for (var r = 0; r < rows.Count; r++)
        {
            Assert.Equal(HostileValues.Schema.Columns.Count + 1, records[r].Count);
            for (var c = 0; c < HostileValues.Schema.Columns.Count; c++)
            {
                var (field, quoted) = records[r][c];
                Assert.Equal(rows[r].Values[c], CsvFormat.ParseValue(HostileValues.Schema.Columns[c].Type, field, quoted, Marker));
            }
        }
    }

    [Fact]
    public void AppendValue_NullAndEmptyAndBackslashN_AreThreeDifferentFields()
    {
        var column = new ColumnSchema("s", ColumnType.String);

        Assert.Equal(Marker, Format(column, null));
        Assert.Equal("\"\"", Format(column, ""));
        Assert.Equal("\"\\N\"", Format(column, "\\N"));
        Assert.Equal("\"say \"\"hi\"\"\"", Format(column, "say \"hi\""));
    }

    [Fact]
    public void AppendValue_Timestamp_IsUtcMicroseconds()
    {
        var column = new ColumnSchema("t", ColumnType.Timestamp);
        var local = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)).AddTicks(1230);

        Assert.Equal("2026-01-02 01:04:05.000123+00", Format(column, local));
    }

    [Fact]
    public void AppendValue_SubMicrosecondTimestamp_ThrowsRatherThanRounds()
    {
        var column = new ColumnSchema("updateddate", ColumnType.Timestamp);

        var e = Assert.Throws<SourceDataException>(() => Format(column, Updated.AddTicks(1)));
        Assert.Contains("updateddate", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.234")]
    [InlineData("12345678901234567")]
    public void AppendValue_DecimalThatDoesNotFit_ThrowsNamingColumn(string value)
    {
        var column = new ColumnSchema("amount", ColumnType.Decimal(18, 2));

        var e = Assert.Throws<SourceDataException>(() => Format(column, decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains("amount", e.Message, StringComparison.Ordinal);
        Assert.Contains("decimal(18,2)", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(19, 0, "9223372036854775808")]
    [InlineData(19, 0, "-9999999999999999999")]
    [InlineData(19, 4, "922337203685477.5808")]
    public void AppendValue_PrecisionNineteenBeyond64Bits_ThrowsNamingColumnAndTheLimit(int precision, int scale, string value)
    {
        var column = new ColumnSchema("amount", ColumnType.Decimal(precision, scale));

        var e = Assert.Throws<SourceDataException>(() => Format(column, decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains("'amount'", e.Message, StringComparison.Ordinal);
        Assert.Contains("9223372036854775807", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(19, 0, "9223372036854775807")]
    [InlineData(19, 0, "-9223372036854775807")]
    [InlineData(19, 4, "922337203685477.5807")]
    [InlineData(20, 0, "99999999999999999999")]
    public void AppendValue_PrecisionNineteenWithin64Bits_Fits(int precision, int scale, string value)
    {
        var column = new ColumnSchema("amount", ColumnType.Decimal(precision, scale));

        Assert.Equal(value, Format(column, decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void AppendValue_DecimalWithTrailingZerosBeyondScale_Fits()
    {
        var column = new ColumnSchema("amount", ColumnType.Decimal(18, 2));

        Assert.Equal("1.5000", Format(column, 1.5000m));
    }

    [Fact]
    public void AppendValue_WrongClrType_ThrowsNamingColumnAndType()
    {
        var column = new ColumnSchema("count", ColumnType.Int64);

        var e = Assert.Throws<SourceDataException>(() => Format(column, "12"));
        Assert.Contains("count", e.Message, StringComparison.Ordinal);
        Assert.Contains("bigint", e.Message, StringComparison.Ordinal);
    }

    private static string Format(ColumnSchema column, object? value)
    {
        var text = new StringBuilder();
        CsvFormat.AppendValue(text, column, value, Marker);
        return text.ToString();
    }
}
