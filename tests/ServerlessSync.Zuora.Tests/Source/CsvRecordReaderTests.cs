using System.Text;
using ServerlessSync.Zuora.Csv;

namespace ServerlessSync.Zuora.Tests.Source;

public class CsvRecordReaderTests
{
    private static async Task<List<string?[]>> ReadAllAsync(string csv, int bufferChars)
    {
        using var reader = new CsvRecordReader(new StringReader(csv), bufferChars);
        var records = new List<string?[]>();
        while (await reader.ReadAsync(CancellationToken.None))
        {
            records.Add([.. reader.Fields]);
        }

        return records;
    }

    private static void Same(string?[] actual, string?[] expected) => Assert.Equal<IEnumerable<string?>>(expected, actual);

    public static TheoryData<int> BufferSizes => [1, 2, 3, 5, 7, 16, 4096];

    [Theory]
    [MemberData(nameof(BufferSizes))]
    public async Task ReadAsync_QuotedSeparatorsQuotesAndLineBreaks_AreFieldTextAtAnyBufferSize(int bufferChars)
    {
        var csv = "Id,Name,Note\r\n1,\"a,b\",\"say \"\"hi\"\"\"\r\n2,\"line\nbreak\",\"cr\rlf\r\nend\"\n3,plain,\"\"\"\"\r4,𝄞 ü,x";

        var records = await ReadAllAsync(csv, bufferChars);

        Assert.Equal(5, records.Count);
        Same(records[0], ["Id", "Name", "Note"]);
        Same(records[1], ["1", "a,b", "say \"hi\""]);
        Same(records[2], ["2", "line\nbreak", "cr\rlf\r\nend"]);
        Same(records[3], ["3", "plain", "\""]);
        Same(records[4], ["4", "𝄞 ü", "x"]);
    }

    [Theory]
    [MemberData(nameof(BufferSizes))]
    public async Task ReadAsync_EmptyFieldsQuotedOrNot_AreNull(int bufferChars)
    {
        var records = await ReadAllAsync("a,b,c\r\n,\"\",\r\n\"\",x,\r\n", bufferChars);

        Assert.Equal(3, records.Count);
        Same(records[1], [null, null, null]);
        Same(records[2], [null, "x", null]);
    }

    [Fact]
    public async Task ReadAsync_BlankLinesAndTrailingNewline_AreSkipped()
    {
        var records = await ReadAllAsync("a,b\r\n\r\n1,2\n\n\r\n", 4);

        Assert.Equal(2, records.Count);
        Same(records[1], ["1", "2"]);
    }

    [Fact]
    public async Task ReadAsync_RecordLine_CountsLinesInsideQuotedFields()
    {
        using var reader = new CsvRecordReader(new StringReader("a,b\n1,\"x\ny\nz\"\n2,w\n"), 3);
        var lines = new List<long>();
        while (await reader.ReadAsync(CancellationToken.None))
        {
            lines.Add(reader.RecordLine);
        }

        Assert.Equal([1L, 2L, 5L], lines);
    }

    [Fact]
    public async Task ReadAsync_UnclosedQuote_ThrowsNamingTheRecordLine()
    {
        var error = await Assert.ThrowsAsync<CsvFormatException>(() => ReadAllAsync("a,b\n1,2\n3,\"open\nstill", 8));

        Assert.Equal(3, error.Line);
        Assert.Contains("not closed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_TextAfterClosingQuote_Throws()
    {
        var error = await Assert.ThrowsAsync<CsvFormatException>(() => ReadAllAsync("a,b\n\"x\"y,2\n", 8));

        Assert.Equal(2, error.Line);
    }

    [Fact]
    public async Task ReadAsync_Stream_DropsByteOrderMarkAndDecodesUtf8AcrossBuffers()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("Id,Name\n1,中文😀\n")).ToArray();
        using var reader = new CsvRecordReader(new MemoryStream(bytes), 1);

        Assert.True(await reader.ReadAsync(CancellationToken.None));
        Assert.Equal("Id", reader.Fields[0]);
        Assert.True(await reader.ReadAsync(CancellationToken.None));
        Assert.Equal("中文😀", reader.Fields[1]);
        Assert.False(await reader.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ReadAsync_LongQuotedValue_IsReadWhole()
    {
        var big = new string('x', 70_000) + "\"\n,\r";
        var csv = "v\n\"" + big.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"\n";

        var records = await ReadAllAsync(csv, 1024);

        Assert.Equal(big, records[1][0]);
    }
}
