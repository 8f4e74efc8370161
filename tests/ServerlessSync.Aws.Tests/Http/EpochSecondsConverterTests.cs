using System.Text.Json;
using ServerlessSync.Aws.Http;

namespace ServerlessSync.Aws.Tests.Http;

public sealed class EpochSecondsConverterTests
{
    private static readonly JsonSerializerOptions Options = new() { Converters = { new EpochSecondsConverter() } };

    [Theory]
    [InlineData("1700000000", 1_700_000_000L * TimeSpan.TicksPerSecond)]
    [InlineData("1700000000.123", 1_700_000_000L * TimeSpan.TicksPerSecond + 1_230_000)]
    [InlineData("1700000000.1234567", 1_700_000_000L * TimeSpan.TicksPerSecond + 1_234_567)]
    [InlineData("1.7E9", 1_700_000_000L * TimeSpan.TicksPerSecond)]
    [InlineData("0", 0L)]
    public void Read_EpochSeconds_ExactToTheTick(string json, long ticksSinceEpoch)
    {
        var value = JsonSerializer.Deserialize<DateTimeOffset>(json, Options);

        Assert.Equal(DateTimeOffset.UnixEpoch.AddTicks(ticksSinceEpoch), value);
        Assert.Equal(TimeSpan.Zero, value.Offset);
    }

    [Fact]
    public void Read_IsoString_IsAccepted() =>
        Assert.Equal(
            new DateTimeOffset(2023, 11, 14, 22, 13, 20, TimeSpan.Zero),
            JsonSerializer.Deserialize<DateTimeOffset>("\"2023-11-14T22:13:20Z\"", Options));

    [Fact]
    public void Write_MillisecondEpochSeconds() =>
        Assert.Equal("1700000000.123", JsonSerializer.Serialize(DateTimeOffset.UnixEpoch.AddSeconds(1_700_000_000).AddTicks(1_234_567), Options));

    [Fact]
    public void Read_Boolean_IsRejected() =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<DateTimeOffset>("true", Options));
}
