using System.Net;
using System.Net.Http.Headers;
using Amazon;
using Amazon.Runtime;
using ServerlessSync.Aws.Http;

namespace ServerlessSync.Aws.Lambda;

/// <summary>
/// Lambda's Invoke as an asynchronous invocation: <c>POST /2015-03-31/functions/{FunctionName}/invocations</c> with
/// <c>X-Amz-Invocation-Type: Event</c>, signed for <c>lambda</c>. Lambda queues the event and answers 202 at once (it
/// retries a failed invocation twice itself); any other answer is an <see cref="AwsServiceException"/> with Lambda's error
/// type and message.
/// </summary>
public sealed class LambdaEventInvoker : IDisposable
{
    private static readonly AwsJsonService Lambda = new("AWS Lambda", "lambda", "lambda", "", "1.1");
    private readonly HttpClient _http;
    private readonly Uri _endpoint;

    /// <param name="credentials">what the request is signed with</param>
    /// <param name="region">Lambda's region</param>
    /// <param name="endpoint">a local endpoint in place of Lambda's regional one (tests); null: AWS's</param>
    public LambdaEventInvoker(AWSCredentials credentials, RegionEndpoint region, Uri? endpoint)
    {
        _http = AwsHttpClientFactory.Create(Lambda, credentials, region, TimeSpan.FromSeconds(30));
        _endpoint = endpoint ?? Lambda.DefaultEndpoint(region);
    }

    /// <summary>Queues one invocation of <paramref name="functionName"/> (name or ARN) with <paramref name="payload"/> (JSON).</summary>
    public async Task InvokeAsync(string functionName, string payload, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(functionName);
        ArgumentNullException.ThrowIfNull(payload);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_endpoint, $"2015-03-31/functions/{Uri.EscapeDataString(functionName)}/invocations"));
        request.Headers.TryAddWithoutValidation("X-Amz-Invocation-Type", "Event");
        request.Content = new StringContent(payload);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _http.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            return;
        }

        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var error = AwsServiceError.Parse(Lambda.ServiceName, response.StatusCode, Header(response, AwsServiceError.ErrorTypeHeader), Header(response, AwsServiceError.RequestIdHeader), body);
        throw new AwsServiceException(error);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public void Dispose() => _http.Dispose();
}
