using System.Text.Json.Serialization;
using ServerlessSync.Core.Model;

namespace ServerlessSync.Core.Status;

/// <summary>
/// One request to the status API, as any HTTP front end hands it over (API Gateway's HTTP API event, the CLI's
/// <c>serve</c>): the method, the path below the API's root (no stage), the decoded query parameters (a repeated one
/// joined with commas), the body as sent and the request's id for error messages.
/// </summary>
public sealed record StatusApiRequest(string Method, string Path, IReadOnlyDictionary<string, string> Query, string? Body, bool BodyIsBase64, string? RequestId);

/// <summary>The status API's answer: status code, headers (lower-case names) and a JSON body.</summary>
public sealed record StatusApiResponse(int StatusCode, Dictionary<string, string> Headers, string Body);

/// <summary>The response to one request and what its log line says: the route matched (method and template), the ids in the path or the started run, and an exception behind a failure.</summary>
public sealed record StatusApiAnswer(StatusApiResponse Response, string Route, string? ConnectorId, string? RunId, Exception? Failure);

/// <summary>Every error answer's body: one member saying what is wrong.</summary>
public sealed record ApiErrorBody(string Error);

/// <summary>The optional body of <c>POST /connectors/{id}/runs</c>: the objects to sync (absent: the connector's selection).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record StartRunBody(IReadOnlyList<string?>? Objects);

/// <summary>The answer to a started run (202); <c>executionArn</c> is the starter's reference to the run (a Step Functions execution ARN in the cloud).</summary>
public sealed record RunStartedBody(string ConnectorId, string RunId, string ExecutionArn);

/// <summary>The answer to started destination checks (202): where their result will be.</summary>
public sealed record ChecksStartedBody(string ConnectorId, string RequestId, string Latest);

/// <summary>
/// <c>GET /connectors/{id}/checks/latest</c>: the connector's latest destination checks, when they ran, what started them
/// (<c>api</c>, <c>firstSync</c>), the sync run they gated, and each check's number, name, outcome, message, fix and cause.
/// </summary>
public sealed record DestinationChecksView(string ConnectorId, DateTimeOffset RanAt, string Trigger, string? RunId, string Destination, bool Passed, IReadOnlyList<CheckResult> Checks)
{
    public static DestinationChecksView Of(DestinationCheckRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new(run.ConnectorId, run.RanAt, run.Trigger, run.RunId, run.Report.Destination, run.Report.Passed, run.Report.Checks);
    }
}

/// <summary>Source-generated JSON for the status API's own bodies; the status views are <see cref="StatusJsonContext"/>'s.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ApiErrorBody))]
[JsonSerializable(typeof(StartRunBody))]
[JsonSerializable(typeof(RunStartedBody))]
[JsonSerializable(typeof(ChecksStartedBody))]
[JsonSerializable(typeof(DestinationChecksView))]
public sealed partial class StatusApiJsonContext : JsonSerializerContext;
