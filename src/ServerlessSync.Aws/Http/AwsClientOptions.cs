using Amazon;
using Amazon.Runtime;
using ServerlessSync.Aws.Auth;

namespace ServerlessSync.Aws.Http;

/// <summary>
/// How a client built on <see cref="AwsJsonService"/> connects: the credentials it signs with, the region,
/// an optional endpoint override (a VPC endpoint, a local test server), retries, and the clock used for
/// backoff and polling.
/// </summary>
public sealed record AwsClientOptions(AWSCredentials Credentials, RegionEndpoint Region)
{
    /// <summary>Overrides the documented regional endpoint (VPC interface endpoints, tests).</summary>
    public Uri? ServiceUrl { get; init; }

    public AwsRetryPolicy Retry { get; init; } = AwsRetryPolicy.Default;

    /// <summary>The clock for retry backoff and statement polling; tests pass a FakeTimeProvider.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// How long one HTTP attempt may take before it counts as a transient failure and is retried. It must
    /// exceed any <c>WaitTimeSeconds</c> (up to 30 s) a request asks the Data API to wait.
    /// </summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How an access error is handled: always classified (<see cref="AwsAuthException"/> with its
    /// <see cref="AuthCauses">cause</see>), and retried for a propagation delay for as long as it allows (its clock is
    /// <see cref="TimeProvider"/>). None by default; the functions' Data API client waits the documented 10 minutes.
    /// </summary>
    public AccessRetry AccessRetry { get; init; } = AccessRetry.None;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Credentials);
        ArgumentNullException.ThrowIfNull(Region);
        ArgumentNullException.ThrowIfNull(Retry);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        ArgumentNullException.ThrowIfNull(AccessRetry);
        Retry.Validate();
        if (AttemptTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"AttemptTimeout must be positive, not {AttemptTimeout}", nameof(AttemptTimeout));
        }

        if (ServiceUrl is { IsAbsoluteUri: false })
        {
            throw new ArgumentException($"ServiceUrl must be an absolute URI, not '{ServiceUrl}'", nameof(ServiceUrl));
        }
    }
}
