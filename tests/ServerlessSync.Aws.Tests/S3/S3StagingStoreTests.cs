using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using ServerlessSync.Aws.S3;
using ServerlessSync.Aws.Tests.Stack;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Aws.Tests.S3;

/// <summary>The store against moto: what lands in the bucket, byte for byte, and what the SDK was asked to send.</summary>
public sealed class S3StagingStoreTests : IAsyncLifetime
{
    private const int MiB = 1024 * 1024;
    private const string Key = "runs/default/r1/account/part-00000.csv.gz";

    private readonly LocalS3Client _s3 = LocalS3.CreateClient();
    private SentRequests _sent = null!;
    private string _bucket = null!;

    public async Task InitializeAsync()
    {
        _bucket = await LocalS3.CreateBucketAsync(_s3);
        _sent = new SentRequests(_s3);
    }

    public Task DisposeAsync()
    {
        _s3.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task OpenWriteAsync_SmallObject_RoundTripsWithOnePutObject()
    {
        var store = Store();
        var data = Bytes(100_000, seed: 1);

        await using (var writer = await store.OpenWriteAsync(Key, default))
        {
            await WriteInChunksAsync(writer.Body, data);
            await writer.CommitAsync(default);
        }

        Assert.Equal(SHA256.HashData(data), await ReadHashAsync(store, Key));
        Assert.Single(_sent.Of<PutObjectRequest>());
        Assert.Empty(_sent.Of<InitiateMultipartUploadRequest>());
        Assert.Equal([new StagedObjectInfo(Key, data.Length)], await ListAsync(store, "runs/"));
    }

    [Fact]
    public async Task OpenWriteAsync_EmptyObject_CommitsAnEmptyObject()
    {
        var store = Store();

        await using (var writer = await store.OpenWriteAsync(Key, default))
        {
            await writer.CommitAsync(default);
        }

        Assert.Equal(SHA256.HashData([]), await ReadHashAsync(store, Key));
        Assert.Equal([new StagedObjectInfo(Key, 0)], await ListAsync(store, "runs/"));
    }

    [Fact]
    public async Task OpenWriteAsync_TwelveMiBInOddChunks_UploadsThreePartsAndReadsBackIdentical()
    {
        var store = Store(o => o with { PartSizeBytes = 5 * MiB });
        var data = Bytes(12 * MiB, seed: 2);

        await using var writer = await store.OpenWriteAsync(Key, default);
        await WriteInChunksAsync(writer.Body, data);

        // Two full parts went up while writing; the key shows nothing until the upload completes.
        Assert.Equal(2, _sent.Of<UploadPartRequest>().Count);
        Assert.Empty(await ListAsync(store, "runs/"));
        await Assert.ThrowsAsync<FileNotFoundException>(() => store.OpenReadAsync(Key, default));

        await writer.CommitAsync(default);

        Assert.Equal(SHA256.HashData(data), await ReadHashAsync(store, Key));
        Assert.Equal([new StagedObjectInfo(Key, data.Length)], await ListAsync(store, "runs/"));
        var parts = _sent.Of<UploadPartRequest>();
        Assert.Equal([1, 2, 3], parts.Select(p => p.PartNumber));
        Assert.Equal([5L * MiB, 5L * MiB, 2L * MiB], parts.Select(p => p.PartSize));
        Assert.Single(_sent.Of<InitiateMultipartUploadRequest>());
        Assert.Single(_sent.Of<CompleteMultipartUploadRequest>());
        Assert.Empty(_sent.Of<PutObjectRequest>());
    }

    [Fact]
    public async Task OpenWriteAsync_ManyWrites_BuffersAtMostOnePart()
    {
        var store = Store(o => o with { PartSizeBytes = 5 * MiB });
        var data = Bytes(11 * MiB + 3, seed: 3);

        await using var writer = await store.OpenWriteAsync(Key, default);
        await WriteInChunksAsync(writer.Body, data);
        await writer.CommitAsync(default);

        // One buffer of one part, whatever the object's size: the memory bound is the part size.
        var s3Writer = Assert.IsType<S3StagedObjectWriter>(writer);
        Assert.Equal(5 * MiB, s3Writer.PeakBufferedBytes);
        Assert.Equal(3, s3Writer.PartsUploaded);
        Assert.All(_sent.Of<UploadPartRequest>(), p => Assert.True(p.PartSize <= 5 * MiB));
        Assert.Equal(SHA256.HashData(data), await ReadHashAsync(store, Key));
    }

    [Fact]
    public async Task OpenWriteAsync_ExactlyOnePart_WritesWithOnePutObject()
    {
        var store = Store(o => o with { PartSizeBytes = 5 * MiB });
        var data = Bytes(5 * MiB, seed: 4);

        await using (var writer = await store.OpenWriteAsync(Key, default))
        {
            await WriteInChunksAsync(writer.Body, data);
            await writer.CommitAsync(default);
        }

        Assert.Single(_sent.Of<PutObjectRequest>());
        Assert.Empty(_sent.Of<InitiateMultipartUploadRequest>());
        Assert.Equal(SHA256.HashData(data), await ReadHashAsync(store, Key));
    }

    [Fact]
    public async Task OpenWriteAsync_SynchronousWrites_RoundTripThroughMultipart()
    {
        var store = Store(o => o with { PartSizeBytes = 5 * MiB });
        var data = Bytes(6 * MiB, seed: 5);

        await using (var writer = await store.OpenWriteAsync(Key, default))
        {
            writer.Body.Write(data, 0, 3 * MiB);
            writer.Body.Write(data.AsSpan(3 * MiB, 3 * MiB - 1));
            writer.Body.WriteByte(data[^1]);
            await writer.CommitAsync(default);
        }

        Assert.Equal(2, _sent.Of<UploadPartRequest>().Count);
        Assert.Equal(SHA256.HashData(data), await ReadHashAsync(store, Key));
    }

    [Fact]
    public async Task OpenWriteAsync_SmallObjectNotCommitted_SendsNothingAndLeavesNoObject()
    {
        var store = Store();

        await using (var writer = await store.OpenWriteAsync(Key, default))
        {
            await writer.Body.WriteAsync(Bytes(1000, seed: 6));
            Assert.Empty(await ListAsync(store, "runs/"));
        }

        Assert.Empty(await ListAsync(store, "runs/"));
        await Assert.ThrowsAsync<FileNotFoundException>(() => store.OpenReadAsync(Key, default));
        Assert.Empty(_sent.Of<PutObjectRequest>());
    }

    [Fact]
    public async Task DisposeAsync_MultipartNotCommitted_AbortsTheUploadAndLeavesNoObject()
    {
        var store = Store(o => o with { PartSizeBytes = 5 * MiB });
        string? uploadId;

        S3StagedObjectWriter staged;
        await using (var writer = await store.OpenWriteAsync(Key, default))
        {
            await WriteInChunksAsync(writer.Body, Bytes(6 * MiB, seed: 7));
            staged = Assert.IsType<S3StagedObjectWriter>(writer);
            uploadId = staged.UploadId;
            Assert.NotNull(uploadId);
        }

        Assert.Null(staged.AbortFailure);
        Assert.Empty(await ListAsync(store, "runs/"));
        await Assert.ThrowsAsync<FileNotFoundException>(() => store.OpenReadAsync(Key, default));
        var abort = Assert.Single(_sent.Of<AbortMultipartUploadRequest>());
        Assert.Equal((_bucket, Key, uploadId), (abort.BucketName, abort.Key, abort.UploadId));
        Assert.Empty(_sent.Of<CompleteMultipartUploadRequest>());
        var pending = await _s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = _bucket });
        Assert.Empty(pending.MultipartUploads ?? []);
    }

    [Fact]
    public async Task CommitAsync_Twice_Throws()
    {
        var store = Store();
        await using var writer = await store.OpenWriteAsync(Key, default);
        await writer.CommitAsync(default);

        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.CommitAsync(default));
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.Body.WriteAsync(new byte[1]).AsTask());
    }

    [Fact]
    public async Task OpenWriteAsync_DefaultOptions_RequestsAes256OnEveryWrite()
    {
        var store = Store(o => o with { PartSizeBytes = 5 * MiB });

        await WriteObjectAsync(store, "runs/default/r1/a/small.csv.gz", Bytes(10, seed: 8));
        await WriteObjectAsync(store, "runs/default/r1/a/big.csv.gz", Bytes(6 * MiB, seed: 9));

        var put = Assert.Single(_sent.HeadersOf<PutObjectRequest>());
        var initiate = Assert.Single(_sent.HeadersOf<InitiateMultipartUploadRequest>());
        Assert.Equal("AES256", put["x-amz-server-side-encryption"]);
        Assert.Equal("AES256", initiate["x-amz-server-side-encryption"]);
        Assert.False(put.ContainsKey("x-amz-server-side-encryption-aws-kms-key-id"));
    }

    [Fact]
    public async Task OpenWriteAsync_Multipart_NamesTheChecksumItsPartsCarry_WhenCreatedOnEveryPartAndAtCompletion()
    {
        // Real S3 refuses parts carrying a CRC32 when CreateMultipartUpload named no algorithm ("Checksum Type
        // mismatch"); moto accepts it, so the headers themselves are checked.
        var store = Store(o => o with { PartSizeBytes = 5 * MiB });
        var data = Bytes(12 * MiB, seed: 14);

        await WriteObjectAsync(store, Key, data);

        var create = Assert.Single(_s3.WireHeadersOf<InitiateMultipartUploadRequest>());
        Assert.Equal("CRC32", create.GetValueOrDefault("x-amz-checksum-algorithm"));
        var parts = _s3.WireHeadersOf<UploadPartRequest>();
        Assert.Equal(3, parts.Count);
        Assert.All(parts, headers =>
        {
            Assert.Equal("CRC32", headers.GetValueOrDefault("x-amz-sdk-checksum-algorithm"));
            var carried = headers.ContainsKey("x-amz-checksum-crc32") ? "x-amz-checksum-crc32" : headers.GetValueOrDefault("x-amz-trailer");
            Assert.Equal("x-amz-checksum-crc32", carried);
        });
        var complete = Assert.Single(_sent.Of<CompleteMultipartUploadRequest>());
        Assert.Equal(3, complete.PartETags.Count);
        Assert.All(complete.PartETags, part => Assert.False(string.IsNullOrEmpty(part.ChecksumCRC32), $"part {part.PartNumber} completes without its CRC32"));
        Assert.Equal(SHA256.HashData(data), await ReadHashAsync(store, Key));
    }

    [Fact]
    public async Task OpenWriteAsync_SmallObject_PutsItWithTheSdksAwsChunkedBodyAndCrc32()
    {
        var store = Store();
        var data = Bytes(100_000, seed: 15);

        await WriteObjectAsync(store, Key, data);

        var put = Assert.Single(_s3.WireHeadersOf<PutObjectRequest>());
        Assert.Equal("CRC32", put.GetValueOrDefault("x-amz-sdk-checksum-algorithm"));
        Assert.Equal("x-amz-checksum-crc32", put.GetValueOrDefault("x-amz-trailer"));
        Assert.Contains("aws-chunked", put.GetValueOrDefault("Content-Encoding") ?? "", StringComparison.Ordinal);
        Assert.Equal(SHA256.HashData(data), await ReadHashAsync(store, Key));
    }

    [Fact]
    public async Task OpenWriteAsync_KmsWithKeyId_RequestsKmsAndTheKeyOnEveryWrite()
    {
        const string KeyId = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        var store = Store(o => o with { PartSizeBytes = 5 * MiB, ServerSideEncryption = ServerSideEncryptionMethod.AWSKMS, KmsKeyId = KeyId });

        await WriteObjectAsync(store, "runs/default/r1/a/small.csv.gz", Bytes(10, seed: 10));
        await WriteObjectAsync(store, "runs/default/r1/a/big.csv.gz", Bytes(6 * MiB, seed: 11));

        foreach (var headers in _sent.HeadersOf<PutObjectRequest>().Concat(_sent.HeadersOf<InitiateMultipartUploadRequest>()))
        {
            Assert.Equal("aws:kms", headers["x-amz-server-side-encryption"]);
            Assert.Equal(KeyId, headers["x-amz-server-side-encryption-aws-kms-key-id"]);
        }

        Assert.Equal(2, _sent.HeadersOf<PutObjectRequest>().Count + _sent.HeadersOf<InitiateMultipartUploadRequest>().Count);
    }

    [Fact]
    public async Task OpenReadAsync_MissingKey_ThrowsFileNotFoundNamingTheLocation()
    {
        var store = Store();

        var e = await Assert.ThrowsAsync<FileNotFoundException>(() => store.OpenReadAsync("runs/default/r1/a/nothing.json", default));

        Assert.Equal($"s3://{_bucket}/runs/default/r1/a/nothing.json", e.FileName);
        Assert.Contains($"s3://{_bucket}/runs/default/r1/a/nothing.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAsync_MorePagesThanOne_YieldsEveryKeyUnderThePrefixInOrder()
    {
        var store = Store(o => o with { ListPageSize = 2 });
        var keys = Enumerable.Range(0, 5).Select(i => $"runs/default/r1/a/part-{i:D5}.csv.gz").ToList();
        foreach (var key in keys)
        {
            await PutAsync(key, Bytes(keys.IndexOf(key) + 1, seed: 12));
        }

        await PutAsync("runs/default/r1/b/part-00000.csv.gz", Bytes(1, seed: 13));

        var listed = await ListAsync(store, "runs/default/r1/a/");

        Assert.Equal(keys.Select((k, i) => new StagedObjectInfo(k, i + 1)), listed);
        Assert.Equal(3, _sent.Of<ListObjectsV2Request>().Count);
    }

    [Fact]
    public async Task ListAsync_NothingUnderPrefix_YieldsNothing()
    {
        var store = Store();
        await PutAsync("runs/default/r1/a/part-00000.csv.gz", Bytes(1, seed: 14));

        Assert.Empty(await ListAsync(store, "runs/default/r2/"));
    }

    [Fact]
    public async Task DeleteAsync_ExistingAndMissingKeys_DeletesTheExistingOnes()
    {
        var store = Store();
        await PutAsync("runs/default/r1/a/1", Bytes(1, seed: 15));
        await PutAsync("runs/default/r1/a/2", Bytes(1, seed: 16));
        await PutAsync("runs/default/r1/a/keep", Bytes(1, seed: 17));

        await store.DeleteAsync(["runs/default/r1/a/1", "runs/default/r1/a/2", "runs/default/r1/a/never-there"], default);

        Assert.Equal(["runs/default/r1/a/keep"], (await ListAsync(store, "runs/")).Select(i => i.Key));
        var request = Assert.Single(_sent.Of<DeleteObjectsRequest>());
        Assert.True(request.Quiet);
    }

    [Fact]
    public async Task DeleteAsync_MoreKeysThanABatch_SendsOneRequestPerBatch()
    {
        var store = Store(o => o with { DeleteBatchSize = 2 });
        var keys = Enumerable.Range(0, 4).Select(i => $"runs/default/r1/a/{i}").ToList();
        foreach (var key in keys)
        {
            await PutAsync(key, Bytes(1, seed: 18));
        }

        await store.DeleteAsync([.. keys, "runs/default/r1/a/missing"], default);

        Assert.Empty(await ListAsync(store, "runs/"));
        Assert.Equal([2, 2, 1], _sent.Of<DeleteObjectsRequest>().Select(r => r.Objects.Count));
    }

    [Fact]
    public async Task DeleteAsync_NoKeys_SendsNothing()
    {
        await Store().DeleteAsync([], default);

        Assert.Empty(_sent.Of<DeleteObjectsRequest>());
    }

    [Fact]
    public void LocationOf_Key_IsTheS3Uri()
    {
        Assert.Equal($"s3://{_bucket}/runs/default/r1/a/part-00000.csv.gz", Store().LocationOf("runs/default/r1/a/part-00000.csv.gz"));
    }

    [Theory]
    [InlineData(5 * MiB - 1)]
    [InlineData(0)]
    public void Constructor_PartSmallerThanS3Allows_Throws(int partSize)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Store(o => o with { PartSizeBytes = partSize }));
    }

    [Fact]
    public void Constructor_KmsKeyWithoutKms_Throws()
    {
        Assert.Throws<ArgumentException>(() => Store(o => o with { KmsKeyId = "alias/staging" }));
    }

    internal static byte[] Bytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    // Odd sizes that straddle part boundaries at different offsets.
    internal static async Task WriteInChunksAsync(Stream body, byte[] data)
    {
        int[] sizes = [1, 7_919, 65_537, 1_000_003, 3, 524_287];
        for (int offset = 0, i = 0; offset < data.Length; i++)
        {
            var count = Math.Min(sizes[i % sizes.Length], data.Length - offset);
            await body.WriteAsync(data.AsMemory(offset, count));
            offset += count;
        }
    }

    private S3StagingStore Store(Func<S3StagingOptions, S3StagingOptions>? configure = null)
    {
        var options = new S3StagingOptions(_bucket);
        return new S3StagingStore(_s3, configure?.Invoke(options) ?? options);
    }

    private static async Task WriteObjectAsync(IStagingStore store, string key, byte[] data)
    {
        await using var writer = await store.OpenWriteAsync(key, default);
        await writer.Body.WriteAsync(data);
        await writer.CommitAsync(default);
    }

    private async Task PutAsync(string key, byte[] data) =>
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = key, InputStream = new MemoryStream(data) });

    private static async Task<byte[]> ReadHashAsync(IStagingStore store, string key)
    {
        await using var stream = await store.OpenReadAsync(key, default);
        return await SHA256.HashDataAsync(stream);
    }

    private static async Task<List<StagedObjectInfo>> ListAsync(IStagingStore store, string prefix)
    {
        var items = new List<StagedObjectInfo>();
        await foreach (var item in store.ListAsync(prefix, default))
        {
            items.Add(item);
        }

        return items;
    }
}
