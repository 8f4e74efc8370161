using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.S3;
using Amazon.S3.Model;

namespace ServerlessSync.Aws.Tests.Stack;

/// <summary>
/// S3 clients for the local s3rver at <see cref="TestStack.S3Endpoint"/>, and fresh buckets on it. The client
/// carries what s3rver needs from the v4 SDK: its fixed credentials, path-style addressing, checksums only
/// where an operation requires them, and no <c>aws-chunked</c> bodies on any request (PutObject, UploadPart,
/// TransferUtility's parts), which s3rver would otherwise store framing and all. Real S3 needs none of this.
/// </summary>
public static class LocalS3
{
    /// <summary>A new client for the stack's s3rver. Subscribe to its <c>BeforeRequestEvent</c> to see what is sent.</summary>
    public static AmazonS3Client CreateClient() => CreateClient(TestStack.S3Endpoint);

    /// <summary>A new client configured the same way for another local S3 endpoint (a test's own HTTP server).</summary>
    public static AmazonS3Client CreateClient(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var config = new AmazonS3Config
        {
            ServiceURL = endpoint.ToString(),
            AuthenticationRegion = "us-east-1",
            ForcePathStyle = true,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        return new S3rverClient(config);
    }

    /// <summary>Creates a bucket no other test uses and returns its name.</summary>
    public static async Task<string> CreateBucketAsync(IAmazonS3 s3, string prefix = "t")
    {
        ArgumentNullException.ThrowIfNull(s3);
        var name = TestStack.UniqueName(prefix.ToLowerInvariant());
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = name });
        return name;
    }

    private sealed class S3rverClient(AmazonS3Config config) : AmazonS3Client(new BasicAWSCredentials("S3RVER", "S3RVER"), config)
    {
        protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
        {
            base.CustomizeRuntimePipeline(pipeline);

            // Just before signing: the signer is what frames the body as aws-chunked.
            pipeline.AddHandlerBefore<Signer>(new NoChunkEncoding());
        }
    }

    private sealed class NoChunkEncoding : PipelineHandler
    {
        public override void InvokeSync(IExecutionContext executionContext)
        {
            executionContext.RequestContext.Request.UseChunkEncoding = false;
            base.InvokeSync(executionContext);
        }

        public override Task<T> InvokeAsync<T>(IExecutionContext executionContext)
        {
            executionContext.RequestContext.Request.UseChunkEncoding = false;
            return base.InvokeAsync<T>(executionContext);
        }
    }
}
