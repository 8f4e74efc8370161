using System.Net;
using System.Text;
using Amazon;
using Amazon.Runtime;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using ServerlessSync.Aws.Http;
using ServerlessSync.Core.Status;

namespace ServerlessSync.Cli.Serve;

/// <summary>
/// <c>serve --api URL</c>: the page's API calls go on to the deployed stack's IAM-authorised HTTP API, each signed with
/// SigV4 for <c>execute-api</c> (<see cref="SignedHttpClient"/>, AWSSDK.Core's signer) with the caller's credentials.
/// Method, path, query and body go as they came; status, body and the <c>Location</c> and <c>Allow</c> headers come
/// back as the API sent them. A call that does not reach the API is a 502 with one line saying why.
/// </summary>
internal sealed class ApiProxy(Uri baseUrl, AWSCredentials credentials, RegionEndpoint region) : IDisposable
{
    private static readonly string[] PassedBack = ["location", "allow", "cache-control"];

    private readonly HttpClient _client = SignedHttpClient.Create(SignedHttpClient.ExecuteApi, credentials, region, TimeSpan.FromSeconds(30));

    /// <summary>The region of an API Gateway address (<c>{id}.execute-api.{region}.amazonaws.com</c>); null for another host.</summary>
    public static string? RegionOf(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var labels = url.Host.Split('.');
        return labels.Length >= 5 && labels[1] == "execute-api" ? labels[2] : null;
    }

    public async Task HandleAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var target = http.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        var url = new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + target);
        using var request = new HttpRequestMessage(new HttpMethod(http.Request.Method), url);
        var body = await StatusServer.ReadBodyAsync(http.Request, StatusApi.MaxBodyBytes + 1, http.RequestAborted);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, http.RequestAborted);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or AmazonClientException)
        {
            await StatusServer.WriteAsync(http, StatusApi.Error(HttpStatusCode.BadGateway, $"the status API at {baseUrl} did not answer: {CliApp.OneLine(e.Message)}; check the URL, your network and your AWS credentials", []));
            return;
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(http.RequestAborted);
            if ((int)response.StatusCode is 401 or 403 && !text.Contains("\"error\"", StringComparison.Ordinal))
            {
                // API Gateway's own refusal ({"message": "..."}): said in the API's error form, with what to do.
                await StatusServer.WriteAsync(http, StatusApi.Error(response.StatusCode, $"the status API refused the signed request ({(int)response.StatusCode}: {CliApp.OneLine(text)}); the credentials need execute-api:Invoke on it", []));
                return;
            }

            http.Response.StatusCode = (int)response.StatusCode;
            http.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "application/json; charset=utf-8";
            foreach (var name in PassedBack)
            {
                if (response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values))
                {
                    http.Response.Headers[name] = string.Join(", ", values);
                }
            }

            await http.Response.WriteAsync(text, Encoding.UTF8, http.RequestAborted);
        }
    }

    public void Dispose() => _client.Dispose();
}
