using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace ServerlessSync.Aws.S3;

/// <summary>
/// S3 clients for AWS or for an endpoint override (a VPC endpoint, moto in tests). Both get the SDK's defaults for
/// checksums and request bodies (CRC32 on every upload, <c>aws-chunked</c> bodies with trailing checksums), so the
/// tests send exactly what production sends. An override only adds what addressing another host needs: the URL,
/// path-style buckets, and the region for signing.
/// </summary>
public static class S3ClientFactory
{
    /// <summary>A client signing with <paramref name="credentials"/> in <paramref name="region"/>; <paramref name="endpoint"/> null = AWS itself.</summary>
    public static AmazonS3Client Create(AWSCredentials credentials, RegionEndpoint region, Uri? endpoint)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(region);
        return new AmazonS3Client(credentials, Config(region, endpoint));
    }

    /// <summary>The configuration <see cref="Create"/> uses.</summary>
    public static AmazonS3Config Config(RegionEndpoint region, Uri? endpoint)
    {
        ArgumentNullException.ThrowIfNull(region);
        return endpoint is null
            ? new AmazonS3Config { RegionEndpoint = region }
            : new AmazonS3Config { ServiceURL = endpoint.ToString(), AuthenticationRegion = region.SystemName, ForcePathStyle = true };
    }
}
