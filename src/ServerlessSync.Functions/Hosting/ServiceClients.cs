using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.S3;

namespace ServerlessSync.Functions.Hosting;

/// <summary>
/// The SDK clients, for AWS or for a local endpoint. A local S3 endpoint (s3rver in tests) gets what it needs from
/// the v4 SDK: path-style addressing, checksums only where an operation requires them, and no <c>aws-chunked</c>
/// request bodies (which s3rver would store framing and all). AWS itself gets the SDK's defaults.
/// </summary>
internal static class ServiceClients
{
    public static IAmazonS3 S3(AWSCredentials credentials, RegionEndpoint region, Uri? endpoint) =>
        endpoint is null
            ? new AmazonS3Client(credentials, new AmazonS3Config { RegionEndpoint = region })
            : new LocalS3Client(credentials, new AmazonS3Config
            {
                ServiceURL = endpoint.ToString(),
                AuthenticationRegion = region.SystemName,
                ForcePathStyle = true,
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            });

    public static IAmazonDynamoDB DynamoDb(AWSCredentials credentials, RegionEndpoint region, Uri? endpoint) =>
        new AmazonDynamoDBClient(
            credentials,
            endpoint is null
                ? new AmazonDynamoDBConfig { RegionEndpoint = region }
                : new AmazonDynamoDBConfig { ServiceURL = endpoint.ToString(), AuthenticationRegion = region.SystemName });

    private sealed class LocalS3Client(AWSCredentials credentials, AmazonS3Config config) : AmazonS3Client(credentials, config)
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
