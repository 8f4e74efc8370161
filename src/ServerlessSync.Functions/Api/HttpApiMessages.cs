using System.Text.Json.Serialization;

namespace ServerlessSync.Functions.Api;

/// <summary>
/// An API Gateway HTTP API request, payload format 2.0: the members the status API reads. Others (cookies,
/// authorizer, …) are ignored.
/// </summary>
internal sealed record HttpApiRequest(
    string? Version,
    string? RouteKey,
    string? RawPath,
    string? RawQueryString,
    Dictionary<string, string>? Headers,
    Dictionary<string, string>? QueryStringParameters,
    Dictionary<string, string>? PathParameters,
    HttpApiRequestContext? RequestContext,
    string? Body,
    bool IsBase64Encoded);

/// <summary>The request's context: its id, the stage (a stage other than <c>$default</c> prefixes <c>rawPath</c>) and the HTTP method.</summary>
internal sealed record HttpApiRequestContext(string? RequestId, string? Stage, HttpApiRequestHttp? Http);

/// <summary>The HTTP part of the request context.</summary>
internal sealed record HttpApiRequestHttp(string? Method, string? Path);

/// <summary>An HTTP API response, payload format 2.0: the body is JSON text.</summary>
internal sealed record HttpApiResponse(int StatusCode, Dictionary<string, string> Headers, string Body)
{
    public bool IsBase64Encoded => false;
}

/// <summary>The sync state machine's execution input for a run the API starts (docs/workflow.md, StartRun).</summary>
internal sealed record RunExecutionInput(
    string ConnectorId,
    string RunId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Objects,
    string Trigger,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TakeOverFrom = null);
