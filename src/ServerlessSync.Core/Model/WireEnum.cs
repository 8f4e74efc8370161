using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServerlessSync.Core.Model;

/// <summary>
/// The one text convention for an enum that leaves the process (JSON, a status store's text): the C# members are
/// PascalCase and their text is SCREAMING_SNAKE_CASE (<c>InProgress</c> is <c>IN_PROGRESS</c>). A member whose text
/// was published in another form before (<see cref="SyncMode"/>'s <c>Historical</c>, stored and served by the status
/// API) keeps it, pinned with <see cref="JsonStringEnumMemberNameAttribute"/>, so existing data and clients keep
/// reading it. An enum takes the convention with <c>[JsonConverter(typeof(WireEnumConverter&lt;T&gt;))]</c>, which every
/// <see cref="JsonSerializerContext"/> honours; <see cref="WireText"/> gives the same text to the stores.
/// </summary>
public sealed class WireEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseUpper)
    where TEnum : struct, Enum;

/// <summary>An enum's text as <see cref="WireEnumConverter{TEnum}"/> writes it in JSON, for the stores' text columns and attributes.</summary>
public static class WireText
{
    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
        Table<TEnum>.TextOf.TryGetValue(value, out var text) ? text : throw new ArgumentOutOfRangeException(nameof(value), value, $"not a {typeof(TEnum).Name} member");

    /// <exception cref="FormatException"><paramref name="text"/> is not the text of any member.</exception>
    public static TEnum Parse<TEnum>(string text)
        where TEnum : struct, Enum
    {
        ArgumentNullException.ThrowIfNull(text);
        return Table<TEnum>.ValueOf.TryGetValue(text, out var value)
            ? value
            : throw new FormatException($"'{text}' is not a {typeof(TEnum).Name}; expected one of {string.Join(", ", Table<TEnum>.ValueOf.Keys)}");
    }

    /// <summary>Each member's text, written once by the JSON converter itself, so the two cannot differ.</summary>
    private static class Table<TEnum>
        where TEnum : struct, Enum
    {
        public static readonly Dictionary<TEnum, string> TextOf = Build();

        public static readonly Dictionary<string, TEnum> ValueOf = TextOf.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

        private static Dictionary<TEnum, string> Build()
        {
            var options = new JsonSerializerOptions();
            var converter = (JsonConverter<TEnum>)new WireEnumConverter<TEnum>().CreateConverter(typeof(TEnum), options);
            var buffer = new ArrayBufferWriter<byte>();
            var texts = new Dictionary<TEnum, string>();
            foreach (var value in Enum.GetValues<TEnum>())
            {
                buffer.ResetWrittenCount();
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    converter.Write(writer, value, options);
                }

                var reader = new Utf8JsonReader(buffer.WrittenSpan);
                reader.Read();
                texts[value] = reader.GetString()!;
            }

            return texts;
        }
    }
}
