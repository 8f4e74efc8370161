using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.S3;
using Amazon.S3.Model;
using ServerlessSync.Aws.S3;
using ServerlessSync.Testing;
using ServerlessSync.Testing.Aws;

namespace ServerlessSync.Aws.Tests.Stack;

/// <summary>
/// S3 clients for the local S3 (moto) at <see cref="TestStack.S3Endpoint"/>, and fresh buckets on it. The client is
/// <see cref="S3ClientFactory"/>'s for an endpoint override (as the functions make their own): production settings,
/// checksums and aws-chunked bodies included. moto takes any credentials.
/// </summary>
public static class LocalS3
{
    /// <summary>A new client for the stack's S3; <see cref="LocalS3Client.Wire"/> shows what it sent.</summary>
    public static LocalS3Client CreateClient() => CreateClient(TestStack.S3Endpoint);

    /// <summary>A new client configured the same way for another local S3 endpoint (a test's own HTTP server).</summary>
    public static LocalS3Client CreateClient(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return new LocalS3Client(new BasicAWSCredentials("AKIDLOCALTEST", "local-test-secret"), S3ClientFactory.Config(RegionEndpoint.USEast1, endpoint));
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

/// <summary>An S3 client with <see cref="S3ClientFactory"/>'s configuration that keeps every request as it went on the wire.</summary>
public sealed class LocalS3Client : AmazonS3Client
{
    private readonly List<WireRequest> _wire = [];

    public LocalS3Client(AWSCredentials credentials, AmazonS3Config config)
        : base(credentials, config)
    {
    }

    /// <summary>Every attempt of every request so far, signed, as sent.</summary>
    public IReadOnlyList<WireRequest> Wire
    {
        get
        {
            lock (_wire)
            {
                return [.. _wire];
            }
        }
    }

    /// <summary>The headers of every <typeparamref name="T"/> sent.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> WireHeadersOf<T>()
        where T : AmazonWebServiceRequest =>
        [.. Wire.Where(w => w.Request is T).Select(w => w.Headers)];

    protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
    {
        base.CustomizeRuntimePipeline(pipeline);
        WireTap.Install(pipeline, request =>
        {
            lock (_wire)
            {
                _wire.Add(request);
            }
        });
    }
}
