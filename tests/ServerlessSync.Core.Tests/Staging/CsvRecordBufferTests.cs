using System.Globalization;
using System.Text;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Staging;
using ServerlessSync.Testing;

namespace ServerlessSync.Core.Tests.Staging;

/// <summary>The stager's UTF-8 record writer against the text form it must encode to byte for byte.</summary>
public class CsvRecordBufferTests
{
    private static readonly DateTimeOffset Updated = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Marker = "nk3mz7q2x"u8.ToArray();

    [Fact]
    public void AppendRecord_HostileRows_AreTheUtf8OfTheTextForm()
    {
        var rows = HostileValues.Rows(Updated).ToList();
        var buffer = new CsvRecordBuffer(64);

        foreach (var row in rows)
        {
            buffer.AppendRecord(HostileValues.Schema.Columns, row.Values, row.Deleted, Marker);
        }

        Assert.Equal(rows.Count, buffer.Records);
        Assert.Equal(Text(HostileValues.Schema, rows), Encoding.UTF8.GetString(buffer.Written.Span));
        Assert.Equal(Encoding.UTF8.GetBytes(Text(HostileValues.Schema, rows)), buffer.Written.ToArray());
    }

    [Fact]
    public void AppendRecord_RandomValuesOfEveryKind_AreTheUtf8OfTheTextForm()
    {
        var schema = new ObjectSchema("random",
        [
            new ColumnSchema("id", ColumnType.String),
            new ColumnSchema("moment", ColumnType.Timestamp),
            new ColumnSchema("day", ColumnType.Date),
            new ColumnSchema("count", ColumnType.Int64),
            new ColumnSchema("money", ColumnType.Decimal(18, 2)),
            new ColumnSchema("quantity", ColumnType.Decimal(38, 9)),
            new ColumnSchema("flag", ColumnType.Boolean),
        ]);
        var random = new Random(15);
        var rows = new List<SourceRow>();
        for (var i = 0; i < 5_000; i++)
        {
            rows.Add(new SourceRow(
            [
                RandomText(random),
                new DateTimeOffset(random.NextInt64(TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay) / 10 * 10, TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(random.Next(-720, 720))),
                DateOnly.FromDayNumber(random.Next(DateOnly.MaxValue.DayNumber + 1)),
                random.NextInt64(long.MinValue, long.MaxValue) >> random.Next(64),
                Money(random.NextInt64(-999_999_999_999_999_999, 999_999_999_999_999_999) >> random.Next(64)),
                new decimal(random.Next(), random.Next(), random.Next(0, 542), random.Next(2) == 0, (byte)random.Next(10)),
                random.Next(2) == 0,
            ], random.Next(10) == 0));
        }

        Assert.Equal(Encoding.UTF8.GetBytes(Text(schema, rows)), Records(schema, rows, capacity: 1024));
    }

    [Fact]
    public void AppendRecord_LoneSurrogates_AreReplacedAsTheTextWriterReplacesThem()
    {
        var schema = new ObjectSchema("s", [new ColumnSchema("id", ColumnType.String)]);
        SourceRow[] rows = [new(["\uD800"], false), new(["a\uDC00\"b\uD83D"], false), new(["\uD83D\"\uDE00"], true)];

        Assert.Equal(Encoding.UTF8.GetBytes(Text(schema, rows)), Records(schema, rows, capacity: 8));
    }

    [Fact]
    public void AppendRecord_ValueThatCannotBeStaged_ThrowsAndLeavesTheBufferAsItWas()
    {
        var schema = new ObjectSchema("s", [new ColumnSchema("name", ColumnType.String), new ColumnSchema("updateddate", ColumnType.Timestamp)]);
        var buffer = new CsvRecordBuffer(16);
        buffer.AppendRecord(schema.Columns, ["first", Updated], false, Marker);
        var before = buffer.Written.ToArray();

        var finer = Assert.Throws<SourceDataException>(() => buffer.AppendRecord(schema.Columns, [new string('x', 100), Updated.AddTicks(1)], false, Marker));
        var wrongType = Assert.Throws<SourceDataException>(() => buffer.AppendRecord(schema.Columns, ["second", 12L], false, Marker));

        Assert.Contains("updateddate", finer.Message, StringComparison.Ordinal);
        Assert.Contains("updateddate", wrongType.Message, StringComparison.Ordinal);
        Assert.Equal(before, buffer.Written.ToArray());
        Assert.Equal(1, buffer.Records);
    }

    [Fact]
    public void WriteTimestamp_AcrossTheWholeRange_IsTheCustomFormatsText()
    {
        var random = new Random(7);
        List<DateTime> moments = [DateTime.MinValue, DateTime.MaxValue.AddTicks(-9), new DateTime(2024, 2, 29, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_999_990)];
        for (var i = 0; i < 20_000; i++)
        {
            moments.Add(new DateTime(random.NextInt64(DateTime.MaxValue.Ticks / 10) * 10, DateTimeKind.Utc));
        }

        Span<byte> text = stackalloc byte[CsvFormat.TimestampLength];
        foreach (var moment in moments)
        {
            var length = CsvFormat.WriteTimestamp(new DateTimeOffset(moment), "t", text);

            Assert.Equal(moment.ToString(CsvFormat.TimestampFormat, CultureInfo.InvariantCulture), Encoding.ASCII.GetString(text[..length]));
            Assert.Equal(
                DateOnly.FromDateTime(moment).ToString(CsvFormat.DateFormat, CultureInfo.InvariantCulture),
                Encoding.ASCII.GetString(text[..CsvFormat.WriteDate(DateOnly.FromDateTime(moment), text)]));
        }
    }

    /// <summary>The records as the buffer writes them, from <paramref name="capacity"/> bytes (it grows as needed).</summary>
    private static byte[] Records(ObjectSchema schema, IEnumerable<SourceRow> rows, int capacity)
    {
        var buffer = new CsvRecordBuffer(capacity);
        foreach (var row in rows)
        {
            buffer.AppendRecord(schema.Columns, row.Values, row.Deleted, Marker);
        }

        return buffer.Written.ToArray();
    }

    /// <summary>The records as the text form writes them (<see cref="CsvFormat.AppendValue"/>).</summary>
    private static string Text(ObjectSchema schema, IEnumerable<SourceRow> rows)
    {
        var text = new StringBuilder();
        var marker = Encoding.UTF8.GetString(Marker);
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Values.Length; i++)
            {
                CsvFormat.AppendValue(text, schema.Columns[i], row.Values[i], marker);
                text.Append(CsvFormat.Delimiter);
            }

            text.Append(row.Deleted ? "true" : "false").Append('\n');
        }

        return text.ToString();
    }

    /// <summary>A decimal of scale 2 from its unscaled value (trailing zeros kept).</summary>
    private static decimal Money(long cents)
    {
        var magnitude = (ulong)Math.Abs(cents);
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, cents < 0, 2);
    }

    private static string? RandomText(Random random)
    {
        const string Alphabet = "ab,\"\n\r\\ é中😀";
        if (random.Next(8) == 0)
        {
            return null;
        }

        var text = new StringBuilder();
        for (var n = random.Next(40); n > 0; n--)
        {
            var at = random.Next(Alphabet.Length);
            text.Append(char.IsSurrogate(Alphabet[at]) ? "😀" : Alphabet[at].ToString());
        }

        return text.ToString();
    }
}
