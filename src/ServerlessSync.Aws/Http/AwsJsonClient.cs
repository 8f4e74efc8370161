using System.Net.Http.Headers;
using System.Text.Json;
using Amazon.Runtime;
using ServerlessSync.Aws.Auth;

namespace ServerlessSync.Aws.Http;

/// <summary>
/// Sends awsJson requests: <c>POST /</c> with <c>X-Amz-Target</c> and the exact
/// <c>application/x-amz-json-1.x</c> content type, signed by the HttpClient's SigV4 handler; retries what
/// <see cref="AwsRetryPolicy"/> allows (each attempt a new, freshly signed message over the same bytes);
/// turns error answers into exceptions through the service's error mapping.
/// </summary>
internal sealed class AwsJsonClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly AwsRetryPolicy _retry;
    private readonly TimeProvider _time;
    private readonly Func<AwsServiceError, AwsServiceException> _toException;
    private readonly MediaTypeHeaderValue _contentType;
    private readonly AccessRetry _access;

    public AwsJsonClient(AwsJsonService service, AwsClientOptions options, Func<AwsServiceError, AwsServiceException> toException)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Service = service;
        _endpoint = options.ServiceUrl ?? service.DefaultEndpoint(options.Region);
        _retry = options.Retry;
        AttemptTimeout = options.AttemptTimeout;
        _time = options.TimeProvider;
        _toException = toException;
        _access = options.AccessRetry with { Clock = options.TimeProvider };
        _contentType = new MediaTypeHeaderValue(service.ContentType);
        _http = AwsHttpClientFactory.Create(service, options.Credentials, options.Region, options.AttemptTimeout);
    }

    public AwsJsonService Service { get; }

    public TimeProvider TimeProvider => _time;

    public TimeSpan AttemptTimeout { get; }

    /// <summary>
    /// Sends one operation, retrying what <see cref="AwsRetryPolicy"/> allows; an access error (the service's, or the
    /// customer role's AssumeRole while signing) is retried for a propagation delay as <see cref="AwsClientOptions.AccessRetry"/>
    /// allows, then thrown as an <see cref="AwsAuthException"/> naming its cause and fix.
    /// </summary>
    public Task<TResponse> SendAsync<TRequest, TResponse>(AwsJsonOperation<TRequest, TResponse> operation, TRequest request, CancellationToken cancellationToken) =>
        _access.RunAsync($"{Service.ServiceName} {operation.Name}", () => SendRetryingAsync(operation, request, cancellationToken), AccessError, serverlessTarget: null, cancellationToken);

    /// <summary>The code and message of an error that may be an access error: a service's answer, or the SDK's (AssumeRole while signing).</summary>
    internal static AccessError? AccessError(Exception exception) => exception switch
    {
        AwsServiceException service => new AccessError(service.Service, service.ErrorCode, service.ServiceMessage, service.StatusCode, service.RequestId),
        AmazonServiceException sdk => new AccessError("AWS", sdk.ErrorCode ?? "", sdk.Message, sdk.StatusCode, sdk.RequestId),
        _ => null,
    };

    private async Task<TResponse> SendRetryingAsync<TRequest, TResponse>(AwsJsonOperation<TRequest, TResponse> operation, TRequest request, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(request, operation.Request);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SendOnceAsync(operation, body, cancellationToken);
            }
            catch (Exception e) when (attempt < _retry.MaxAttempts && IsRetryable(e, cancellationToken))
            {
                await Task.Delay(_retry.DelayBeforeRetry(attempt), _time, cancellationToken);
            }
        }
    }

    private async Task<TResponse> SendOnceAsync<TRequest, TResponse>(AwsJsonOperation<TRequest, TResponse> operation, byte[] body, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, _endpoint);
        message.Headers.TryAddWithoutValidation("X-Amz-Target", Service.TargetOf(operation.Name));
        message.Content = new ByteArrayContent(body);
        message.Content.Headers.ContentType = _contentType;

        using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var payload = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return JsonSerializer.Deserialize(payload.Length == 0 ? "{}"u8 : payload, operation.Response)
                ?? throw new JsonException($"{Service.ServiceName} {operation.Name} answered with a null body");
        }

        var error = AwsServiceError.Parse(
            Service.ServiceName,
            response.StatusCode,
            FirstHeader(response, AwsServiceError.ErrorTypeHeader),
            FirstHeader(response, AwsServiceError.RequestIdHeader),
            payload);
        throw _toException(error);
    }

    /// <summary>
    /// Throttling, concurrency limits, 5xx (as the exception says), dropped connections and attempt
    /// timeouts; never the caller's own cancellation, never another 4xx.
    /// </summary>
    internal static bool IsRetryable(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        AwsServiceException service => service.IsRetryable,
        HttpRequestException => true,
        IOException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private static string? FirstHeader(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public void Dispose() => _http.Dispose();
}
