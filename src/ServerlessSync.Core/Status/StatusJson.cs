using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace ServerlessSync.Core.Status;

/// <summary>
/// The status views' JSON, the one contract the status API answers with and the CLI's <c>status --json</c> prints
/// (docs/status-api.md): camelCase members in declaration order, nulls written, times ISO 8601, enums as their wire
/// text (<see cref="Model.WireEnumConverter{TEnum}"/>).
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ConnectorView))]
[JsonSerializable(typeof(RunsPageView))]
[JsonSerializable(typeof(RunView))]
[JsonSerializable(typeof(ConnectorStatusView))]
public sealed partial class StatusJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The same JSON, indented (<c>"name": value</c>, one member a line) for people and line tools. Only what JSON itself
    /// requires is escaped, so an error such as <c>Zuora's job</c> reads as written rather than as <c>Zuora\u0027s job</c>
    /// (the HTML-safe escaping of the API's answers matters in a page, not in a terminal).
    /// </summary>
    public static string Indented<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            JsonSerializer.Serialize(writer, value, typeInfo);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
