using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Sources.Files;
using static ServerlessSync.Sources.Tests.Files.ExportDirectory;

namespace ServerlessSync.Sources.Tests.Files;

public sealed class FilesSourceTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset Far = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly SyncWindow Everything = new(DateTimeOffset.MinValue, Far);

    private readonly ExportDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Objects_Directory_SortedLowercasedGzAndOthersIgnored()
    {
        _dir.Write("subscription.jsonl", Row("s1"));
        _dir.Write("Account.jsonl", Row("a1"));
        _dir.Write("invoice_item.jsonl.gz", Row("i1"));
        _dir.Write("notes.txt", "hello");
        _dir.Write("account.json", "{}");
        _dir.Write(".hidden.jsonl", Row("h1"));

        var source = _dir.Source();

        Assert.Equal("files", source.Name);
        Assert.Equal(["account", "invoice_item", "subscription"], source.Objects);
    }

    [Fact]
    public void Constructor_MissingDirectory_ThrowsNamingIt()
    {
        var missing = _dir.PathOf("nope");

        var error = Assert.Throws<DirectoryNotFoundException>(() => new FilesSource(missing));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_PlainAndGzOfOneObject_ThrowsNamingBoth()
    {
        _dir.Write("account.jsonl", Row("a1"));
        _dir.Write("account.jsonl.gz", Row("a1"));

        var error = Assert.Throws<InvalidDataException>(_dir.Source);

        Assert.Contains("account.jsonl ", error.Message, StringComparison.Ordinal);
        Assert.Contains("account.jsonl.gz", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_FileNameNotAnObjectName_Throws()
    {
        _dir.Write("invoice-item.jsonl", Row("a1"));

        var error = Assert.Throws<InvalidDataException>(_dir.Source);

        Assert.Contains("invoice-item.jsonl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeAndRead_UnknownObject_ThrowUnknownObjectException()
    {
        _dir.Write("account.jsonl", Row("a1"));
        var source = _dir.Source();

        var error = await Assert.ThrowsAsync<UnknownObjectException>(() => source.DescribeAsync("invoice", None).AsTask());
        await Assert.ThrowsAsync<UnknownObjectException>(async () =>
        {
            await foreach (var _ in source.ReadAsync(new ObjectSchema("invoice", [new("id", ColumnType.String), new("updateddate", ColumnType.Timestamp)]), Everything, None))
            {
            }
        });

        Assert.Equal("invoice", error.ObjectName);
        Assert.Contains("account", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeAsync_EachKind_Inferred()
    {
        _dir.Write(
            "account.jsonl",
            Row("a1", rest: """ "name":"Acme","active":true,"count":3,"amount":10,"day":"2025-03-01","at":"2025-03-01T10:15:30.123+01:00","mixed":1,"nulls":null,"nested":{"a":[1,2]},"big":12345678901234567890,"tiny":1.5e-3"""),
            Row("a2", rest: """ "name":"Beta","active":false,"count":-4,"amount":2.50,"day":null,"at":"2025-03-01T10:15:30Z","mixed":"one","nulls":null,"nested":[1],"big":1,"tiny":2"""));

        var schema = await _dir.Source().DescribeAsync("account", None);

        Assert.Equal(
            [
                "id varchar", "updateddate timestamptz", "name varchar", "active boolean", "count bigint", "amount decimal(38,2)",
                "day date", "at timestamptz", "mixed varchar", "nulls varchar", "nested varchar", "big decimal(38,0)", "tiny decimal(38,4)",
            ],
            schema.Columns.Select(c => $"{c.Name} {c.Type}"));
        Assert.Equal("account", schema.Name);
    }

    [Theory]
    [InlineData("\"2025-03-01\"", "\"2025-03-01T00:00:00Z\"", "varchar")] // a date and a datetime
    [InlineData("1", "true", "varchar")]
    [InlineData("\"2025-03-01\"", "\"March\"", "varchar")]
    [InlineData("\"2025-03-01 10:00:00+00:00\"", "\"2025-03-01 10:00:00+00:00\"", "varchar")] // a space, not a T
    [InlineData("\"2025-03-01T10:00:00\"", "\"2025-03-01T10:00:00\"", "varchar")] // no offset
    [InlineData("1", "1.125", "decimal(38,3)")]
    [InlineData("1.0", "2.00", "decimal(38,2)")]
    [InlineData("null", "null", "varchar")]
    [InlineData("\"2025-03-01T10:00:00-05:30\"", "null", "timestamptz")]
    public async Task DescribeAsync_TwoValues_InferredType(string first, string second, string expected)
    {
        _dir.Write("account.jsonl", Row("a1", rest: $"\"v\":{first}"), Row("a2", rest: $"\"v\":{second}"));

        var schema = await _dir.Source().DescribeAsync("account", None);

        Assert.Equal(expected, schema.Columns[schema.IndexOf("v")].Type.ToString());
    }

    [Fact]
    public async Task DescribeAsync_ColumnOrder_IdCreatedUpdatedThenFirstSeen()
    {
        _dir.Write(
            "account.jsonl",
            """{"zeta":1,"updateddate":"2025-03-01T10:00:00Z","alpha":"x","createddate":"2025-01-01T00:00:00Z","id":"a1"}""",
            """{"id":"a2","updateddate":"2025-03-01T10:00:00Z","beta":true,"alpha":"y"}""");

        var schema = await _dir.Source().DescribeAsync("account", None);

        Assert.Equal(["id", "createddate", "updateddate", "zeta", "alpha", "beta"], schema.Columns.Select(c => c.Name));
    }

    [Fact]
    public async Task DescribeAsync_EmptyFile_IdAndUpdatedOnly()
    {
        _dir.WriteText("account.jsonl", "");

        var schema = await _dir.Source().DescribeAsync("account", None);

        Assert.Equal(["id varchar", "updateddate timestamptz"], schema.Columns.Select(c => $"{c.Name} {c.Type}"));
        Assert.Empty(await ReadAllAsync(_dir.Source(), "account", Everything));
    }

    [Fact]
    public async Task DescribeAsync_DeclaredTypes_WinAndUnseenDeclaredComeLast()
    {
        _dir.WriteText("schema.json", """
            {
              // comments are allowed
              "Account": {"balance": "decimal(18,2)", "billcycleday": "BIGINT", "code": "varchar", "closedon": "date", "flag": "varchar"},
            }
            """);
        _dir.Write(
            "account.jsonl",
            Row("a1", rest: "\"code\":12.50,\"balance\":10,\"billcycleday\":1,\"flag\":true,\"other\":1.5"),
            Row("a2", rest: "\"code\":\"X\",\"balance\":1.5,\"billcycleday\":31,\"flag\":{\"k\":[1, 2]},\"other\":2"));
        var source = _dir.Source();

        var schema = await source.DescribeAsync("account", None);
        var rows = await ReadAllAsync(source, "account", Everything);

        Assert.Equal(
            ["id varchar", "updateddate timestamptz", "code varchar", "balance decimal(18,2)", "billcycleday bigint", "flag varchar", "other decimal(38,1)", "closedon date"],
            schema.Columns.Select(c => $"{c.Name} {c.Type}"));
        Assert.Equal<object?>(["12.50", 10m, 1L, "true", 1.5m, null], rows[0].Values[2..]);
        Assert.Equal<object?>(["X", 1.5m, 31L, """{"k":[1, 2]}""", 2m, null], rows[1].Values[2..]);
    }

    [Theory]
    [InlineData("""{"nope": {"a": "varchar"}}""", "no nope.jsonl")]
    [InlineData("""{"account": {"id": "bigint"}}""", "'id' must be varchar")]
    [InlineData("""{"account": {"updateddate": "date"}}""", "'updateddate' must be timestamptz")]
    [InlineData("""{"account": {"deleted": "boolean"}}""", "delete flag")]
    [InlineData("""{"account": {"balance": "money"}}""", "'money' is not a column type")]
    [InlineData("""{"account": {"balance": 12}}""", "must be a string")]
    [InlineData("""["account"]""", "must be an object")]
    [InlineData("""{"account": """, "not valid JSON")]
    public void Constructor_BadSchemaJson_ThrowsNamingIt(string json, string reason)
    {
        _dir.Write("account.jsonl", Row("a1"));
        _dir.WriteText("schema.json", json);

        var error = Assert.Throws<InvalidDataException>(_dir.Source);

        Assert.Contains("schema.json", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_Values_CoreClrTypes()
    {
        _dir.Write(
            "account.jsonl",
            """{"id":"a1","createddate":"2025-01-01T00:00:00.000001Z","updateddate":"2025-03-01T10:15:30.123+01:00","name":"Ac\"me \u00e9","n":-42,"amount":1.25,"ok":true,"day":"2025-02-28","gone":null}""");

        var row = Assert.Single(await ReadAllAsync(_dir.Source(), "account", Everything));

        Assert.False(row.Deleted);
        Assert.Equal<object?>(
            [
                "a1",
                new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(10),
                new DateTimeOffset(2025, 3, 1, 9, 15, 30, 123, TimeSpan.Zero),
                "Ac\"me é",
                -42L,
                1.25m,
                true,
                new DateOnly(2025, 2, 28),
                null,
            ],
            row.Values);
    }

    [Theory]
    [InlineData("2025-03-01T10:15:30.123+01:00", "2025-03-01T09:15:30.1230000+00:00")]
    [InlineData("2025-03-01T00:30:00-05:30", "2025-03-01T06:00:00.0000000+00:00")]
    [InlineData("2025-03-01T23:59:59.999999z", "2025-03-01T23:59:59.9999990+00:00")]
    [InlineData("2025-01-01T00:00:00+14:00", "2024-12-31T10:00:00.0000000+00:00")]
    [InlineData("2025-03-01T10:00:00.123456000Z", "2025-03-01T10:00:00.1234560+00:00")] // zeros below the microsecond are fine
    public async Task ReadAsync_TimestampWithOffset_ConvertedToUtc(string text, string expectedRoundTrip)
    {
        _dir.Write("account.jsonl", Row("a1", text, $"\"at\":\"{text}\""));

        var row = Assert.Single(await ReadAllAsync(_dir.Source(), "account", Everything));

        foreach (var value in row.Values[1..])
        {
            var timestamp = Assert.IsType<DateTimeOffset>(value);
            Assert.Equal(TimeSpan.Zero, timestamp.Offset);
            Assert.Equal(expectedRoundTrip, timestamp.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Theory]
    [InlineData("2025-03-01T10:15:30.1234567Z")]
    [InlineData("2025-03-01T10:15:30.123456001+01:00")]
    public async Task ReadAsync_SubMicrosecondTimestamp_FailsNamingLine(string text)
    {
        _dir.Write("account.jsonl", Row("a1"), Row("a2", rest: $"\"at\":\"{text}\""));

        var error = await Assert.ThrowsAsync<SourceDataException>(() => ReadAllAsync(_dir.Source(), "account", Everything));

        Assert.Contains("account.jsonl, line 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("finer than a microsecond", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_HistoricalWindow_LiveRowsBeforeEnd()
    {
        WriteWindowRows();

        var rows = await ReadAllAsync(_dir.Source(), "account", SyncWindow.Historical(At(12)));

        Assert.Equal(["before", "start", "deleted-false"], rows.Select(r => (string)r.Values[0]!));
        Assert.All(rows, r => Assert.False(r.Deleted));
    }

    [Fact]
    public async Task ReadAsync_IncrementalWindow_HalfOpenWithDeleted()
    {
        WriteWindowRows();

        var rows = await ReadAllAsync(_dir.Source(), "account", new SyncWindow(At(10), At(12)));

        Assert.Equal(["start", "deleted-in", "deleted-false"], rows.Select(r => (string)r.Values[0]!));
        Assert.Equal([false, true, false], rows.Select(r => r.Deleted));
    }

    [Fact]
    public async Task ReadAsync_DeletedKey_IsNotAColumn()
    {
        WriteWindowRows();

        var schema = await _dir.Source().DescribeAsync("account", None);

        Assert.Equal(["id", "updateddate"], schema.Columns.Select(c => c.Name));
    }

    [Theory]
    [InlineData("{\"id\":\"a2\",", "invalid JSON at byte 11")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("{\"id\":\"a2\",\"updateddate\":\"2025-03-01T10:00:00Z\"} {}", "invalid JSON")]
    [InlineData("{\"updateddate\":\"2025-03-01T10:00:00Z\"}", "missing id")]
    [InlineData("{\"id\":null,\"updateddate\":\"2025-03-01T10:00:00Z\"}", "missing id")]
    [InlineData("{\"id\":7,\"updateddate\":\"2025-03-01T10:00:00Z\"}", "id must be a string")]
    [InlineData("{\"id\":\"\",\"updateddate\":\"2025-03-01T10:00:00Z\"}", "id is empty")]
    [InlineData("{\"id\":\"a2\"}", "missing updateddate")]
    [InlineData("{\"id\":\"a2\",\"updateddate\":\"2025-03-01T10:00:00\"}", "'updateddate' (timestamptz): \"2025-03-01T10:00:00\" is not an ISO-8601 datetime with offset")]
    [InlineData("{\"id\":\"a2\",\"updateddate\":\"2025-03-01\"}", "is not an ISO-8601 datetime with offset")]
    [InlineData("{\"id\":\"a2\",\"updateddate\":1740823200}", "is not an ISO-8601 datetime with offset")]
    [InlineData("{\"id\":\"a2\",\"updateddate\":\"2025-13-01T10:00:00Z\"}", "not a real datetime")]
    [InlineData("{\"id\":\"a2\",\"updateddate\":\"2025-03-01T10:00:00Z\",\"deleted\":\"yes\"}", "'deleted' must be true, false or null")]
    [InlineData("{\"id\":\"a2\",\"updateddate\":\"2025-03-01T10:00:00Z\",\"id\":\"a3\"}", "key 'id' appears twice")]
    [InlineData("{\"id\":\"a2\",\"updateddate\":\"2025-03-01T10:00:00Z\",\"Name\":\"x\"}", "key 'Name' is not lowercase")]
    [InlineData("{\"id\":\"a2\",\"updateddate\":\"2025-03-01T10:00:00Z\",\"_x\":1}", "key '_x' starts with '_'")]
    [InlineData("{\"id\":\"a2\",\"updateddate\":\"2025-03-01T10:00:00Z\",\"v\":0.1234567890123456789}", "more than 18 decimal places")]
    [InlineData("{\"id\":\"a2\",\"updateddate\":\"2025-03-01T10:00:00Z\",\"d\":\"2025-02-30\"}", "'d' (date): \"2025-02-30\" is not a real date")]
    [InlineData("{\"id\":\"a2\",\"updateddate\":\"2025-03-01T10:00:00Z\",\"v\":12345678901234567890.123456789}", "does not fit a decimal exactly")]
    public async Task DescribeOrRead_MalformedLine_FailsNamingFileLineAndReason(string badLine, string reason)
    {
        var path = _dir.Write("account.jsonl", Row("a1", rest: "\"d\":\"2025-01-01\""), "", badLine, Row("a4"));

        var error = await Assert.ThrowsAsync<SourceDataException>(() => ReadAllAsync(_dir.Source(), "account", Everything));

        Assert.Contains($"{path}, line 3", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"n\":\"abc\"", "column 'n' is bigint but the value is \"abc\"")]
    [InlineData("\"n\":1.5", "column 'n' is bigint but the value is 1.5")]
    [InlineData("\"amount\":1.234", "amount' is decimal(18,2) but value 1.234 has 3 decimal places")]
    [InlineData("\"amount\":\"1.23\"", "column 'amount' is decimal(18,2) but the value is \"1.23\"")]
    [InlineData("\"amount\":12345678901234567.5", "more than 16 integer digits")]
    [InlineData("\"ok\":1", "column 'ok' is boolean but the value is 1")]
    [InlineData("\"day\":\"2025-03-01T00:00:00Z\"", "column 'day' is date but the value is \"2025-03-01T00:00:00Z\"")]
    [InlineData("\"at\":\"2025-03-01\"", "'at' (timestamptz): \"2025-03-01\" is not an ISO-8601 datetime")]
    [InlineData("\"n\":{\"a\":1}", "column 'n' is bigint but the value is an object")]
    public async Task ReadAsync_ValueNotOfDeclaredType_FailsNamingFileLineAndReason(string member, string reason)
    {
        _dir.WriteText("schema.json", """{"account": {"n": "bigint", "amount": "decimal(18,2)", "ok": "boolean", "day": "date", "at": "timestamptz"}}""");
        var path = _dir.Write("account.jsonl", Row("a1", rest: "\"n\":1,\"amount\":2.5,\"ok\":false"), Row("a2", rest: member));

        var error = await Assert.ThrowsAsync<SourceDataException>(() => ReadAllAsync(_dir.Source(), "account", Everything));

        Assert.Contains($"{path}, line 2", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeAsync_TooPreciseNumberInMixedColumn_IsVarcharNotError()
    {
        _dir.Write("account.jsonl", Row("a1", rest: "\"v\":0.1234567890123456789"), Row("a2", rest: "\"v\":\"text\""));

        var rows = await ReadAllAsync(_dir.Source(), "account", Everything);

        Assert.Equal("0.1234567890123456789", rows[0].Values[2]);
    }

    [Fact]
    public async Task ReadAsync_FileChangedAfterDescribe_NewColumnFails()
    {
        var path = _dir.Write("account.jsonl", Row("a1"));
        var source = _dir.Source();
        var schema = await source.DescribeAsync("account", None);
        _dir.Write("account.jsonl", Row("a1", rest: "\"extra\":1"));

        var error = await Assert.ThrowsAsync<SourceDataException>(async () =>
        {
            await foreach (var _ in source.ReadAsync(schema, Everything, None))
            {
            }
        });

        Assert.Contains($"{path}, line 1: column 'extra' is not in the schema", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_GzAndCrLfAndBom_SameRowsAsPlain()
    {
        string[] lines = [Row("a1", rest: "\"n\":1"), Row("a2", rest: "\"n\":2.5,\"deleted\":true"), Row("a3", rest: "\"n\":null")];
        _dir.Write("plain.jsonl", lines);
        _dir.Write("zipped.jsonl.gz", lines);
        _dir.WriteText("windows.jsonl", "\uFEFF" + string.Join("\r\n", lines) + "\r\n\r\n");
        var source = _dir.Source();

        var plain = await ReadAllAsync(source, "plain", Everything);
        var zipped = await ReadAllAsync(source, "zipped", Everything);
        var windows = await ReadAllAsync(source, "windows", Everything);

        Assert.Equal(3, plain.Count);
        Assert.Equal(plain.Select(r => (r.Deleted, string.Join('|', r.Values))), zipped.Select(r => (r.Deleted, string.Join('|', r.Values))));
        Assert.Equal(plain.Select(r => (r.Deleted, string.Join('|', r.Values))), windows.Select(r => (r.Deleted, string.Join('|', r.Values))));
        Assert.Equal("decimal(38,1)", (await source.DescribeAsync("zipped", None)).Columns[2].Type.ToString());
    }

    [Fact]
    public async Task ReadAsync_TenThousandLines_Streams()
    {
        var lines = Enumerable.Range(0, 10_000).Select(i => Row(
            $"a{i:D5}",
            new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(i).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", System.Globalization.CultureInfo.InvariantCulture),
            $"\"name\":\"{new string('x', i % 300)}\",\"balance\":{i}.{i % 100:D2},\"seq\":{i},\"deleted\":{(i % 10 == 0 ? "true" : "false")}"));
        _dir.Write("account.jsonl.gz", lines);
        var source = _dir.Source();

        var schema = await source.DescribeAsync("account", None);
        long count = 0, deleted = 0;
        await foreach (var row in source.ReadAsync(schema, new SyncWindow(DateTimeOffset.MinValue, Far), None))
        {
            count++;
            deleted += row.Deleted ? 1 : 0;
        }

        Assert.Equal(["id varchar", "updateddate timestamptz", "name varchar", "balance decimal(38,2)", "seq bigint"], schema.Columns.Select(c => $"{c.Name} {c.Type}"));
        Assert.Equal(10_000, count);
        Assert.Equal(1_000, deleted);
    }

    [Fact]
    public async Task ReadAsync_InvalidUtf8_FailsNamingLine()
    {
        var path = _dir.PathOf("account.jsonl");
        File.WriteAllBytes(path, [.. System.Text.Encoding.UTF8.GetBytes(Row("a1") + "\n"), .. "{\"id\":\"a"u8, 0xFF, .. "\",\"updateddate\":\"2025-03-01T10:00:00Z\"}\n"u8]);

        var error = await Assert.ThrowsAsync<SourceDataException>(() => ReadAllAsync(_dir.Source(), "account", Everything));

        Assert.Contains($"{path}, line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_LineLongerThanBuffer_Read()
    {
        var longText = new string('y', 300_000);
        _dir.Write("account.jsonl", Row("a1"), Row("a2", rest: $"\"text\":\"{longText}\""), Row("a3"));

        var rows = await ReadAllAsync(_dir.Source(), "account", Everything);

        Assert.Equal(["a1", "a2", "a3"], rows.Select(r => (string)r.Values[0]!));
        Assert.Equal(longText, rows[1].Values[2]);
    }

    [Fact]
    public async Task ReadAsync_Cancelled_Stops()
    {
        _dir.Write("account.jsonl", Enumerable.Range(0, 100).Select(i => Row($"a{i}")));
        var source = _dir.Source();
        var schema = await source.DescribeAsync("account", None);
        using var cancel = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in source.ReadAsync(schema, Everything, cancel.Token))
            {
                await cancel.CancelAsync();
            }
        });
    }

    private static DateTimeOffset At(int hour) => new(2025, 3, 1, hour, 0, 0, TimeSpan.Zero);

    private void WriteWindowRows() => _dir.Write(
        "account.jsonl",
        Row("before", "2025-03-01T09:59:59.999999Z"),
        Row("deleted-before", "2025-03-01T09:00:00Z", "\"deleted\":true"),
        Row("start", "2025-03-01T11:00:00+01:00"),
        Row("deleted-in", "2025-03-01T11:00:00Z", "\"deleted\":true"),
        Row("deleted-false", "2025-03-01T11:30:00Z", "\"deleted\":false"),
        Row("end", "2025-03-01T12:00:00Z"),
        Row("deleted-after", "2025-03-01T13:00:00Z", "\"deleted\":true"));
}
