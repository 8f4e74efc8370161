using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServerlessSync.Aws.Http;

/// <summary>
/// awsJson timestamps: seconds since the Unix epoch as a JSON number, possibly fractional
/// (<c>1700000000.123</c>). Read exactly (as a decimal, to the tick); written with millisecond precision.
/// An ISO-8601 string is accepted on read as well.
/// </summary>
internal sealed class EpochSecondsConverter : JsonConverter<DateTimeOffset>
{
    private const decimal TicksPerSecond = TimeSpan.TicksPerSecond;

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                if (!reader.TryGetDecimal(out var seconds))
                {
                    throw new JsonException("timestamp is not a number of epoch seconds");
                }

                return DateTimeOffset.UnixEpoch.AddTicks(decimal.ToInt64(decimal.Truncate(seconds * TicksPerSecond)));
            case JsonTokenType.String:
                return DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            default:
                throw new JsonException($"a timestamp must be a number of epoch seconds, not {reader.TokenType}");
        }
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(decimal.Round((value - DateTimeOffset.UnixEpoch).Ticks / TicksPerSecond, 3));
}
