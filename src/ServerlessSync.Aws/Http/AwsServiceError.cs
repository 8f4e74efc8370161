using System.Net;
using System.Text;
using System.Text.Json;

namespace ServerlessSync.Aws.Http;

/// <summary>
/// A non-2xx answer of an awsJson service, read into its parts. The code comes from the
/// <c>X-Amzn-ErrorType</c> header, else the body's <c>code</c>, else its <c>__type</c>; any of them may be
/// namespaced (<c>com.amazonaws.redshiftdata#ValidationException</c>) or carry a <c>:</c> suffix, which are
/// stripped. The message is the body's <c>message</c> or <c>Message</c>.
/// </summary>
internal sealed record AwsServiceError(string Service, string Code, string Message, HttpStatusCode StatusCode, string? RequestId, JsonElement? Body)
{
    internal const string ErrorTypeHeader = "X-Amzn-ErrorType";
    internal const string RequestIdHeader = "x-amzn-RequestId";

    /// <summary>A string member of the error body (e.g. <c>StatementId</c>), or null.</summary>
    public string? StringMember(string name) =>
        Body is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static AwsServiceError Parse(string service, HttpStatusCode statusCode, string? errorTypeHeader, string? requestId, ReadOnlySpan<byte> body)
    {
        JsonElement? root = null;
        if (!body.IsEmpty)
        {
            try
            {
                using var document = JsonDocument.Parse(body.ToArray());
                root = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                // Not JSON (a proxy's HTML page, a truncated body): the status and the raw text still say something.
            }
        }

        var code = Sanitize(errorTypeHeader)
            ?? Sanitize(StringMemberIgnoringCase(root, "code"))
            ?? Sanitize(StringMemberIgnoringCase(root, "__type"))
            ?? $"Http{(int)statusCode}";
        var message = StringMemberIgnoringCase(root, "message")
            ?? StringMemberIgnoringCase(root, "errorMessage")
            ?? (root is null && !body.IsEmpty ? Preview(body) : "(no message)");
        return new AwsServiceError(service, code, message, statusCode, requestId, root);
    }

    /// <summary>Takes what is before the first ':' and then what is after the last '#'.</summary>
    internal static string? Sanitize(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            value = value[..colon];
        }

        var hash = value.LastIndexOf('#');
        if (hash >= 0)
        {
            value = value[(hash + 1)..];
        }

        value = value.Trim();
        return value.Length == 0 ? null : value;
    }

    private static string? StringMemberIgnoringCase(JsonElement? root, string name)
    {
        if (root is not { ValueKind: JsonValueKind.Object } element)
        {
            return null;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (property.NameEquals(name) && property.Value.ValueKind == JsonValueKind.String)
            {
                return property.Value.GetString();
            }
        }

        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.String)
            {
                return property.Value.GetString();
            }
        }

        return null;
    }

    private static string Preview(ReadOnlySpan<byte> body)
    {
        const int limit = 512;
        var text = Encoding.UTF8.GetString(body[..Math.Min(body.Length, limit)]);
        return body.Length > limit ? text + "…" : text;
    }
}
