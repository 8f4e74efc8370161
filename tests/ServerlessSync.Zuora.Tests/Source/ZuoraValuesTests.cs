using ServerlessSync.Core.Model;
using ServerlessSync.Zuora.Csv;

namespace ServerlessSync.Zuora.Tests.Source;

public class ZuoraValuesTests
{
    private static readonly DateTimeOffset Moment = new(2026, 11, 1, 10, 20, 30, TimeSpan.Zero);

    [Theory]
    [InlineData("2026-11-01T10:20:30Z", 0)]
    [InlineData("2026-11-01T10:20:30.123+00:00", 123)]
    [InlineData("2026-11-01T02:20:30-0800", 0)]
    [InlineData("2026-11-01T12:20:30.123+0200", 123)]
    [InlineData("2026-11-01 10:20:30", 0)]
    [InlineData("2026-11-01T10:20:30", 0)]
    [InlineData("2026-11-01T02:20:30.123-08:00", 123)]
    public void ParseTimestamp_ZuoraForms_AreUtc(string text, int milliseconds)
    {
        var value = ZuoraValues.ParseTimestamp(text);

        Assert.Equal(Moment.AddMilliseconds(milliseconds), value);
        Assert.Equal(TimeSpan.Zero, value.Offset);
    }

    [Theory]
    [InlineData("2015-01-01", 8)]
    [InlineData("2026-07-01", 7)]
    public void ParseTimestamp_DateAlone_IsMidnightInZuoraSystemTime(string text, int hoursAfterUtcMidnight) =>
        Assert.Equal(new DateTimeOffset(DateOnly.Parse(text, System.Globalization.CultureInfo.InvariantCulture).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddHours(hoursAfterUtcMidnight), ZuoraValues.ParseTimestamp(text));

    [Fact]
    public void ParseTimestamp_DateAloneInAnotherSystemTimeZone_IsItsMidnight() =>
        Assert.Equal(new DateTimeOffset(2015, 1, 1, 0, 0, 0, TimeSpan.FromHours(1)), ZuoraValues.ParseTimestamp("2015-01-01", TimeZoneInfo.CreateCustomTimeZone("CET", TimeSpan.FromHours(1), "CET", "CET")));

    [Fact]
    public void UsPacificRules_WinterAndSummer_HaveTheOffsetsOfAmericaLosAngeles()
    {
        var rules = ZuoraTime.UsPacificRules();

        Assert.Equal(TimeSpan.FromHours(-8), rules.GetUtcOffset(new DateTime(2026, 1, 15, 12, 0, 0, DateTimeKind.Unspecified)));
        Assert.Equal(TimeSpan.FromHours(-7), rules.GetUtcOffset(new DateTime(2026, 7, 15, 12, 0, 0, DateTimeKind.Unspecified)));
        Assert.Equal(TimeSpan.FromHours(-8), rules.GetUtcOffset(new DateTime(2026, 11, 1, 2, 30, 0, DateTimeKind.Unspecified)));
        Assert.Equal(TimeSpan.FromHours(-7), rules.GetUtcOffset(new DateTime(2026, 3, 8, 3, 30, 0, DateTimeKind.Unspecified)));
    }

    [Fact]
    public void ParseTimestamp_SubMicrosecond_IsTruncatedToMicroseconds()
    {
        Assert.Equal(Moment.AddTicks(1_234_560), ZuoraValues.ParseTimestamp("2026-11-01T10:20:30.1234567Z"));
    }

    [Theory]
    [InlineData("2026-11-01")]
    [InlineData("11/01/2026")]
    public void ParseDate_BothForms_AreTheDay(string text) => Assert.Equal(new DateOnly(2026, 11, 1), ZuoraValues.ParseDate(text));

    [Theory]
    [InlineData("true", true)]
    [InlineData("FALSE", false)]
    [InlineData("True", true)]
    public void ParseBoolean_AnyCase_IsTheValue(string text, bool expected) => Assert.Equal(expected, ZuoraValues.ParseBoolean(text));

    [Theory]
    [InlineData("-12", -12L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("3.0", 3L)]
    public void ParseInt64_WholeNumbers_AreLongs(string text, long expected) => Assert.Equal(expected, ZuoraValues.ParseInt64(text));

    [Theory]
    [InlineData("1.5", "1.5")]
    [InlineData("-0.000000001", "-0.000000001")]
    [InlineData("1.50000000000", "1.500000000")]
    [InlineData("1E3", "1000")]
    [InlineData("9999999999999999999.999999999", "9999999999999999999.999999999")]
    public void ParseDecimal_WithinDecimal28_9_IsExact(string text, string expected) =>
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), ZuoraValues.ParseDecimal(text, ColumnType.Decimal(28, 9)));

    [Theory]
    [InlineData("bigint", "1.5")]
    [InlineData("bigint", "ten")]
    [InlineData("decimal(28,9)", "0.0000000001")]
    [InlineData("decimal(28,9)", "99999999999999999999")]
    [InlineData("decimal(28,9)", "1,5")]
    [InlineData("boolean", "yes")]
    [InlineData("date", "2026-13-01")]
    [InlineData("timestamptz", "yesterday")]
    public void Parse_Unparseable_ThrowsFormatException(string type, string text) =>
        Assert.Throws<FormatException>(() => ZuoraValues.Parse(text, ColumnType.Parse(type)));

    [Theory]
    [InlineData("1.00000000000000000000000000001", 38, 30)]
    [InlineData("0.1234567890123456789012345678901", 38, 35)]
    [InlineData("12345678901234567890123456789.5", 38, 9)]
    [InlineData("1.00000000000000000000000000001E2", 38, 30)]
    public void ParseDecimal_MoreSignificantDigitsThanADecimalHolds_ThrowsInsteadOfRounding(string text, int precision, int scale) =>
        Assert.Throws<FormatException>(() => ZuoraValues.ParseDecimal(text, ColumnType.Decimal(precision, scale)));

    [Fact]
    public void Parse_Varchar_KeepsTextAsIs() => Assert.Equal("  a,\"b\"\n ", ZuoraValues.Parse("  a,\"b\"\n ", ColumnType.String));
}
