using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Amazon.S3.Model;
using Microsoft.Extensions.Time.Testing;
using ServerlessSync.Aws.S3;
using ServerlessSync.Aws.Tests.Stack;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Aws.Tests.S3;

/// <summary>Core's stager writing through the S3 store into moto, as the extract step does.</summary>
public sealed class ObjectStagerOnS3Tests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private static readonly ObjectSchema Schema = new("account",
    [
        new ColumnSchema("id", ColumnType.String),
        new ColumnSchema("updateddate", ColumnType.Timestamp),
        new ColumnSchema("name", ColumnType.String),
        new ColumnSchema("balance", ColumnType.Decimal(18, 2)),
    ]);

    private readonly Amazon.S3.AmazonS3Client _s3 = LocalS3.CreateClient();
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
    public async Task StageAsync_SmallParts_PartsMatchTheManifestAndTheManifestParses()
    {
        var store = new S3StagingStore(_s3, new S3StagingOptions(_bucket));
        var stager = new ObjectStager(store, new StagingOptions { PartSizeBytes = 64 * 1024 }, new FakeTimeProvider(Now));

        var staged = await stager.StageAsync("default", "run-1", Schema, SyncWindow.Historical(Now), Rows(20_000), "token-1", null, CancellationToken.None);

        Assert.True(staged.Parts.Count > 1, $"expected several parts, got {staged.Parts.Count}");
        var manifestKey = StagingKeys.Manifest("default", "run-1", "account");
        var manifest = await ReadManifestAsync(store, manifestKey);
        Assert.Equal(staged.Parts, manifest.Parts);
        Assert.Equal((20_000L, "token-1", staged.Bytes), (manifest.Rows, manifest.TaskToken, manifest.Bytes));
        await AssertPartsMatchAsync(store, manifest);
        var listed = await ListAsync(store, StagingKeys.ObjectPrefix("default", "run-1", "account"));
        Assert.Equal(manifest.Parts.Select(p => p.Key).Append(manifestKey).Order(StringComparer.Ordinal), listed.Select(i => i.Key));
        Assert.Equal(manifest.Parts.Select(p => p.Bytes), listed.Where(i => !StagingKeys.IsManifest(i.Key)).Select(i => i.Bytes));
    }

    [Fact]
    public async Task StageAsync_PartBiggerThanAnS3Part_GoesUpAsMultipartAndMatchesItsHash()
    {
        var store = new S3StagingStore(_s3, new S3StagingOptions(_bucket) { PartSizeBytes = S3StagingOptions.MinPartSizeBytes });
        var stager = new ObjectStager(store, new StagingOptions { PartSizeBytes = 6 * 1024 * 1024 }, new FakeTimeProvider(Now));

        var staged = await stager.StageAsync("default", "run-2", Schema, SyncWindow.Historical(Now), Rows(100_000), null, null, CancellationToken.None);

        Assert.True(staged.Parts[0].Bytes > S3StagingOptions.MinPartSizeBytes, $"first part has {staged.Parts[0].Bytes} bytes");
        Assert.NotEmpty(_sent.Of<CompleteMultipartUploadRequest>());
        await AssertPartsMatchAsync(store, await ReadManifestAsync(store, StagingKeys.Manifest("default", "run-2", "account")));
    }

    private static async Task AssertPartsMatchAsync(IStagingStore store, StagedManifest manifest)
    {
        long rows = 0;
        foreach (var part in manifest.Parts)
        {
            await using var body = await store.OpenReadAsync(part.Key, default);
            using var copy = new MemoryStream();
            await body.CopyToAsync(copy);
            Assert.Equal(part.Bytes, copy.Length);
            Assert.Equal(part.Sha256, Convert.ToHexStringLower(SHA256.HashData(copy.GetBuffer().AsSpan(0, (int)copy.Length))));
            copy.Position = 0;
            using var reader = new StreamReader(manifest.Codec.OpenDecompressor(copy));
            var partRows = CsvFormat.ReadRecords(reader).Count();
            Assert.Equal(part.Rows, partRows);
            rows += partRows;
        }

        Assert.Equal(manifest.Rows, rows);
    }

    private static async Task<StagedManifest> ReadManifestAsync(IStagingStore store, string key)
    {
        await using var stream = await store.OpenReadAsync(key, default);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return StagedManifest.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), key);
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

    private static async IAsyncEnumerable<SourceRow> Rows(int count, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var random = new Random(42);
        var noise = new byte[48];
        for (var i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // Random text so gzip cannot shrink the parts to nothing.
            random.NextBytes(noise);
            yield return new SourceRow([i.ToString("x32", System.Globalization.CultureInfo.InvariantCulture), Now.AddSeconds(-i), Convert.ToBase64String(noise), i / 100m], i % 10 == 0);
        }

        await Task.CompletedTask;
    }
}
