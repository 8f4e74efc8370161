using System.Text.Json;
using System.Xml;
using System.Xml.Linq;

namespace ServerlessSync.Zuora.Http;

/// <summary>Zuora's error code and message as found in the several error body shapes it uses.</summary>
internal readonly record struct ZuoraError(string? Code, string? Message)
{
    private const int MaxTextLength = 500;

    public override string ToString() => (Code, Message) switch
    {
        (null, null) => "no error detail",
        (null, var m) => m!,
        (var c, null) => $"errorCode {c}",
        var (c, m) => $"errorCode {c}: {m}",
    };

    /// <summary>
    /// Reads <c>errorCode</c>/<c>code</c>/<c>FaultCode</c>, <c>message</c>/<c>errorMessage</c>/<c>error_description</c>/<c>error</c>/<c>FaultMessage</c>
    /// (<c>FaultCode</c>/<c>FaultMessage</c>: the Actions API's refusal, e.g. of a ZOQL query), the first of
    /// <c>reasons</c>, and the same under <c>data</c> (Data Query).
    /// </summary>
    public static ZuoraError From(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return default;
        }

        var code = Text(body, "errorCode") ?? Text(body, "code") ?? Text(body, "FaultCode") ?? Text(body, "error");
        var message = Text(body, "message") ?? Text(body, "errorMessage") ?? Text(body, "FaultMessage") ?? Text(body, "error_description");
        if (body.TryGetProperty("reasons", out var reasons) && reasons.ValueKind == JsonValueKind.Array && reasons.GetArrayLength() > 0)
        {
            code ??= Text(reasons[0], "code");
            message ??= Text(reasons[0], "message");
        }

        if (body.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object && (code is null || message is null))
        {
            var inner = From(data);
            code ??= inner.Code;
            message ??= inner.Message;
        }

        return new ZuoraError(code, message);
    }

    /// <summary>Zuora's REST error body: <c>"success": false</c>, a non-empty <c>reasons</c> array, or an Actions API <c>FaultCode</c>.</summary>
    public static bool IsRefusal(JsonElement body) =>
        body.ValueKind == JsonValueKind.Object
        && ((body.TryGetProperty("success", out var success) && success.ValueKind == JsonValueKind.False)
            || Text(body, "FaultCode") is not null
            || (body.TryGetProperty("reasons", out var reasons) && reasons.ValueKind == JsonValueKind.Array && reasons.GetArrayLength() > 0));

    /// <summary>The error in a body that is not JSON: its start, on one line.</summary>
    public static ZuoraError FromText(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var parsed = From(document.RootElement);
            if (parsed != default)
            {
                return parsed;
            }
        }
        catch (JsonException)
        {
            // Not JSON: an HTML error page or plain text.
        }

        var line = string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return new ZuoraError(null, line.Length == 0 ? null : Clip(line));
    }

    /// <summary>
    /// S3's XML error document (a refused pre-signed download): only its <c>Code</c> and <c>Message</c>; the rest can
    /// hold the access key id, the string that was signed and the request id, none of which belong in a message.
    /// </summary>
    public static ZuoraError FromS3Xml(string text)
    {
        try
        {
            var root = XDocument.Parse(text).Root;
            return new ZuoraError(ClipOrNull(root?.Element("Code")?.Value), ClipOrNull(root?.Element("Message")?.Value));
        }
        catch (XmlException)
        {
            return default;
        }
    }

    private static string? Text(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value))
        {
            return null;
        }

        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
        return string.IsNullOrWhiteSpace(text) ? null : Clip(text);
    }

    private static string? ClipOrNull(string? text) => string.IsNullOrWhiteSpace(text) ? null : Clip(text.Trim());

    private static string Clip(string text) => text.Length <= MaxTextLength ? text : string.Concat(text.AsSpan(0, MaxTextLength), "…");
}
