using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;

namespace ServerlessSync.Aws.Http;

/// <summary>
/// An HttpClient whose every request is signed with SigV4 (AWSSDK.Core's <see cref="SigV4SigningHandler"/>) for one
/// service, over a transport that never follows redirects (a followed redirect would arrive unsigned or with a stale
/// signature), with whatever <see cref="AwsHttpPipeline"/> holds in between. The project's own AWS clients are built on
/// it, and so is the CLI's <c>serve --api</c>, which calls the IAM-authorised status API (service <c>execute-api</c>).
/// </summary>
public static class SignedHttpClient
{
    /// <summary>The signing name of API Gateway's invoke endpoints.</summary>
    public const string ExecuteApi = "execute-api";

    /// <param name="signingName">the service's SigV4 signing name (<c>redshift-data</c>, <c>execute-api</c>, …)</param>
    /// <param name="credentials">what requests are signed with</param>
    /// <param name="region">the region of the signature's scope</param>
    /// <param name="attemptTimeout">how long one request may take</param>
    public static HttpClient Create(string signingName, AWSCredentials credentials, RegionEndpoint region, TimeSpan attemptTimeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(signingName);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(region);
        var transport = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        var signing = new SigV4SigningHandler(credentials, region, signingName, AwsHttpPipeline.Wrap(transport));
        return new HttpClient(signing, disposeHandler: true) { Timeout = attemptTimeout };
    }
}
