using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ServerlessSync.Zuora.Http;

/// <summary>What a request needs from the executor.</summary>
internal enum RequestKind
{
    /// <summary><c>POST /oauth/token</c>: no bearer header; 400/401 mean the credentials were refused.</summary>
    Token,
    /// <summary>A REST call with the bearer token.</summary>
    Api,
    /// <summary><c>GET /v1/files/{id}</c>: bearer token; a 404 is transient (the file may not be there yet).</summary>
    File,
    /// <summary>A pre-signed URL (Data Query result): no bearer header (S3 refuses two auth mechanisms); a 404 is transient.</summary>
    Presigned,
}

/// <summary>
/// Sends requests to one Zuora tenant: adds the bearer token (cached, refreshed before it expires, refreshed once on a
/// 401), waits out 429s (<c>Retry-After</c>, <c>RateLimit-Reset</c>, else backoff), repeats 5xx and connection failures
/// with backoff up to <see cref="ZuoraOptions.MaxAttempts"/> attempts, and sends <c>Zuora-Entity-Ids</c> on every call to
/// Zuora when the credentials name an entity. Every wait goes through the <see cref="TimeProvider"/>.
/// Neither the token nor the secret ever reaches a log line or an exception message.
/// </summary>
internal sealed class ZuoraHttp : IDisposable
{
    /// <summary>A request is repeated after at most this many 429s; then the call fails.</summary>
    public const int MaxRateLimitedRepeats = 20;

    /// <summary>The largest file <c>GET /v1/files/{id}</c> serves; a larger one answers 403 <c>max-object-size</c>.</summary>
    public const string MaxFileMegabytes = "2,047";

    /// <summary>The header naming the entity of a multi-entity tenant (Zuora's API reference, every operation).</summary>
    public const string EntityIdsHeader = "Zuora-Entity-Ids";

    private const int ErrorBodyLimit = 8192;
    private static readonly TimeSpan MaxRefreshMargin = TimeSpan.FromMinutes(5);

    private readonly HttpClient _client;
    private readonly ZuoraOptions _options;
    private readonly ZuoraCredentials _credentials;
    private readonly TimeProvider _time;
    private readonly Action<string> _log;
    private readonly Func<double> _jitter;
    private readonly SemaphoreSlim _tokenLock = new(1, 1);
    private readonly Uri _base;
    private AccessToken? _token;

    public ZuoraHttp(ZuoraOptions options, ZuoraCredentials credentials, TimeProvider time, HttpMessageHandler? transport, Action<string>? log, Func<double>? jitter = null)
    {
        _options = options;
        _credentials = credentials;
        _time = time;
        _log = log ?? (_ => { });
        _jitter = jitter ?? Random.Shared.NextDouble;
        // Zuora compresses answers for Accept-Encoding: gzip; export files shrink several times on the wire.
        var handler = transport ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AutomaticDecompression = DecompressionMethods.GZip };
        _client = new HttpClient(handler, disposeHandler: transport is null)
        {
            Timeout = options.RequestTimeout,
        };
        var text = options.BaseUrl.ToString();
        _base = new Uri(text.EndsWith('/') ? text : text + "/");
    }

    public Uri BaseUrl => _base;

    /// <summary>How many times a request has been sent, repeats included (tests).</summary>
    internal int RequestsSent => _requestsSent;

    private int _requestsSent;

    public Uri Resolve(string relativePath) => new(_base, relativePath.TrimStart('/'));

    /// <summary>
    /// Sends a JSON request (or none) and returns the JSON body of the 2xx answer. A POST carries one
    /// <c>Idempotency-Key</c> for all its attempts, so a submit repeated after a lost answer does not start a second job.
    /// </summary>
    public async Task<JsonElement> SendJsonAsync(string call, HttpMethod method, string relativePath, string? jsonBody, CancellationToken cancellationToken)
    {
        var url = Resolve(relativePath);
        var idempotencyKey = method == HttpMethod.Post ? Guid.NewGuid().ToString("N") : null;
        using var response = await SendAsync(call, () => JsonRequest(method, url, jsonBody, idempotencyKey), RequestKind.Api, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        try
        {
            using var document = await JsonDocument.ParseAsync(stream, default, cancellationToken);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ZuoraApiException($"Zuora {call}: HTTP {(int)response.StatusCode} answer is not JSON ({e.Message})", response.StatusCode, null, e);
        }
    }

    /// <summary>
    /// Sends the request <paramref name="build"/> makes (a new one per attempt) and returns the 2xx response with only its
    /// headers read; the caller disposes it. Throws <see cref="ZuoraApiException"/> for a refusal or when attempts run out.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(string call, Func<HttpRequestMessage> build, RequestKind kind, CancellationToken cancellationToken)
    {
        var failures = 0;
        var rateLimited = 0;
        var reauthenticated = false;
        while (true)
        {
            string? tokenUsed = null;
            HttpResponseMessage response;
            using (var request = build())
            {
                if (kind is RequestKind.Api or RequestKind.File)
                {
                    tokenUsed = await GetTokenAsync(null, cancellationToken);
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokenUsed);
                }

                // A multi-entity tenant needs the entity on every call to Zuora; a pre-signed URL is S3's, not Zuora's.
                if (kind != RequestKind.Presigned && _credentials.EntityIds is { } entityIds)
                {
                    request.Headers.TryAddWithoutValidation(EntityIdsHeader, entityIds);
                }

                try
                {
                    Interlocked.Increment(ref _requestsSent);
                    // JSON, describe and token answers are read whole within RequestTimeout (a stalled body is a timeout,
                    // repeated like a connection failure); files stream, each read within RequestTimeout (OpenBodyAsync).
                    var completion = kind is RequestKind.Token or RequestKind.Api ? HttpCompletionOption.ResponseContentRead : HttpCompletionOption.ResponseHeadersRead;
                    response = await _client.SendAsync(request, completion, cancellationToken);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    failures++;
                    var reason = e is TaskCanceledException ? $"no answer within {_options.RequestTimeout.TotalSeconds:0} s" : e.Message;
                    if (failures >= _options.MaxAttempts)
                    {
                        var host = (request.RequestUri ?? _base).GetLeftPart(UriPartial.Authority);
                        throw new ZuoraApiException($"Zuora {call}: cannot reach {host}: {reason} ({failures} attempts)", null, null, e);
                    }

                    await WaitAsync(call, RetryDelays.Backoff(failures, _jitter()), reason, cancellationToken);
                    continue;
                }
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                var status = response.StatusCode;
                if (status == HttpStatusCode.Unauthorized && tokenUsed is not null && !reauthenticated)
                {
                    reauthenticated = true;
                    _log($"Zuora {call}: HTTP 401, requesting a new token and repeating once");
                    await GetTokenAsync(tokenUsed, cancellationToken);
                    continue;
                }

                if (status == HttpStatusCode.TooManyRequests && rateLimited < MaxRateLimitedRepeats)
                {
                    rateLimited++;
                    var asked = RetryDelays.FromRateLimitHeaders(response.Headers, _time.GetUtcNow());
                    if (asked is { TooLong: true } tooLong)
                    {
                        throw new ZuoraApiException($"Zuora {call}: HTTP 429 rate limited and Zuora asks to wait longer than {RetryDelays.MaxRateLimitWait.TotalMinutes:0} minutes ({tooLong.AskedBy}); not waiting", status);
                    }

                    await WaitAsync(call, asked?.Wait ?? RetryDelays.Backoff(rateLimited, _jitter()), "HTTP 429 rate limited", cancellationToken);
                    continue;
                }

                var transient = status is HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout
                    || (status == HttpStatusCode.NotFound && kind is RequestKind.File or RequestKind.Presigned);
                if (transient && ++failures < _options.MaxAttempts)
                {
                    await WaitAsync(call, RetryDelays.Backoff(failures, _jitter()), $"HTTP {(int)status}", cancellationToken);
                    continue;
                }

                throw await RefusalAsync(call, response, kind, transient ? failures : 1, cancellationToken);
            }
        }
    }

    /// <summary>
    /// The body of a file or pre-signed download <paramref name="response"/> from <see cref="SendAsync"/>: a read that
    /// gets nothing within <see cref="ZuoraOptions.RequestTimeout"/> fails with a <see cref="ZuoraApiException"/> naming
    /// <paramref name="call"/>. The idle timer runs on the system clock, not the injected one: a stalled socket stalls in
    /// real time, and test clocks fire every timer at once (which would end each read before its data arrives).
    /// </summary>
    public async Task<Stream> OpenBodyAsync(HttpResponseMessage response, string call, CancellationToken cancellationToken) =>
        new IdleTimeoutStream(await response.Content.ReadAsStreamAsync(cancellationToken), _options.RequestTimeout, TimeProvider.System, $"Zuora {call}");

    /// <summary>
    /// The cached token, or a new one when there is none, it is about to expire, or it is <paramref name="rejected"/>
    /// (a 401 came back for it; a token another request already replaced is not fetched again).
    /// </summary>
    public async Task<string> GetTokenAsync(string? rejected, CancellationToken cancellationToken)
    {
        var current = _token;
        if (current is not null && current.Value != rejected && _time.GetUtcNow() < current.RefreshAt)
        {
            return current.Value;
        }

        await _tokenLock.WaitAsync(cancellationToken);
        try
        {
            current = _token;
            if (current is not null && current.Value != rejected && _time.GetUtcNow() < current.RefreshAt)
            {
                return current.Value;
            }

            _token = await RequestTokenAsync(cancellationToken);
            return _token.Value;
        }
        finally
        {
            _tokenLock.Release();
        }
    }

    public void Dispose()
    {
        _client.Dispose();
        _tokenLock.Dispose();
    }

    private async Task<AccessToken> RequestTokenAsync(CancellationToken cancellationToken)
    {
        var url = Resolve("oauth/token");
        using var response = await SendAsync("token request (POST /oauth/token)", () => new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new FormUrlEncodedContent(
            [
                new("client_id", _credentials.ClientId),
                new("client_secret", _credentials.ClientSecret),
                new("grant_type", "client_credentials"),
            ]),
        }, RequestKind.Token, cancellationToken);
        var requestedAt = _time.GetUtcNow();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        string? value = null;
        var life = TimeSpan.FromHours(1);
        try
        {
            using var document = await JsonDocument.ParseAsync(stream, default, cancellationToken);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("access_token", out var token) && token.ValueKind == JsonValueKind.String)
            {
                value = token.GetString();
            }

            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("expires_in", out var expires) && expires.TryGetDouble(out var seconds) && seconds > 0)
            {
                life = TimeSpan.FromSeconds(seconds);
            }
        }
        catch (JsonException)
        {
            value = null;
        }

        if (string.IsNullOrEmpty(value))
        {
            throw new ZuoraApiException($"Zuora token request: HTTP {(int)response.StatusCode} answer has no access_token", response.StatusCode);
        }

        var margin = TimeSpan.FromTicks(Math.Min(MaxRefreshMargin.Ticks, life.Ticks / 10));
        _log($"Zuora: new access token, valid {life.TotalSeconds:0} s");
        return new AccessToken(value, requestedAt + life - margin);
    }

    private async Task WaitAsync(string call, TimeSpan wait, string reason, CancellationToken cancellationToken)
    {
        _log($"Zuora {call}: {reason}; repeating in {wait.TotalSeconds:0.###} s");
        await Task.Delay(wait, _time, cancellationToken);
    }

    private static async Task<ZuoraApiException> RefusalAsync(string call, HttpResponseMessage response, RequestKind kind, int attempts, CancellationToken cancellationToken)
    {
        var body = await ReadLimitedAsync(response.Content, cancellationToken);
        var error = kind == RequestKind.Presigned ? ZuoraError.FromS3Xml(body) : ZuoraError.FromText(body);
        var status = (int)response.StatusCode;
        var tries = attempts > 1 ? $" after {attempts} attempts" : "";
        if (kind == RequestKind.File && response.StatusCode == HttpStatusCode.Forbidden && body.Contains("max-object-size", StringComparison.OrdinalIgnoreCase))
        {
            return new ZuoraFileTooLargeException($"Zuora {call}: HTTP 403: the result file is over Zuora's {MaxFileMegabytes} MB download limit (max-object-size)");
        }

        if (kind == RequestKind.Token && response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest or HttpStatusCode.Forbidden)
        {
            return new ZuoraAuthenticationException($"Zuora {call}: HTTP {status}{tries}: the client ID or secret was refused ({error})", response.StatusCode, error.Code);
        }

        return new ZuoraApiException($"Zuora {call}: HTTP {status} {response.ReasonPhrase}{tries}: {error}", response.StatusCode, error.Code);
    }

    private static async Task<string> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[ErrorBodyLimit];
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0)
        {
            filled += read;
        }

        return Encoding.UTF8.GetString(buffer, 0, filled);
    }

    private static HttpRequestMessage JsonRequest(HttpMethod method, Uri url, string? jsonBody, string? idempotencyKey)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        if (jsonBody is not null)
        {
            request.Content = new StringContent(jsonBody, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        return request;
    }

    private sealed record AccessToken(string Value, DateTimeOffset RefreshAt)
    {
        public override string ToString() => $"AccessToken {{ RefreshAt = {RefreshAt:O} }}";
    }
}
