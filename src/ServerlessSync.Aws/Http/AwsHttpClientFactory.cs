using Amazon;
using Amazon.Runtime;

namespace ServerlessSync.Aws.Http;

/// <summary>
/// Builds the HttpClient every request of one service goes through: <see cref="SignedHttpClient"/> for the service's
/// signing name. Retries live above this client, so each attempt is signed afresh.
/// </summary>
internal static class AwsHttpClientFactory
{
    public static HttpClient Create(AwsJsonService service, AWSCredentials credentials, RegionEndpoint region, TimeSpan attemptTimeout)
    {
        ArgumentNullException.ThrowIfNull(service);
        return SignedHttpClient.Create(service.SigningName, credentials, region, attemptTimeout);
    }
}
