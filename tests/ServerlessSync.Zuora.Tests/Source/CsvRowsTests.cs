using System.Text;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Zuora.Csv;

namespace ServerlessSync.Zuora.Tests.Source;

public class CsvRowsTests
{
    private static readonly ObjectSchema Schema = new("account",
    [
        new ColumnSchema("id", ColumnType.String),
        new ColumnSchema("balance", ColumnType.Decimal(28, 9)),
        new ColumnSchema("updateddate", ColumnType.Timestamp),
    ]);

    private static Task<List<SourceRow>> ReadAsync(string csv, params string[] required) => ReadAsync(Encoding.UTF8.GetBytes(csv), required);

    private static async Task<List<SourceRow>> ReadAsync(byte[] csv, params string[] required)
    {
        var rows = new List<SourceRow>();
        await foreach (var row in CsvRows.ReadAsync(new MemoryStream(csv), Schema, required.Length == 0 ? [.. Schema.Columns.Select(c => c.Name)] : required, false, "Zuora AQuA export of account", false, "Account", ZuoraTime.Pacific, CancellationToken.None))
        {
            rows.Add(row);
        }

        return rows;
    }

    [Fact]
    public async Task ReadAsync_HeaderInOtherOrderAndCase_MapsToSchemaAndIgnoresExtraColumns()
    {
        var rows = await ReadAsync("UpdatedDate,Extra,ID,Balance\r\n2026-11-01T10:20:30.000+00:00,x,a1,12.5\r\n2026-11-01T10:20:30.000+00:00,,a2,\r\n");

        Assert.Equal(["a1", 12.5m, new DateTimeOffset(2026, 11, 1, 10, 20, 30, TimeSpan.Zero)], rows[0].Values);
        Assert.Null(rows[1].Values[1]);
        Assert.False(rows[0].Deleted);
    }

    [Fact]
    public async Task ReadAsync_HeaderPrefixedWithTheObject_MapsOwnFieldsAndJoinedParents()
    {
        // Zuora names AQuA columns Object.Field: the object's own fields, and a joined parent's Id (Contact.Id → contactid).
        var schema = new ObjectSchema("account", [.. Schema.Columns, new ColumnSchema("contactid", ColumnType.String)]);
        var rows = new List<SourceRow>();
        await foreach (var row in CsvRows.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes("Account.UpdatedDate,Account.Id,Account.Balance,Contact.Id\r\n2026-11-01T10:20:30+0000,a1,12.5,c9\r\n")),
            schema, ["id", "updateddate"], false, "Zuora AQuA export of account", false, "Account", ZuoraTime.Pacific, CancellationToken.None))
        {
            rows.Add(row);
        }

        Assert.Equal(["a1", 12.5m, new DateTimeOffset(2026, 11, 1, 10, 20, 30, TimeSpan.Zero), "c9"], Assert.Single(rows).Values);
    }

    [Theory]
    [InlineData("Account.Id", "Id")]
    [InlineData("account.AccountNumber", "AccountNumber")]
    [InlineData("BillToContact.Id", "BillToContactId")]
    [InlineData(" Id ", "Id")]
    public void ColumnName_PrefixedOrPlainHeader_IsTheFieldOrTheJoinedName(string header, string expected) =>
        Assert.Equal(expected, CsvRows.ColumnName(header, "Account"));

    [Fact]
    public async Task ReadAsync_UnparseableValue_NamesObjectLineColumnAndExcerpt()
    {
        var error = await Assert.ThrowsAsync<SourceDataException>(() => ReadAsync("Id,Balance,UpdatedDate\r\na1,1,2026-11-01T00:00:00Z\r\na2,\"twelve\nand a half\",2026-11-01T00:00:00Z\r\n"));

        Assert.Contains("account", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("'balance'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'twelve\\nand a half'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_RequiredColumnMissingFromHeader_NamesIt()
    {
        var error = await Assert.ThrowsAsync<SourceDataException>(() => ReadAsync("Id,UpdatedDate\r\na1,2026-11-01T00:00:00Z\r\n"));

        Assert.Contains("'balance'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_OptionalColumnMissing_StaysNull()
    {
        var rows = await ReadAsync("id,updateddate\r\na1,2026-11-01 00:00:00\r\n", "id", "updateddate");

        Assert.Null(Assert.Single(rows).Values[1]);
    }

    [Fact]
    public async Task ReadAsync_RecordWithTooFewFields_NamesTheLine()
    {
        var error = await Assert.ThrowsAsync<SourceDataException>(() => ReadAsync("Id,Balance,UpdatedDate\r\na1,1\r\n"));

        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_InvalidUtf8_ThrowsSourceDataExceptionNamingFileAndLine()
    {
        byte[] csv = [.. Encoding.UTF8.GetBytes("Id,Balance,UpdatedDate\r\na"), 0xff, 0xfe, .. Encoding.UTF8.GetBytes(",1,2026-11-01T00:00:00Z\r\n")];

        var error = await Assert.ThrowsAsync<SourceDataException>(() => ReadAsync(csv));

        Assert.Contains("Zuora AQuA export of account", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("UTF-8", error.Message, StringComparison.Ordinal);
    }
}
