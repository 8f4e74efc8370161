using System.Globalization;
using System.Text;
using ServerlessSync.Sources.Files;

namespace ServerlessSync.Sources.Tests.Files;

public sealed class JsonValuesTests
{
    [Theory]
    [InlineData("2025-03-01T10:15:30Z", "2025-03-01T10:15:30.0000000+00:00")]
    [InlineData("2025-03-01T10:15:30.5+01:00", "2025-03-01T09:15:30.5000000+00:00")]
    [InlineData("2024-02-29T23:59:59.999999-00:30", "2024-03-01T00:29:59.9999990+00:00")]
    [InlineData("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.0000000+00:00")]
    [InlineData("2025-03-01T10:15:30.100000000000Z", "2025-03-01T10:15:30.1000000+00:00")]
    public void ParseTimestamp_Valid_Utc(string text, string expected)
    {
        Assert.Equal(TemporalText.Valid, JsonValues.ParseTimestamp(text, out var utc));
        Assert.Equal(expected, utc.ToString("O", CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("2025-03-01T10:15:30", nameof(TemporalText.NotThisShape))]
    [InlineData("2025-03-01 10:15:30Z", nameof(TemporalText.NotThisShape))]
    [InlineData("2025-03-01T10:15Z", nameof(TemporalText.NotThisShape))]
    [InlineData("2025-03-01T10:15:30.Z", nameof(TemporalText.NotThisShape))]
    [InlineData("2025-03-01T10:15:30+0100", nameof(TemporalText.NotThisShape))]
    [InlineData("2025-03-01T10:15:30+01", nameof(TemporalText.NotThisShape))]
    [InlineData("2025-03-01", nameof(TemporalText.NotThisShape))]
    [InlineData("March 1st", nameof(TemporalText.NotThisShape))]
    [InlineData("2025-03-01T24:00:00Z", nameof(TemporalText.OutOfRange))]
    [InlineData("2025-02-29T10:00:00Z", nameof(TemporalText.OutOfRange))]
    [InlineData("2025-03-01T10:00:60Z", nameof(TemporalText.OutOfRange))]
    [InlineData("2025-03-01T10:00:00+14:01", nameof(TemporalText.OutOfRange))]
    [InlineData("0001-01-01T00:00:00+01:00", nameof(TemporalText.OutOfRange))]
    [InlineData("2025-03-01T10:00:00.0000001Z", nameof(TemporalText.FinerThanMicrosecond))]
    [InlineData("2025-03-01T10:00:00.000000001Z", nameof(TemporalText.FinerThanMicrosecond))]
    public void ParseTimestamp_Invalid_SaysWhy(string text, string expected)
    {
        Assert.Equal(Enum.Parse<TemporalText>(expected), JsonValues.ParseTimestamp(text, out _));
    }

    [Theory]
    [InlineData("2025-03-01", nameof(TemporalText.Valid))]
    [InlineData("2024-02-29", nameof(TemporalText.Valid))]
    [InlineData("2025-02-29", nameof(TemporalText.OutOfRange))]
    [InlineData("0000-01-01", nameof(TemporalText.OutOfRange))]
    [InlineData("2025-3-1", nameof(TemporalText.NotThisShape))]
    [InlineData("2025-03-01T00:00:00Z", nameof(TemporalText.NotThisShape))]
    [InlineData("20250301", nameof(TemporalText.NotThisShape))]
    public void ParseDate_Text_SaysWhat(string text, string expected)
    {
        Assert.Equal(Enum.Parse<TemporalText>(expected), JsonValues.ParseDate(text, out _));
    }

    [Theory]
    [InlineData("42", true, 0, 0, 2)]
    [InlineData("-0", true, 0, 0, 0)]
    [InlineData("1.50", false, 2, 1, 2)]
    [InlineData("0.001", false, 3, 3, 1)]
    [InlineData("1.5e-3", false, 4, 4, 2)]
    [InlineData("1.5E+2", false, 0, 0, 2)]
    [InlineData("1e3", false, 0, 0, 1)]
    [InlineData("100.00", false, 2, 0, 1)]
    [InlineData("-12345678901234567890.123456789", false, 9, 9, 29)]
    public void AnalyzeNumber_Text_DigitsAndPlaces(string raw, bool isInteger, int written, int normalized, int significant)
    {
        Assert.Equal(new NumberText(isInteger, written, normalized, significant), JsonValues.AnalyzeNumber(Encoding.UTF8.GetBytes(raw)));
    }
}
