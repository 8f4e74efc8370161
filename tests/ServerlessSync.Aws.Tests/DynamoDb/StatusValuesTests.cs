using System.Text;
using ServerlessSync.Aws.DynamoDb;

namespace ServerlessSync.Aws.Tests.DynamoDb;

public sealed class StatusValuesTests
{
    [Fact]
    public void FormatTime_AnyOffset_UtcToTheTickAndBack()
    {
        var time = new DateTimeOffset(2025, 3, 1, 10, 15, 30, TimeSpan.FromHours(1)).AddTicks(1_234_567);

        var text = StatusValues.FormatTime(time);
        var back = StatusValues.ParseTime(text);

        Assert.Equal("2025-03-01T09:15:30.1234567Z", text);
        Assert.Equal(time, back);
        Assert.Equal(time.UtcTicks, back.UtcTicks);
        Assert.Equal(TimeSpan.Zero, back.Offset);
        Assert.Equal(text, StatusValues.FormatTime(time.ToOffset(TimeSpan.FromHours(-9))));
    }

    [Fact]
    public void FormatTime_TextOrder_IsTimeOrder()
    {
        var start = new DateTimeOffset(1999, 12, 31, 23, 59, 59, TimeSpan.FromHours(5));
        var times = new[] { start, start.AddTicks(1), start.AddTicks(10), start.AddSeconds(1), start.AddHours(-6), start.AddYears(30), DateTimeOffset.MinValue, DateTimeOffset.MaxValue };

        var byText = times.OrderBy(StatusValues.FormatTime, StringComparer.Ordinal);

        Assert.Equal(times.OrderBy(t => t.UtcTicks), byText);
    }

    [Theory]
    [InlineData("")]
    [InlineData("short")]
    public void Truncate_Fits_Unchanged(string text)
    {
        Assert.Same(text, StatusValues.Truncate(text, 16));
        Assert.Null(StatusValues.Truncate(null, 16));
    }

    [Theory]
    // The marker "… [truncated]" takes 15 bytes; a four-byte character is kept whole or not at all.
    [InlineData("abcdefghijklmnopqrstuvwxyz", 20, "abcde… [truncated]")]
    [InlineData("ab😀cdefghijklmnopqrstuvwxyz", 20, "ab… [truncated]")]
    [InlineData("ab😀cdefghijklmnopqrstuvwxyz", 21, "ab😀… [truncated]")]
    [InlineData("ab😀cdefghijklmnopqrstuvwxyz", 22, "ab😀c… [truncated]")]
    public void Truncate_TooLong_CutAtCharacterWithMarker(string text, int maxBytes, string expected)
    {
        var cut = StatusValues.Truncate(text, maxBytes);

        Assert.Equal(expected, cut);
        Assert.True(Encoding.UTF8.GetByteCount(cut!) <= maxBytes);
    }
}
