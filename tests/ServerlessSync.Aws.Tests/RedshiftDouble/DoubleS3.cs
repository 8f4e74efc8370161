using System.IO.Compression;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using ServerlessSync.Aws.Tests.Stack;

namespace ServerlessSync.Aws.Tests.RedshiftDouble;

/// <summary>
/// The double's tests' S3 fixtures on moto (client and bucket from <see cref="LocalS3"/>): whole small objects,
/// gzip text and COPY manifests.
/// </summary>
internal static class DoubleS3
{
    public static AmazonS3Client CreateClient() => LocalS3.CreateClient();

    public static Task<string> CreateBucketAsync(IAmazonS3 s3) => LocalS3.CreateBucketAsync(s3, "double");

    public static Task PutAsync(IAmazonS3 s3, string bucket, string key, byte[] content) =>
        s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
            InputStream = new MemoryStream(content),
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
