using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using ServerlessSync.Testing.Http;

namespace ServerlessSync.Testing.Zuora;

/// <summary>
/// Zuora's REST API on a <see cref="LocalEndpoint"/>, answering the forms of docs/zuora-wire.md from a
/// <see cref="FakeZuoraTenant"/>: the OAuth token, AQuA stateless export jobs and their files, describe, Data Query
/// jobs with their pre-signed-like result files, and the ZOQL query action (record counts). Every call but the token and the result file needs a valid, unexpired
/// bearer token (else 401 <c>{"message":"Authentication error"}</c>).
/// <para>Jobs move one step per <see cref="FakeZuoraOptions.PollsPerStep"/> status polls, never by time. Faults are injected
/// with the <c>Throttle…</c>/<c>Fail…</c>/<c>Expire…</c>/<c>Never…</c> methods; what arrived is in <see cref="Requests"/>,
/// <see cref="ZoqlQueries"/>, <see cref="SqlQueries"/> and the counters.</para>
/// </summary>
public sealed partial class FakeZuora : LocalEndpoint
{
    private const string JsonType = "application/json; charset=utf-8";
    private const string EntityIdsHeader = "Zuora-Entity-Ids";
    private const string DataFilePrefix = "/dq-results/";
    private const string TooManyRequests = "You have exceeded the limit of allowed requests; retry later";

    private readonly FakeZuoraTenant _tenant;
    private readonly FakeZuoraOptions _options;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);
    private readonly Queue<InjectedResponse> _injected = new();
    private readonly Queue<InjectedResponse> _statusPollFaults = new();
    private readonly List<ZuoraRequest> _requests = [];
    private TimeSpan _tokenLifetime;
    private int _tokensIssued;
    private int _jobsSubmitted;
    private int _jobsCancelled;
    private int _runningJobs;
    private int _maxRunningJobs;
    private TimeSpan? _neverCompleteLongerThan;

    private FakeZuora(FakeZuoraTenant tenant, FakeZuoraOptions options)
    {
        _tenant = tenant;
        _options = options;
        _tokenLifetime = options.TokenLifetime;
    }

    /// <summary>The tenant the fake answers from.</summary>
    public FakeZuoraTenant Tenant => _tenant;

    /// <summary>The options the fake was started with.</summary>
    public FakeZuoraOptions Options => _options;

    /// <summary>Every request so far, in order of arrival.</summary>
    public IReadOnlyList<ZuoraRequest> Requests => Locked(() => _requests.ToList());

    /// <summary>How many tokens the token endpoint issued.</summary>
    public int TokensIssued => Locked(() => _tokensIssued);

    /// <summary>How many AQuA and Data Query jobs were accepted (a submit answered with an error body is not counted).</summary>
    public int JobsSubmitted => Locked(() => _jobsSubmitted);

    /// <summary>How many AQuA and Data Query jobs were cancelled while running.</summary>
    public int JobsCancelled => Locked(() => _jobsCancelled);

    /// <summary>The most jobs (AQuA and Data Query) that were running — accepted but not ended — at one moment.</summary>
    public int MaxConcurrentJobs => Locked(() => _maxRunningJobs);

    /// <summary>How many jobs are running now.</summary>
    public int RunningJobs => Locked(() => _runningJobs);

    public static Task<FakeZuora> StartAsync(FakeZuoraTenant tenant, FakeZuoraOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        options ??= new FakeZuoraOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PollsPerStep, 1);
        return StartAsync(new FakeZuora(tenant, options));
    }

    /// <summary>Every token issued so far is expired now: the next call with one gets 401.</summary>
    public void ExpireTokens() => Locked(() =>
    {
        foreach (var token in _tokens.Keys.ToList())
        {
            _tokens[token] = DateTimeOffset.MinValue;
        }
    });

    /// <summary>Tokens issued from now on live <paramref name="lifetime"/> (their <c>expires_in</c>).</summary>
    public void SetTokenLifetime(TimeSpan lifetime) => Locked(() => _tokenLifetime = lifetime);

    /// <summary>The next <paramref name="count"/> API calls answer 429 with <c>Retry-After: seconds</c>.</summary>
    public void ThrottleNext(int count, TimeSpan retryAfter) =>
        Inject(count, 429, TooManyRequests, ("Retry-After", Seconds(retryAfter)));

    /// <summary>The next <paramref name="count"/> API calls answer 429 with <c>RateLimit-Limit</c>, <c>RateLimit-Remaining: 0</c> and <c>RateLimit-Reset</c> (seconds).</summary>
    public void ThrottleNextWithRateLimit(int count, int limit, TimeSpan reset) =>
        Inject(count, 429, TooManyRequests,
            ("RateLimit-Limit", limit.ToString(CultureInfo.InvariantCulture)), ("RateLimit-Remaining", "0"), ("RateLimit-Reset", Seconds(reset)));

    /// <summary>The next <paramref name="count"/> API calls answer <paramref name="status"/> (503 unless given) with a JSON message.</summary>
    public void FailNext(int count, int status = 503) =>
        Inject(count, status, $"the fake Zuora answers {status} as a test asked");

    /// <summary>The next <paramref name="count"/> job status polls (AQuA or Data Query GET of a job) answer <paramref name="status"/> with a JSON message.</summary>
    public void FailNextStatusPolls(int count, int status = 503)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Locked(() =>
        {
            for (var i = 0; i < count; i++)
            {
                _statusPollFaults.Enqueue(new InjectedResponse(status, [], Message($"the fake Zuora answers {status} as a test asked")));
            }
        });
    }

    /// <summary>The next job status poll answers HTTP 200 with Zuora's REST error body <c>{"success":false,"reasons":[{code,message}]}</c>.</summary>
    public void RefuseNextStatusPoll(string code, string message) => Locked(() => _statusPollFaults.Enqueue(new InjectedResponse(200, [], new JsonObject
    {
        ["success"] = false,
        ["reasons"] = new JsonArray(new JsonObject { ["code"] = code, ["message"] = message }),
    })));

    /// <summary>AQuA and Data Query jobs whose UpdatedDate window is longer than <paramref name="span"/> never complete (they stay running until cancelled); null lifts this.</summary>
    public void NeverCompleteWindowsLongerThan(TimeSpan? span) => Locked(() => _neverCompleteLongerThan = span);

    protected override async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync();
        }

        var authorization = request.Headers.Authorization.ToString();
        var bearer = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
        var idempotencyKey = request.Headers.TryGetValue("Idempotency-Key", out var key) ? key.ToString() : null;
        var entityIds = request.Headers.TryGetValue(EntityIdsHeader, out var entities) ? entities.ToString() : null;
        Locked(() => _requests.Add(new ZuoraRequest(request.Method, path, request.QueryString.Value ?? "", body, bearer is not null, idempotencyKey, entityIds)));

        if (HttpMethods.IsPost(request.Method) && path == "/oauth/token")
        {
            await TokenAsync(context, body);
            return;
        }

        if (HttpMethods.IsGet(request.Method) && path.StartsWith(DataFilePrefix, StringComparison.Ordinal))
        {
            await DataFileAsync(context, path[DataFilePrefix.Length..]);
            return;
        }

        var statusPoll = HttpMethods.IsGet(request.Method) && (path.StartsWith("/v1/batch-query/jobs/", StringComparison.Ordinal) || path.StartsWith("/query/jobs/", StringComparison.Ordinal));
        if (Locked(() => statusPoll && _statusPollFaults.TryDequeue(out var pollFault) ? pollFault : _injected.TryDequeue(out var injected) ? injected : null) is { } fault)
        {
            foreach (var (name, value) in fault.Headers)
            {
                context.Response.Headers[name] = value;
            }

            await WriteJsonAsync(context, fault.Status, fault.Body);
            return;
        }

        if (bearer is null || !Locked(() => _tokens.TryGetValue(bearer, out var expires) && expires > Now))
        {
            await WriteJsonAsync(context, 401, Message("Authentication error"));
            return;
        }

        if (_options.EntityId is { } entity && entityIds != entity)
        {
            await WriteJsonAsync(context, 400, new JsonObject
            {
                ["success"] = false,
                ["reasons"] = new JsonArray(new JsonObject
                {
                    ["code"] = "90000011",
                    ["message"] = $"The OAuth client has access to several entities: give the entity in the {EntityIdsHeader} header",
                }),
            });
            return;
        }

        await RouteAsync(context, path, body);
    }

    private Task RouteAsync(HttpContext context, string path, string body)
    {
        var method = context.Request.Method;
        var segments = path.Trim('/').Split('/');
        return (method, segments) switch
        {
            ("POST", ["v1", "batch-query"]) => SubmitAquaAsync(context, body),
            ("GET", ["v1", "batch-query", "jobs", var id]) => AquaStatusAsync(context, id),
            ("DELETE", ["v1", "batch-query", "jobs", var id]) => CancelAquaAsync(context, id),
            ("GET", ["v1", "files", var fileId]) => FileAsync(context, fileId),
            ("GET", ["v1", "describe", var objectName]) => DescribeAsync(context, objectName),
            ("POST", ["v1", "action", "query"]) => ActionQueryAsync(context, body),
            ("POST", ["query", "jobs"]) => SubmitDataQueryAsync(context, body),
            ("GET", ["query", "jobs", var id]) => DataQueryStatusAsync(context, id),
            ("DELETE", ["query", "jobs", var id]) => CancelDataQueryAsync(context, id),
            _ => WriteJsonAsync(context, 404, Message($"the fake Zuora does not serve {method} {path}")),
        };
    }

    private Task TokenAsync(HttpContext context, string body)
    {
        if (!context.Request.HasFormContentType)
        {
            return WriteJsonAsync(context, 400, OAuthError("invalid_request", "the token request must be application/x-www-form-urlencoded"));
        }

        var form = QueryHelpers.ParseQuery(body);
        if (form["grant_type"].ToString() != "client_credentials")
        {
            return WriteJsonAsync(context, 400, OAuthError("unsupported_grant_type", "grant_type must be client_credentials"));
        }

        if (form["client_id"].ToString() != _options.ClientId || form["client_secret"].ToString() != _options.ClientSecret)
        {
            return WriteJsonAsync(context, 401, OAuthError("invalid_client", "Bad client credentials"));
        }

        var token = NewHexId();
        var lifetime = Locked(() =>
        {
            _tokens[token] = Now + _tokenLifetime;
            _tokensIssued++;
            return _tokenLifetime;
        });
        return WriteJsonAsync(context, 200, new JsonObject
        {
            ["access_token"] = token,
            ["token_type"] = "bearer",
            ["expires_in"] = (long)lifetime.TotalSeconds,
            ["scope"] = "entity.fake platform.read platform.write",
            ["jti"] = token,
        });
    }

    private DateTimeOffset Now => _options.TimeProvider.GetUtcNow();

    /// <summary>Counts a job accepted and running. Call under the gate.</summary>
    private void JobStarted()
    {
        _jobsSubmitted++;
        _runningJobs++;
        _maxRunningJobs = Math.Max(_maxRunningJobs, _runningJobs);
    }

    /// <summary>Whether a job over <paramref name="window"/> submitted at <paramref name="submitted"/> must never complete. Call under the gate.</summary>
    private bool NeverCompletes(ZuoraWindow window, DateTimeOffset submitted) =>
        _neverCompleteLongerThan is { } span && (window.To ?? submitted) - (window.From ?? _options.HistoricalFloor) > span;

    /// <summary>Whether a job submitted at <paramref name="submitted"/> is still inside <see cref="FakeZuoraOptions.JobDuration"/>. Call under the gate.</summary>
    private bool StillRunning(DateTimeOffset submitted, string? objectName = null) =>
        (objectName is not null && _options.JobDurationPerObject?.FirstOrDefault(d => string.Equals(d.Key, objectName, StringComparison.OrdinalIgnoreCase)) is { Key: not null } own
            ? own.Value
            : _options.JobDuration) is { } duration && Now < submitted + duration;

    /// <summary>Whether one more status poll moves a job with <paramref name="polls"/> polls since its last step. Call under the gate.</summary>
    private bool StepDue(ref int polls)
    {
        if (++polls < _options.PollsPerStep)
        {
            return false;
        }

        polls = 0;
        return true;
    }

    private void Inject(int count, int status, string message, params (string Name, string Value)[] headers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Locked(() =>
        {
            for (var i = 0; i < count; i++)
            {
                _injected.Enqueue(new InjectedResponse(status, headers, Message(message)));
            }
        });
    }

    private T Locked<T>(Func<T> read)
    {
        lock (_gate)
        {
            return read();
        }
    }

    private void Locked(Action change)
    {
        lock (_gate)
        {
            change();
        }
    }

    private static string Seconds(TimeSpan span) => ((long)Math.Ceiling(span.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private static string NewHexId() => RandomNumberGenerator.GetHexString(32, lowercase: true);

    /// <summary>The body parsed as a JSON object, or null when it is not one.</summary>
    private static JsonElement? JsonObjectOf(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonObject Message(string message) => new() { ["message"] = message };

    private static JsonObject OAuthError(string error, string description) => new() { ["error"] = error, ["error_description"] = description };

    private static Task WriteJsonAsync(HttpContext context, int status, JsonNode body) =>
        AwsJson.WriteAsync(context, JsonType, status, body.ToJsonString());

    private sealed record InjectedResponse(int Status, IReadOnlyList<(string Name, string Value)> Headers, JsonNode Body);
}
