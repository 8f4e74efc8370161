using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using ServerlessSync.Aws.S3;
using ServerlessSync.Testing;

namespace ServerlessSync.Aws.Tests.Stack;

/// <summary>
/// S3 clients for the local s3rver at <see cref="TestStack.S3Endpoint"/>, and fresh buckets on it. The client is
/// <see cref="S3ClientFactory"/>'s for an endpoint override (as the functions make their own), signing with s3rver's
/// fixed credentials.
/// </summary>
public static class LocalS3
{
    /// <summary>A new client for the stack's s3rver. Subscribe to its <c>BeforeRequestEvent</c> to see what is sent.</summary>
    public static AmazonS3Client CreateClient() => CreateClient(TestStack.S3Endpoint);

    /// <summary>A new client configured the same way for another local S3 endpoint (a test's own HTTP server).</summary>
    public static AmazonS3Client CreateClient(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return S3ClientFactory.Create(new BasicAWSCredentials("S3RVER", "S3RVER"), RegionEndpoint.USEast1, endpoint);
    }

    /// <summary>Creates a bucket no other test uses and returns its name.</summary>
    public static async Task<string> CreateBucketAsync(IAmazonS3 s3, string prefix = "t")
    {
        ArgumentNullException.ThrowIfNull(s3);
        var name = TestStack.UniqueName(prefix.ToLowerInvariant());
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = name });
        return name;
    }
}
