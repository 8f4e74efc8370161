using Amazon;

namespace ServerlessSync.Aws.Http;

/// <summary>
/// What a client needs to know to talk to one AWS JSON-protocol service: where it lives, how requests are
/// signed, and how operations are named on the wire. The values come from the service's API model
/// (<c>metadata</c>: endpointPrefix, signingName, targetPrefix, jsonVersion).
/// </summary>
/// <param name="ServiceName">The name used in error messages, e.g. "Redshift Data API".</param>
/// <param name="EndpointPrefix">The host prefix of the regional endpoint, e.g. <c>redshift-data</c>.</param>
/// <param name="SigningName">The SigV4 service name, e.g. <c>redshift-data</c>.</param>
/// <param name="TargetPrefix">The prefix of the <c>X-Amz-Target</c> header, e.g. <c>RedshiftData</c>.</param>
/// <param name="JsonVersion">The awsJson protocol version, <c>1.0</c> or <c>1.1</c>.</param>
public sealed record AwsJsonService(string ServiceName, string EndpointPrefix, string SigningName, string TargetPrefix, string JsonVersion)
{
    /// <summary>The exact <c>Content-Type</c> of every request (no charset parameter).</summary>
    public string ContentType => $"application/x-amz-json-{JsonVersion}";

    /// <summary>The <c>X-Amz-Target</c> header value for <paramref name="operation"/>.</summary>
    public string TargetOf(string operation) => $"{TargetPrefix}.{operation}";

    /// <summary>The documented regional endpoint: <c>https://{endpointPrefix}.{region}.{partition DNS suffix}</c>.</summary>
    public Uri DefaultEndpoint(RegionEndpoint region)
    {
        ArgumentNullException.ThrowIfNull(region);
        var suffix = string.IsNullOrEmpty(region.PartitionDnsSuffix) ? "amazonaws.com" : region.PartitionDnsSuffix;
        return new Uri($"https://{EndpointPrefix}.{region.SystemName}.{suffix}/");
    }
}
