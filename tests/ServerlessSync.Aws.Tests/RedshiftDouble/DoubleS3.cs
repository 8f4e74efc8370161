using System.IO.Compression;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using ServerlessSync.Aws.Tests.Stack;

namespace ServerlessSync.Aws.Tests.RedshiftDouble;

/// <summary>
/// A small S3 client for s3rver, private to the double's tests until the shared Stack/LocalS3 lands:
/// s3rver's fixed credentials, path-style addressing, and no aws-chunked uploads (s3rver would store the
/// chunk framing inside the object).
/// </summary>
internal static class DoubleS3
{
    public static AmazonS3Client CreateClient() => new(
        new BasicAWSCredentials("S3RVER", "S3RVER"),
        new AmazonS3Config
        {
            ServiceURL = TestStack.S3Endpoint.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });

    public static async Task<string> CreateBucketAsync(IAmazonS3 s3)
    {
        var bucket = TestStack.UniqueName("double");
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket });
        return bucket;
    }

    public static Task PutAsync(IAmazonS3 s3, string bucket, string key, byte[] content) =>
        s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
            InputStream = new MemoryStream(content),
            UseChunkEncoding = false,
        });

    public static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }

    /// <summary>A Redshift COPY manifest naming <paramref name="urls"/>, each mandatory.</summary>
    public static byte[] Manifest(params string[] urls) =>
        Encoding.UTF8.GetBytes(
            "{\"entries\":[" + string.Join(",", urls.Select(u => $"{{\"url\":\"{u}\",\"mandatory\":true,\"meta\":{{\"content_length\":1}}}}")) + "]}");
}
