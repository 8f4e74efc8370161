using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using ServerlessSync.Aws.Http;
using ServerlessSync.Aws.StepFunctions;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Status;

namespace ServerlessSync.Functions.Api;

/// <summary>
/// The status API's routes over <see cref="StatusQueries"/> and the sync state machine. Routing is by method and
/// path (<c>rawPath</c>, less the stage when the stage is not <c>$default</c>), so the API may route one
/// <c>ANY /connectors/{proxy+}</c> or each route to the function.
/// <list type="table">
/// <item><term>GET /connectors/{id}</term><description>200 the connector view; 404 unknown connector</description></item>
/// <item><term>GET /connectors/{id}/runs?limit=&amp;nextToken=</term><description>200 a page of runs, newest first (limit 1..100, default 20; <c>nextToken</c> from the page before, absent on the last page); 404 unknown connector</description></item>
/// <item><term>GET /connectors/{id}/runs/{runId}</term><description>200 the run with its objects and errors; 404 unknown run</description></item>
/// <item><term>POST /connectors/{id}/runs</term><description>body optional, <c>{"objects":["account",…]}</c>; 202 <c>{connectorId, runId, executionArn}</c> with a <c>Location</c>; 409 while the connector's last run is RUNNING and its execution still runs (DescribeExecution; a run whose execution ended without finishing it is taken over by the new one); 404 unknown connector (except the deployment's own, which its first run creates)</description></item>
/// </list>
/// Errors: 400 for a malformed request (an id of other characters than ASCII letters, digits, '-' and '_'; a bad
/// limit, token, query parameter or body), 404 for a path no route has, 405 (with <c>Allow</c>) for a method a path
/// does not take, 502 when Step Functions refuses to start a run, 500 for anything unexpected. Every error body is
/// <c>{"error":"…"}</c>.
/// </summary>
internal sealed class StatusApi(StatusQueries queries, StepFunctionsClient stepFunctions, string stateMachineArn, string deploymentConnectorId, TimeProvider time)
{
    /// <summary>The longest connector id the API takes.</summary>
    public const int MaxConnectorIdLength = 128;

    /// <summary>The largest request body the API reads.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>The most objects one start may name.</summary>
    public const int MaxObjects = 100;

    /// <summary>The longest object name one start may give.</summary>
    public const int MaxObjectNameLength = 128;

    private static ApiJsonContext Json => ApiJsonContext.Default;

    /// <summary>Answers one request; never throws (an unexpected failure is a 500, and <see cref="ApiAnswer.Failure"/> says what it was).</summary>
    public async Task<ApiAnswer> HandleAsync(HttpApiRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var method = request.RequestContext?.Http?.Method?.ToUpperInvariant() ?? "";
        var route = Route.Match(PathOf(request));
        var routeName = route is null ? $"{method} (no route)" : $"{method} {route.Template}";
        try
        {
            if (request.Version != "2.0")
            {
                throw new ApiProblem(HttpStatusCode.BadRequest, $"the event is not an HTTP API request of payload format 2.0 (version is '{request.Version}')");
            }

            if (route is null)
            {
                throw new ApiProblem(HttpStatusCode.NotFound, $"no route for {method} {PathOf(request)}; the routes are GET /connectors/{{id}}, GET and POST /connectors/{{id}}/runs, GET /connectors/{{id}}/runs/{{runId}}");
            }

            if (!route.Methods.Contains(method, StringComparer.Ordinal))
            {
                throw new ApiProblem(HttpStatusCode.MethodNotAllowed, $"{route.Template} takes {string.Join(" and ", route.Methods)}, not {method}")
                {
                    Headers = { ["allow"] = string.Join(", ", route.Methods) },
                };
            }

            CheckConnectorId(route.ConnectorId);
            if (route.RunId is not null)
            {
                CheckRunId(route.RunId);
            }

            var response = (route.Kind, method) switch
            {
                (RouteKind.Connector, _) => await GetConnectorAsync(route.ConnectorId, cancellationToken),
                (RouteKind.Runs, "POST") => await StartRunAsync(route.ConnectorId, request, cancellationToken),
                (RouteKind.Runs, _) => await ListRunsAsync(route.ConnectorId, request, cancellationToken),
                _ => await GetRunAsync(route.ConnectorId, route.RunId!, cancellationToken),
            };
            return new ApiAnswer(response.Response, routeName, route.ConnectorId, response.RunId, null);
        }
        catch (ApiProblem problem)
        {
            return new ApiAnswer(Error(problem.Status, problem.Message, problem.Headers), routeName, route?.ConnectorId, route?.RunId, problem.InnerException);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var requestId = request.RequestContext?.RequestId ?? "(none)";
            return new ApiAnswer(Error(HttpStatusCode.InternalServerError, $"the status API failed; its log has the cause under request {requestId}", []), routeName, route?.ConnectorId, route?.RunId, e);
        }
    }

    private async Task<(HttpApiResponse Response, string? RunId)> GetConnectorAsync(string connectorId, CancellationToken cancellationToken)
    {
        var view = await queries.GetConnectorAsync(connectorId, cancellationToken) ?? throw UnknownConnector(connectorId);
        return (Ok(HttpStatusCode.OK, JsonSerializer.Serialize(view, StatusJsonContext.Default.ConnectorView)), null);
    }

    private async Task<(HttpApiResponse Response, string? RunId)> ListRunsAsync(string connectorId, HttpApiRequest request, CancellationToken cancellationToken)
    {
        var query = QueryOf(request);
        if (query.Keys.FirstOrDefault(k => k is not ("limit" or "nextToken")) is { } unknown)
        {
            throw new ApiProblem(HttpStatusCode.BadRequest, $"unknown query parameter '{unknown}': this route takes limit and nextToken");
        }

        var limit = StatusQueries.DefaultRunsPerPage;
        if (query.TryGetValue("limit", out var limitText)
            && !(int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit is >= 1 and <= StatusQueries.MaxRunsPerPage))
        {
            throw new ApiProblem(HttpStatusCode.BadRequest, $"limit '{limitText}' must be a whole number from 1 to {StatusQueries.MaxRunsPerPage}");
        }

        RunsPageView? page;
        try
        {
            page = await queries.ListRunsAsync(connectorId, limit, query.GetValueOrDefault("nextToken"), cancellationToken);
        }
        catch (ArgumentException e) when (e.ParamName == "pageToken")
        {
            throw new ApiProblem(HttpStatusCode.BadRequest, $"nextToken is not one this API gave for connector '{connectorId}' (it must be passed back as given, with the same connector)", e);
        }

        return (Ok(HttpStatusCode.OK, JsonSerializer.Serialize(page ?? throw UnknownConnector(connectorId), StatusJsonContext.Default.RunsPageView)), null);
    }

    private async Task<(HttpApiResponse Response, string? RunId)> GetRunAsync(string connectorId, string runId, CancellationToken cancellationToken)
    {
        var view = await queries.GetRunAsync(connectorId, runId, cancellationToken)
            ?? throw new ApiProblem(HttpStatusCode.NotFound, $"run '{runId}' of connector '{connectorId}' is not known");
        return (Ok(HttpStatusCode.OK, JsonSerializer.Serialize(view, StatusJsonContext.Default.RunView)), runId);
    }

    /// <summary>
    /// Checks the body and that the connector is known and not running, then starts an execution named by a new
    /// run id. The check for a running run is the fast answer; the state machine's StartRun takes the real lock.
    /// </summary>
    private async Task<(HttpApiResponse Response, string? RunId)> StartRunAsync(string connectorId, HttpApiRequest request, CancellationToken cancellationToken)
    {
        var objects = ReadObjects(request);
        var connector = await queries.GetConnectorAsync(connectorId, cancellationToken);
        if (connector is null && connectorId != deploymentConnectorId)
        {
            throw UnknownConnector(connectorId);
        }

        string? takeOverFrom = null;
        if (connector is { LastRunStatus: RunStatus.Running, LastRunId: { } lastRunId })
        {
            if (await IsExecutionRunningAsync(lastRunId, cancellationToken))
            {
                throw new ApiProblem(HttpStatusCode.Conflict, $"connector '{connectorId}' is running run '{lastRunId}'; start another run when it has finished");
            }

            // Its workflow ended without finishing the run (a crash, a timeout, a stop): the new run takes its lock over.
            takeOverFrom = lastRunId;
        }

        var runId = StartRunStep.NewRunId(time.GetUtcNow());
        var input = JsonSerializer.Serialize(new RunExecutionInput(connectorId, runId, objects, "api", takeOverFrom), Json.RunExecutionInput);
        ExecutionStarted started;
        try
        {
            started = await stepFunctions.StartExecutionAsync(stateMachineArn, runId, input, cancellationToken);
        }
        catch (ExecutionAlreadyExistsException e)
        {
            throw new ApiProblem(HttpStatusCode.Conflict, $"a run named '{runId}' was started already; try again", e);
        }
        catch (AwsServiceException e)
        {
            throw new ApiProblem(HttpStatusCode.BadGateway, $"Step Functions did not start the run: {e.ErrorCode}: {e.ServiceMessage}", e);
        }

        var body = JsonSerializer.Serialize(new RunStartedBody(connectorId, runId, started.ExecutionArn), Json.RunStartedBody);
        var response = Ok(HttpStatusCode.Accepted, body);
        response.Headers["location"] = $"/connectors/{connectorId}/runs/{runId}";
        return (response, runId);
    }

    /// <summary>Whether the execution of run <paramref name="runId"/> (its name) still runs; one Step Functions has not is not.</summary>
    private async Task<bool> IsExecutionRunningAsync(string runId, CancellationToken cancellationToken)
    {
        try
        {
            var execution = await stepFunctions.DescribeExecutionAsync(StepFunctionsClient.ExecutionArn(stateMachineArn, runId), cancellationToken);
            return execution.Status == ExecutionDescription.Running;
        }
        catch (ExecutionDoesNotExistException)
        {
            return false;
        }
        catch (AwsServiceException e)
        {
            throw new ApiProblem(HttpStatusCode.BadGateway, $"Step Functions did not say whether run '{runId}' still runs: {e.ErrorCode}: {e.ServiceMessage}", e);
        }
    }

    /// <summary>The objects the start body names; null when there is no body or it names none (the connector's selection runs).</summary>
    private static List<string>? ReadObjects(HttpApiRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Body))
        {
            return null;
        }

        byte[] bytes;
        try
        {
            bytes = request.IsBase64Encoded ? Convert.FromBase64String(request.Body) : Encoding.UTF8.GetBytes(request.Body);
        }
        catch (FormatException)
        {
            throw new ApiProblem(HttpStatusCode.BadRequest, "the body is marked base64-encoded but is not base64");
        }

        if (bytes.Length > MaxBodyBytes)
        {
            throw new ApiProblem(HttpStatusCode.BadRequest, $"the body is {bytes.Length} bytes; this route reads at most {MaxBodyBytes}");
        }

        if (bytes.All(b => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
        {
            return null;
        }

        StartRunBody body;
        try
        {
            body = JsonSerializer.Deserialize(bytes, Json.StartRunBody)
                ?? throw new JsonException("the body is null");
        }
        catch (JsonException e)
        {
            throw new ApiProblem(HttpStatusCode.BadRequest, $"the body must be a JSON object {{\"objects\":[\"account\",…]}} (or empty): {e.Message}", e);
        }

        if (body.Objects is not { } names)
        {
            return null;
        }

        if (names.Count is 0 or > MaxObjects)
        {
            throw new ApiProblem(HttpStatusCode.BadRequest, $"objects names {names.Count} objects; name 1 to {MaxObjects}, or leave objects out to sync the connector's selection");
        }

        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] is not { Length: > 0 and <= MaxObjectNameLength } name || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                throw new ApiProblem(HttpStatusCode.BadRequest, $"objects[{i}] ({(names[i] is null ? "null" : $"'{names[i]}'")}) must be 1 to {MaxObjectNameLength} ASCII letters, digits or '_'");
            }
        }

        return [.. names.Select(name => name!)];
    }

    private static void CheckConnectorId(string connectorId)
    {
        if (connectorId.Length is 0 or > MaxConnectorIdLength || !SyncOptions.IsIdText(connectorId))
        {
            throw new ApiProblem(HttpStatusCode.BadRequest, $"connector id '{Shorten(connectorId)}' must be 1 to {MaxConnectorIdLength} ASCII letters, digits, '-' or '_'");
        }
    }

    private static void CheckRunId(string runId)
    {
        if (runId.Length is 0 or > SyncOptions.MaxRunIdLength || !SyncOptions.IsIdText(runId))
        {
            throw new ApiProblem(HttpStatusCode.BadRequest, $"run id '{Shorten(runId)}' must be 1 to {SyncOptions.MaxRunIdLength} ASCII letters, digits, '-' or '_'");
        }
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";

    private static ApiProblem UnknownConnector(string connectorId) =>
        new(HttpStatusCode.NotFound, $"connector '{connectorId}' is not known");

    /// <summary>The request's path without the stage prefix a named stage adds to <c>rawPath</c>.</summary>
    private static string PathOf(HttpApiRequest request)
    {
        var path = request.RawPath ?? request.RequestContext?.Http?.Path ?? "/";
        var stage = request.RequestContext?.Stage;
        return stage is null or "$default" || !path.StartsWith($"/{stage}/", StringComparison.Ordinal) ? path : path[(stage.Length + 1)..];
    }

    /// <summary>The query parameters: API Gateway's decoded <c>queryStringParameters</c>, else <c>rawQueryString</c> decoded here.</summary>
    private static Dictionary<string, string> QueryOf(HttpApiRequest request)
    {
        if (request.QueryStringParameters is { } parameters)
        {
            return parameters;
        }

        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in (request.RawQueryString ?? "").Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Decode(pair[(equals + 1)..]);
            // As API Gateway does: repeated parameters are joined with commas.
            query[name] = query.TryGetValue(name, out var before) ? before + "," + value : value;
        }

        return query;
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

    private static HttpApiResponse Ok(HttpStatusCode status, string body) => new((int)status, JsonHeaders(), body);

    private static HttpApiResponse Error(HttpStatusCode status, string message, Dictionary<string, string> extraHeaders)
    {
        var headers = JsonHeaders();
        foreach (var (name, value) in extraHeaders)
        {
            headers[name] = value;
        }

        return new HttpApiResponse((int)status, headers, JsonSerializer.Serialize(new ApiErrorBody(message), Json.ApiErrorBody));
    }

    private static Dictionary<string, string> JsonHeaders() => new(StringComparer.Ordinal)
    {
        ["content-type"] = "application/json; charset=utf-8",
        ["cache-control"] = "no-store",
    };

    private enum RouteKind
    {
        Connector,
        Runs,
        Run,
    }

    /// <summary>A matched route: which one, its path template, the ids in the path (percent-decoded) and the methods it takes.</summary>
    private sealed record Route(RouteKind Kind, string Template, string ConnectorId, string? RunId, string[] Methods)
    {
        public static Route? Match(string path)
        {
            var trimmed = path.StartsWith('/') ? path[1..] : path;
            trimmed = trimmed.EndsWith('/') ? trimmed[..^1] : trimmed;
            string[] segments = [.. trimmed.Split('/').Select(s => Uri.UnescapeDataString(s))];
            return segments switch
            {
                ["connectors", var id] => new Route(RouteKind.Connector, "/connectors/{id}", id, null, ["GET"]),
                ["connectors", var id, "runs"] => new Route(RouteKind.Runs, "/connectors/{id}/runs", id, null, ["GET", "POST"]),
                ["connectors", var id, "runs", var runId] => new Route(RouteKind.Run, "/connectors/{id}/runs/{runId}", id, runId, ["GET"]),
                _ => null,
            };
        }
    }

    /// <summary>A request the API answers with an error status; the message is the error body's text.</summary>
    private sealed class ApiProblem(HttpStatusCode status, string message, Exception? cause = null) : Exception(message, cause)
    {
        public HttpStatusCode Status { get; } = status;

        public Dictionary<string, string> Headers { get; } = new(StringComparer.Ordinal);
    }
}

/// <summary>The response to one request and what its log line says: the route matched, the ids in the path, and an exception behind a failure.</summary>
internal sealed record ApiAnswer(HttpApiResponse Response, string Route, string? ConnectorId, string? RunId, Exception? Failure);
