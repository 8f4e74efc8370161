using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Core.Status;

/// <summary>
/// The status API: its routes, their checks and their JSON, over <see cref="StatusQueries"/> and an
/// <see cref="IRunStarter"/>. One implementation for every front end: the Lambda behind API Gateway's HTTP API and the
/// CLI's <c>serve</c> both hand it a <see cref="StatusApiRequest"/> and send back its <see cref="StatusApiResponse"/>.
/// <list type="table">
/// <item><term>GET /connectors/{id}</term><description>200 the connector view; 404 unknown connector</description></item>
/// <item><term>GET /connectors/{id}/runs?limit=&amp;nextToken=</term><description>200 a page of runs, newest first (limit 1..100, default 20; <c>nextToken</c> from the page before, absent on the last page); 404 unknown connector</description></item>
/// <item><term>GET /connectors/{id}/runs/{runId}</term><description>200 the run with its objects and errors; 404 unknown run</description></item>
/// <item><term>POST /connectors/{id}/checks</term><description>(with a checks store and starter) no body; 202 <c>{connectorId, requestId, latest}</c> with a <c>Location</c> of the result: starts the destination checks without waiting; 404 unknown connector (except the creatable one)</description></item>
/// <item><term>GET /connectors/{id}/checks/latest</term><description>200 the latest destination checks, each check's number, name, PASS/FAIL/WARN/SKIP, message and fix; 404 none yet</description></item>
/// <item><term>POST /connectors/{id}/runs</term><description>body optional, <c>{"objects":["account",…]}</c>; 202 <c>{connectorId, runId, executionArn}</c> with a <c>Location</c>; 409 while the connector runs another run (the starter says); 404 unknown connector (except the one the starter may create)</description></item>
/// </list>
/// Errors: 400 for a malformed request (an id of other characters than ASCII letters, digits, '-' and '_'; a bad
/// limit, token, query parameter or body), 404 for a path no route has, 405 (with <c>Allow</c>) for a method a path
/// does not take, 502 when the starter is refused, 500 for anything unexpected. Every error body is
/// <c>{"error":"…"}</c>. A route is one line of <see cref="_routes"/>: method, path template, handler.
/// </summary>
public sealed class StatusApi
{
    /// <summary>The longest connector id the API takes.</summary>
    public const int MaxConnectorIdLength = 128;

    /// <summary>The largest request body the API reads.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>The most objects one start may name.</summary>
    public const int MaxObjects = 100;

    /// <summary>The longest object name one start may give.</summary>
    public const int MaxObjectNameLength = 128;

    private readonly StatusQueries _queries;
    private readonly IRunStarter _runs;
    private readonly string? _creatableConnectorId;
    private readonly TimeProvider _time;
    private readonly ApiRoute[] _routes;
    private readonly IDestinationCheckStore? _checks;
    private readonly IChecksStarter? _checksStarter;

    /// <param name="queries">the status read model</param>
    /// <param name="runs">starts runs for <c>POST …/runs</c></param>
    /// <param name="creatableConnectorId">the connector a start may name before its first run has created it (the deployment's, the CLI home's); null: none</param>
    /// <param name="time">the clock new run ids are made from</param>
    /// <param name="checks">the latest destination checks, for <c>GET …/checks/latest</c>; with <paramref name="checksStarter"/>, the checks routes exist</param>
    /// <param name="checksStarter">starts the destination checks for <c>POST …/checks</c></param>
    public StatusApi(StatusQueries queries, IRunStarter runs, string? creatableConnectorId, TimeProvider time, IDestinationCheckStore? checks = null, IChecksStarter? checksStarter = null)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(time);
        _queries = queries;
        _runs = runs;
        _creatableConnectorId = creatableConnectorId;
        _time = time;
        _checks = checks;
        _checksStarter = checksStarter;
        ApiRoute[] checkRoutes = checks is not null && checksStarter is not null
            ? [new("POST", "/connectors/{id}/checks", StartChecksAsync), new("GET", "/connectors/{id}/checks/latest", GetLatestChecksAsync)]
            : [];
        _routes =
        [
            new("GET", "/connectors/{id}", GetConnectorAsync),
            new("GET", "/connectors/{id}/runs", ListRunsAsync),
            new("POST", "/connectors/{id}/runs", StartRunAsync),
            new("GET", "/connectors/{id}/runs/{runId}", GetRunAsync),
            .. checkRoutes,
        ];
    }

    /// <summary>The path parameters and their checks: a connector id, a run id.</summary>
    private static readonly Dictionary<string, Action<string>> PathChecks = new(StringComparer.Ordinal)
    {
        ["id"] = CheckConnectorId,
        ["runId"] = CheckRunId,
    };

    /// <summary>Answers one request; never throws (an unexpected failure is a 500, and <see cref="StatusApiAnswer.Failure"/> says what it was).</summary>
    public async Task<StatusApiAnswer> HandleAsync(StatusApiRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var method = request.Method.ToUpperInvariant();
        var match = Match(request.Path);
        var routeName = match is null ? $"{method} (no route)" : $"{method} {match.Value.Template}";
        var values = match?.Values;
        try
        {
            if (match is not { } found)
            {
                throw new ApiProblem(HttpStatusCode.NotFound, $"no route for {method} {request.Path}; the routes are {RouteList()}");
            }

            var route = _routes.FirstOrDefault(r => r.Template == found.Template && r.Method == method);
            if (route is null)
            {
                var allowed = _routes.Where(r => r.Template == found.Template).Select(r => r.Method).ToList();
                throw new ApiProblem(HttpStatusCode.MethodNotAllowed, $"{found.Template} takes {string.Join(" and ", allowed)}, not {method}")
                {
                    Headers = { ["allow"] = string.Join(", ", allowed) },
                };
            }

            foreach (var (name, value) in found.Values)
            {
                if (PathChecks.TryGetValue(name, out var check))
                {
                    check(value);
                }
            }

            var (response, runId) = await route.Handle(new ApiCall(request, found.Values), cancellationToken);
            return new StatusApiAnswer(response, routeName, values?.GetValueOrDefault("id"), runId ?? values?.GetValueOrDefault("runId"), null);
        }
        catch (ApiProblem problem)
        {
            return new StatusApiAnswer(Error(problem.Status, problem.Message, problem.Headers), routeName, values?.GetValueOrDefault("id"), values?.GetValueOrDefault("runId"), problem.InnerException);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var requestId = request.RequestId ?? "(none)";
            return new StatusApiAnswer(Error(HttpStatusCode.InternalServerError, $"the status API failed; its log has the cause under request {requestId}", []), routeName, values?.GetValueOrDefault("id"), values?.GetValueOrDefault("runId"), e);
        }
    }

    /// <summary>A 400 answer for a request its front end found malformed before routing (the wrong event format, say).</summary>
    public StatusApiAnswer Reject(StatusApiRequest request, string message)
    {
        ArgumentNullException.ThrowIfNull(request);
        var method = request.Method.ToUpperInvariant();
        var match = Match(request.Path);
        return new StatusApiAnswer(
            Error(HttpStatusCode.BadRequest, message, []),
            match is null ? $"{method} (no route)" : $"{method} {match.Value.Template}",
            match?.Values.GetValueOrDefault("id"),
            match?.Values.GetValueOrDefault("runId"),
            null);
    }

    /// <summary>A JSON error response: <c>{"error": message}</c> with <paramref name="status"/>.</summary>
    public static StatusApiResponse Error(HttpStatusCode status, string message, Dictionary<string, string> extraHeaders)
    {
        ArgumentNullException.ThrowIfNull(extraHeaders);
        var headers = JsonHeaders();
        foreach (var (name, value) in extraHeaders)
        {
            headers[name] = value;
        }

        return new StatusApiResponse((int)status, headers, JsonSerializer.Serialize(new ApiErrorBody(message), StatusApiJsonContext.Default.ApiErrorBody));
    }

    private async Task<(StatusApiResponse, string?)> GetConnectorAsync(ApiCall call, CancellationToken cancellationToken)
    {
        var view = await _queries.GetConnectorAsync(call.ConnectorId, cancellationToken) ?? throw UnknownConnector(call.ConnectorId);
        return (Ok(HttpStatusCode.OK, JsonSerializer.Serialize(view, StatusJsonContext.Default.ConnectorView)), null);
    }

    private async Task<(StatusApiResponse, string?)> ListRunsAsync(ApiCall call, CancellationToken cancellationToken)
    {
        var connectorId = call.ConnectorId;
        var query = call.Request.Query;
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
            page = await _queries.ListRunsAsync(connectorId, limit, query.GetValueOrDefault("nextToken"), cancellationToken);
        }
        catch (ArgumentException e) when (e.ParamName == "pageToken")
        {
            throw new ApiProblem(HttpStatusCode.BadRequest, $"nextToken is not one this API gave for connector '{connectorId}' (it must be passed back as given, with the same connector)", e);
        }

        return (Ok(HttpStatusCode.OK, JsonSerializer.Serialize(page ?? throw UnknownConnector(connectorId), StatusJsonContext.Default.RunsPageView)), null);
    }

    private async Task<(StatusApiResponse, string?)> GetRunAsync(ApiCall call, CancellationToken cancellationToken)
    {
        var runId = call.Values["runId"];
        var view = await _queries.GetRunAsync(call.ConnectorId, runId, cancellationToken)
            ?? throw new ApiProblem(HttpStatusCode.NotFound, $"run '{runId}' of connector '{call.ConnectorId}' is not known");
        return (Ok(HttpStatusCode.OK, JsonSerializer.Serialize(view, StatusJsonContext.Default.RunView)), runId);
    }

    /// <summary>
    /// Checks the body and that the connector is known, then has the starter start a run under a new run id. The
    /// starter's answer to a running connector is the fast one; the run itself takes the real lock.
    /// </summary>
    private async Task<(StatusApiResponse, string?)> StartRunAsync(ApiCall call, CancellationToken cancellationToken)
    {
        var connectorId = call.ConnectorId;
        var objects = ReadObjects(call.Request);
        var connector = await _queries.GetConnectorAsync(connectorId, cancellationToken);
        if (connector is null && connectorId != _creatableConnectorId)
        {
            throw UnknownConnector(connectorId);
        }

        var running = connector is { LastRunStatus: RunStatus.Running, LastRunId: { } lastRunId } ? lastRunId : null;
        var runId = StartRunStep.NewRunId(_time.GetUtcNow());
        RunStartResult result;
        try
        {
            result = await _runs.StartAsync(new RunStartRequest(connectorId, runId, objects, running), cancellationToken);
        }
        catch (RunStartRefusedException e)
        {
            throw new ApiProblem(HttpStatusCode.BadGateway, e.Message, e);
        }

        switch (result)
        {
            case RunStartConflict conflict:
                throw new ApiProblem(HttpStatusCode.Conflict, conflict.Message);
            case RunStarted started:
                var body = JsonSerializer.Serialize(new RunStartedBody(connectorId, started.RunId, started.ExecutionReference), StatusApiJsonContext.Default.RunStartedBody);
                var response = Ok(HttpStatusCode.Accepted, body);
                response.Headers["location"] = $"/connectors/{connectorId}/runs/{started.RunId}";
                return (response, started.RunId);
            default:
                throw new InvalidOperationException($"the run starter answered {result.GetType().Name}");
        }
    }

    /// <summary>
    /// Starts the connector's destination checks without waiting for them (a known connector, or the deployment's before
    /// its first run: the checks are what to run before it). 202 with where the result will be.
    /// </summary>
    private async Task<(StatusApiResponse, string?)> StartChecksAsync(ApiCall call, CancellationToken cancellationToken)
    {
        var connectorId = call.ConnectorId;
        if (!string.IsNullOrWhiteSpace(call.Request.Body))
        {
            throw new ApiProblem(HttpStatusCode.BadRequest, "this route takes no body: the checks use the deployment's destination settings");
        }

        if (connectorId != _creatableConnectorId && await _queries.GetConnectorAsync(connectorId, cancellationToken) is null)
        {
            throw UnknownConnector(connectorId);
        }

        string reference;
        try
        {
            reference = await _checksStarter!.StartChecksAsync(connectorId, cancellationToken);
        }
        catch (RunStartRefusedException e)
        {
            throw new ApiProblem(HttpStatusCode.BadGateway, e.Message, e);
        }

        var latest = $"/connectors/{connectorId}/checks/latest";
        var response = Ok(HttpStatusCode.Accepted, JsonSerializer.Serialize(new ChecksStartedBody(connectorId, reference, latest), StatusApiJsonContext.Default.ChecksStartedBody));
        response.Headers["location"] = latest;
        return (response, null);
    }

    private async Task<(StatusApiResponse, string?)> GetLatestChecksAsync(ApiCall call, CancellationToken cancellationToken)
    {
        var connectorId = call.ConnectorId;
        var run = await _checks!.GetLatestChecksAsync(connectorId, cancellationToken)
            ?? throw new ApiProblem(HttpStatusCode.NotFound, $"no destination checks have run for connector '{connectorId}' yet: POST /connectors/{connectorId}/checks runs them");
        return (Ok(HttpStatusCode.OK, JsonSerializer.Serialize(DestinationChecksView.Of(run), StatusApiJsonContext.Default.DestinationChecksView)), run.RunId);
    }

    /// <summary>The objects the start body names; null when there is no body or it names none (the connector's selection runs).</summary>
    private static List<string>? ReadObjects(StatusApiRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Body))
        {
            return null;
        }

        byte[] bytes;
        try
        {
            bytes = request.BodyIsBase64 ? Convert.FromBase64String(request.Body) : Encoding.UTF8.GetBytes(request.Body);
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
            body = JsonSerializer.Deserialize(bytes, StatusApiJsonContext.Default.StartRunBody)
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

    /// <summary>The routes as the 404 message lists them: each template once, with its methods.</summary>
    private string RouteList() => string.Join(", ", _routes
        .GroupBy(r => r.Template, StringComparer.Ordinal)
        .Select(g => $"{string.Join(" and ", g.Select(r => r.Method))} {g.Key}"));

    /// <summary>The first route template <paramref name="path"/> fits (a trailing '/' ignored), with the path's values for its parameters (percent-decoded).</summary>
    private (string Template, Dictionary<string, string> Values)? Match(string path)
    {
        var trimmed = path.StartsWith('/') ? path[1..] : path;
        trimmed = trimmed.EndsWith('/') ? trimmed[..^1] : trimmed;
        var segments = trimmed.Split('/');
        foreach (var template in _routes.Select(r => r.Template).Distinct(StringComparer.Ordinal))
        {
            var parts = template[1..].Split('/');
            if (parts.Length != segments.Length)
            {
                continue;
            }

            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            var fits = true;
            for (var i = 0; i < parts.Length && fits; i++)
            {
                var segment = Uri.UnescapeDataString(segments[i]);
                if (parts[i] is ['{', .. var name, '}'])
                {
                    values[name] = segment;
                }
                else
                {
                    fits = parts[i] == segment;
                }
            }

            if (fits)
            {
                return (template, values);
            }
        }

        return null;
    }

    private static StatusApiResponse Ok(HttpStatusCode status, string body) => new((int)status, JsonHeaders(), body);

    private static Dictionary<string, string> JsonHeaders() => new(StringComparer.Ordinal)
    {
        ["content-type"] = "application/json; charset=utf-8",
        ["cache-control"] = "no-store",
    };

    /// <summary>A request matched to a route: the request and its path values (<c>id</c> is always there).</summary>
    private sealed record ApiCall(StatusApiRequest Request, Dictionary<string, string> Values)
    {
        public string ConnectorId => Values["id"];
    }

    /// <summary>One route: a method on a path template (<c>{name}</c> segments are parameters) and the handler answering it with its response and the run it concerns.</summary>
    private sealed record ApiRoute(string Method, string Template, Func<ApiCall, CancellationToken, Task<(StatusApiResponse Response, string? RunId)>> Handle);

    /// <summary>A request the API answers with an error status; the message is the error body's text.</summary>
    private sealed class ApiProblem(HttpStatusCode status, string message, Exception? cause = null) : Exception(message, cause)
    {
        public HttpStatusCode Status { get; } = status;

        public Dictionary<string, string> Headers { get; } = new(StringComparer.Ordinal);
    }
}
