using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace ServerlessSync.Testing.Http;

/// <summary>
/// The awsJson protocol (1.0 and 1.1) as a local endpoint serves it: the operation a request names in
/// <c>X-Amz-Target</c>, its JSON body, whether it is signed, and answers in the protocol's shape (a JSON body,
/// errors as <c>{"__type": …, "message": …}</c>).
/// </summary>
public static class AwsJson
{
    public const string ContentType10 = "application/x-amz-json-1.0";
    public const string ContentType11 = "application/x-amz-json-1.1";

    /// <summary>The operation in <c>X-Amz-Target</c> (<c>Service.Operation</c>) when it is <paramref name="service"/>'s, else null.</summary>
    public static string? Operation(HttpRequest request, string service)
    {
        ArgumentNullException.ThrowIfNull(request);
        var target = request.Headers["X-Amz-Target"].ToString();
        return target.StartsWith(service + ".", StringComparison.Ordinal) ? target[(service.Length + 1)..] : null;
    }

    /// <summary>Whether the request carries a SigV4 <c>Authorization</c> header.</summary>
    public static bool IsSigned(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Headers.Authorization.ToString().StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal);
    }

    /// <summary>The request's JSON body (an empty object when there is none).</summary>
    public static async Task<JsonElement> ReadBodyAsync(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        using var document = JsonDocument.Parse(body.Length == 0 ? "{}"u8.ToArray() : body.ToArray());
        return document.RootElement.Clone();
    }

    /// <summary>A string member of <paramref name="body"/>, or null when it is missing or not a string.</summary>
    public static string? StringMember(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>An error body: <c>{"__type": type, "message": message}</c>.</summary>
    public static string ErrorBody(string type, string message) => new JsonObject { ["__type"] = type, ["message"] = message }.ToJsonString();

    /// <summary>Answers with <paramref name="status"/> and <paramref name="body"/> as <paramref name="contentType"/>.</summary>
    public static Task WriteAsync(HttpContext context, string contentType, int status, string body)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        return context.Response.WriteAsync(body);
    }

    /// <summary>Answers with an error: <paramref name="status"/> and <see cref="ErrorBody"/>.</summary>
    public static Task WriteErrorAsync(HttpContext context, string contentType, int status, string type, string message) =>
        WriteAsync(context, contentType, status, ErrorBody(type, message));
}
