using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;

namespace ServerlessSync.Aws.Http;

/// <summary>
/// Builds the HttpClient every request of one service goes through: a transport that never follows
/// redirects (a followed redirect would arrive unsigned or with a stale signature) under AWSSDK.Core's
/// SigV4 signing handler, with whatever <see cref="AwsHttpPipeline"/> holds in between. Retries live above this
/// client, so each attempt is signed afresh.
/// </summary>
internal static class AwsHttpClientFactory
{
    public static HttpClient Create(AwsJsonService service, AWSCredentials credentials, RegionEndpoint region, TimeSpan attemptTimeout)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(region);
        var transport = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        var signing = new SigV4SigningHandler(credentials, region, service.SigningName, AwsHttpPipeline.Wrap(transport));
        return new HttpClient(signing, disposeHandler: true) { Timeout = attemptTimeout };
    }
}
