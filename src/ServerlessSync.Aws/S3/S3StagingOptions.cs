using Amazon.S3;

namespace ServerlessSync.Aws.S3;

/// <summary>
/// Where and how <see cref="S3StagingStore"/> writes: the staging bucket, the server-side encryption requested
/// on every write, and the multipart part size (which is also the writer's memory bound).
/// </summary>
public sealed record S3StagingOptions(string BucketName)
{
    /// <summary>S3's smallest part (every part but the last must be at least this big).</summary>
    public const int MinPartSizeBytes = 5 * 1024 * 1024;

    /// <summary>The largest part this store buffers in memory (S3 allows 5 GiB; one buffer is an array).</summary>
    public const int MaxPartSizeBytes = 1024 * 1024 * 1024;

    /// <summary><see cref="ServerSideEncryptionMethod.AES256"/> (SSE-S3, the default) or
    /// <see cref="ServerSideEncryptionMethod.AWSKMS"/> (SSE-KMS).</summary>
    public ServerSideEncryptionMethod ServerSideEncryption { get; init; } = ServerSideEncryptionMethod.AES256;

    /// <summary>The KMS key for SSE-KMS; null uses the bucket's default key (<c>aws/s3</c> unless configured).</summary>
    public string? KmsKeyId { get; init; }

    /// <summary>Size of each multipart part and of the one buffer a writer holds (default 16 MiB, at least 5 MiB).
    /// An object no bigger than this is written with a single PutObject.</summary>
    public int PartSizeBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Keys asked for per ListObjectsV2 page (S3 returns at most 1000).</summary>
    internal int ListPageSize { get; init; } = 1000;

    /// <summary>Keys per DeleteObjects request (S3 accepts at most 1000).</summary>
    internal int DeleteBatchSize { get; init; } = 1000;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that S3 would refuse.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(BucketName);
        if (ServerSideEncryption != ServerSideEncryptionMethod.AES256 && ServerSideEncryption != ServerSideEncryptionMethod.AWSKMS)
        {
            throw new ArgumentException($"server-side encryption must be '{ServerSideEncryptionMethod.AES256}' or '{ServerSideEncryptionMethod.AWSKMS}', not '{ServerSideEncryption}'", nameof(ServerSideEncryption));
        }

        if (KmsKeyId is not null && ServerSideEncryption != ServerSideEncryptionMethod.AWSKMS)
        {
            throw new ArgumentException($"a KMS key id needs server-side encryption '{ServerSideEncryptionMethod.AWSKMS}'", nameof(KmsKeyId));
        }

        if (PartSizeBytes is < MinPartSizeBytes or > MaxPartSizeBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(PartSizeBytes), PartSizeBytes, $"part size must be between {MinPartSizeBytes} (S3's minimum) and {MaxPartSizeBytes} bytes");
        }

        if (ListPageSize is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(ListPageSize), ListPageSize, "list page size must be between 1 and 1000");
        }

        if (DeleteBatchSize is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(DeleteBatchSize), DeleteBatchSize, "delete batch size must be between 1 and 1000");
        }
    }
}
