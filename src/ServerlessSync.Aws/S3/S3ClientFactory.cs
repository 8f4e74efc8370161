using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.S3;

namespace ServerlessSync.Aws.S3;

/// <summary>
/// S3 clients for AWS or for an endpoint override. AWS gets the SDK's defaults. An endpoint override (s3rver in
/// tests) gets what such a server needs from the v4 SDK: path-style addressing, the region only for signing,
/// checksums only where an operation requires them, and no <c>aws-chunked</c> request bodies on any request
/// (PutObject, UploadPart, TransferUtility's parts), which s3rver would otherwise store framing and all.
/// </summary>
public static class S3ClientFactory
{
    /// <summary>A client signing with <paramref name="credentials"/> in <paramref name="region"/>; <paramref name="endpoint"/> null = AWS itself.</summary>
    public static AmazonS3Client Create(AWSCredentials credentials, RegionEndpoint region, Uri? endpoint)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(region);
        return endpoint is null
            ? new AmazonS3Client(credentials, new AmazonS3Config { RegionEndpoint = region })
            : new EndpointOverrideClient(credentials, new AmazonS3Config
            {
                ServiceURL = endpoint.ToString(),
                AuthenticationRegion = region.SystemName,
                ForcePathStyle = true,
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            });
    }

    private sealed class EndpointOverrideClient(AWSCredentials credentials, AmazonS3Config config) : AmazonS3Client(credentials, config)
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
