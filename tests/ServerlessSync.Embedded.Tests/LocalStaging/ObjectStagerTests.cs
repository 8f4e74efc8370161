using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Staging;
using ServerlessSync.Embedded.LocalStaging;
using ServerlessSync.Testing.Pipeline;

namespace ServerlessSync.Embedded.Tests.LocalStaging;

public class ObjectStagerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private static readonly ObjectSchema Schema = new("account",
    [
        new ColumnSchema("id", ColumnType.String),
        new ColumnSchema("updateddate", ColumnType.Timestamp),
        new ColumnSchema("name", ColumnType.String),
        new ColumnSchema("balance", ColumnType.Decimal(18, 2)),
    ]);

    private static async IAsyncEnumerable<SourceRow> Rows(int count, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Random-looking text so gzip cannot shrink parts to nothing.
            yield return new SourceRow([i.ToString("x32", System.Globalization.CultureInfo.InvariantCulture), Now.AddSeconds(-i), Convert.ToHexString(SHA256.HashData(BitConverter.GetBytes(i))), i / 100m], i % 10 == 0);
        }

        await Task.CompletedTask;
    }

    [Fact]
    public async Task StageAsync_EveryRunsObjectHasItsOwnNullMarker_WrittenUnquotedForNullAndNamedInTheManifest()
    {
        using var temp = new TempDirectory();
        var store = new LocalDirectoryStagingStore(temp.Path);
        var stager = new ObjectStager(store, new StagingOptions(), new FakeTimeProvider(Now));
        SourceRow[] rows = [new(["a", Now, null, 1m], false), new(["b", Now, "\\N", null], false)];

        var first = await stager.StageAsync("default", "run-1", Schema, SyncWindow.Historical(Now), rows.ToAsyncEnumerable(), null, null, CancellationToken.None);
        var second = await stager.StageAsync("default", "run-2", Schema, SyncWindow.Historical(Now), rows.ToAsyncEnumerable(), null, null, CancellationToken.None);

        Assert.NotEqual(first.NullMarker, second.NullMarker);
        var written = StagedManifest.Parse(await File.ReadAllBytesAsync(store.LocationOf(StagingKeys.Manifest("default", "run-1", "account"))), "k");
        Assert.Equal(first.NullMarker, written.NullMarker);
        using var reader = new StreamReader(first.Codec.OpenDecompressor(File.OpenRead(store.LocationOf(first.Parts[0].Key))));
        var records = CsvFormat.ReadRecords(reader).ToList();
        Assert.Equal((first.NullMarker, false), records[0][2]);
        Assert.Equal(("\\N", true), records[1][2]);
        Assert.Equal((first.NullMarker, false), records[1][3]);
    }

    [Fact]
    public async Task StageAsync_TextEqualToTheNullMarker_FailsNamingTheColumn_AndWritesNoManifest()
    {
        using var temp = new TempDirectory();
        var store = new LocalDirectoryStagingStore(temp.Path);
        var stager = new ObjectStager(store, new StagingOptions { NullMarkerFor = (_, _, _) => "null-aaaaaaaaaaaa" }, new FakeTimeProvider(Now));
        SourceRow[] rows = [new(["a", Now, "fine", 1m], false), new(["b", Now, "null-aaaaaaaaaaaa", 2m], false)];

        var e = await Assert.ThrowsAsync<SourceDataException>(() =>
            stager.StageAsync("default", "run-1", Schema, SyncWindow.Historical(Now), rows.ToAsyncEnumerable(), null, null, CancellationToken.None));

        Assert.Contains("column 'name'", e.Message, StringComparison.Ordinal);
        Assert.Contains("run the sync again", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(store.LocationOf(StagingKeys.Manifest("default", "run-1", "account"))));
    }

    [Fact]
    public async Task StageAsync_SmallPartSize_SplitsIntoPartsWhoseHashesAndCountsMatchTheFiles()
    {
        using var temp = new TempDirectory();
        var store = new LocalDirectoryStagingStore(temp.Path);
        var stager = new ObjectStager(store, new StagingOptions { PartSizeBytes = 64 * 1024 }, new FakeTimeProvider(Now));

        var manifest = await stager.StageAsync("default", "run-1", Schema, SyncWindow.Historical(Now), Rows(20_000), "token", null, CancellationToken.None);

        Assert.True(manifest.Parts.Count > 1, $"expected several parts, got {manifest.Parts.Count}");
        Assert.Equal(20_000, manifest.Rows);
        Assert.Equal(20_000, manifest.Parts.Sum(p => p.Rows));
        Assert.Equal("token", manifest.TaskToken);
        long lines = 0;
        foreach (var part in manifest.Parts)
        {
            var bytes = await File.ReadAllBytesAsync(store.LocationOf(part.Key));
            Assert.Equal(part.Bytes, bytes.Length);
            Assert.Equal(part.Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
            using var reader = new StreamReader(manifest.Codec.OpenDecompressor(new MemoryStream(bytes)));
            var partLines = CsvFormat.ReadRecords(reader).Count();
            Assert.Equal(part.Rows, partLines);
            lines += partLines;
        }

        Assert.Equal(20_000, lines);
        var listed = new List<string>();
        await foreach (var item in store.ListAsync("runs/default/run-1/account/", CancellationToken.None))
        {
            listed.Add(item.Key);
        }

        Assert.Equal(manifest.Parts.Select(p => p.Key).Append("runs/default/run-1/account/account.manifest.json").Order(StringComparer.Ordinal), listed);
        Assert.Empty(Directory.EnumerateFiles(temp.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task StageAsync_ManyParts_TheirCsvInOrderIsEveryRowsTextForm()
    {
        using var temp = new TempDirectory();
        var store = new LocalDirectoryStagingStore(temp.Path);
        var stager = new ObjectStager(store, new StagingOptions { PartSizeBytes = 16 * 1024 }, new FakeTimeProvider(Now));
        var expected = new System.Text.StringBuilder();
        var marker = NullMarkers.For("default", "run-1", "account");
        await foreach (var row in Rows(30_000))
        {
            for (var i = 0; i < row.Values.Length; i++)
            {
                CsvFormat.AppendValue(expected, Schema.Columns[i], row.Values[i], marker);
                expected.Append(',');
            }

            expected.Append(row.Deleted ? "true\n" : "false\n");
        }

        var manifest = await stager.StageAsync("default", "run-1", Schema, SyncWindow.Historical(Now), Rows(30_000), null, null, CancellationToken.None);

        Assert.True(manifest.Parts.Count > 3, $"expected several parts, got {manifest.Parts.Count}");
        using var staged = new MemoryStream();
        foreach (var part in manifest.Parts)
        {
            await using var decompressed = manifest.Codec.OpenDecompressor(File.OpenRead(store.LocationOf(part.Key)));
            await decompressed.CopyToAsync(staged);
        }

        Assert.Equal(System.Text.Encoding.UTF8.GetBytes(expected.ToString()), staged.ToArray());
    }

    [Fact]
    public async Task StageAsync_StoreFailsWritingAPart_FailsWithTheStoresError_AndLeavesNoManifestNorTemporaryFile()
    {
        using var temp = new TempDirectory();
        var store = new LocalDirectoryStagingStore(temp.Path);
        var stager = new ObjectStager(new FailingThirdPartStore(store), new StagingOptions { PartSizeBytes = 16 * 1024 }, new FakeTimeProvider(Now));

        var e = await Assert.ThrowsAsync<IOException>(() => stager.StageAsync("default", "run-1", Schema, SyncWindow.Historical(Now), Rows(30_000), null, null, CancellationToken.None));

        Assert.Equal(FailingThirdPartStore.Message, e.Message);
        Assert.False(File.Exists(store.LocationOf(StagingKeys.Manifest("default", "run-1", "account"))));
        Assert.Empty(Directory.EnumerateFiles(temp.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task StageAsync_ManifestCommitted_NotifiesAfterEveryPartIsInPlace()
    {
        using var temp = new TempDirectory();
        var store = new LocalDirectoryStagingStore(temp.Path);
        var probe = new RecordingHandler(store);
        var stager = new ObjectStager(new ManifestCommitTap(store, probe.OnManifestCommittedAsync), new StagingOptions { PartSizeBytes = 16 * 1024 }, new FakeTimeProvider(Now));

        var manifest = await stager.StageAsync("default", "run-1", Schema, IncrementalWindow(), Rows(5_000), null, null, CancellationToken.None);

        var notified = Assert.Single(probe.Keys);
        Assert.Equal(StagingKeys.Manifest("default", "run-1", "account"), notified);
        Assert.Equal(manifest.Parts.Count, probe.PartsPresentAtNotification);
    }

    [Fact]
    public async Task StageAsync_SourceFailsMidway_WritesNoManifest()
    {
        using var temp = new TempDirectory();
        var store = new LocalDirectoryStagingStore(temp.Path);
        var probe = new RecordingHandler(store);
        var stager = new ObjectStager(new ManifestCommitTap(store, probe.OnManifestCommittedAsync), new StagingOptions { PartSizeBytes = 16 * 1024 }, new FakeTimeProvider(Now));

        await Assert.ThrowsAsync<SourceDataException>(() => stager.StageAsync("default", "run-1", Schema, IncrementalWindow(), Failing(), null, null, CancellationToken.None));

        Assert.Empty(probe.Keys);
        Assert.False(File.Exists(store.LocationOf(StagingKeys.Manifest("default", "run-1", "account"))));
        Assert.Empty(Directory.EnumerateFiles(temp.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task StageAsync_NoRows_WritesManifestWithoutParts()
    {
        using var temp = new TempDirectory();
        var store = new LocalDirectoryStagingStore(temp.Path);
        var stager = new ObjectStager(store, new StagingOptions(), new FakeTimeProvider(Now));

        var manifest = await stager.StageAsync("default", "run-1", Schema, IncrementalWindow(), Rows(0), null, null, CancellationToken.None);

        Assert.Empty(manifest.Parts);
        Assert.Equal(0, manifest.Rows);
        Assert.True(File.Exists(store.LocationOf(StagingKeys.Manifest("default", "run-1", "account"))));
    }

    [Fact]
    public async Task DeleteAsync_RemovesFilesAndEmptyDirectories()
    {
        using var temp = new TempDirectory();
        var store = new LocalDirectoryStagingStore(temp.Path);
        var stager = new ObjectStager(store, new StagingOptions(), new FakeTimeProvider(Now));
        var manifest = await stager.StageAsync("default", "run-1", Schema, IncrementalWindow(), Rows(10), null, null, CancellationToken.None);

        await store.DeleteAsync([.. manifest.Parts.Select(p => p.Key), StagingKeys.Manifest("default", "run-1", "account")], CancellationToken.None);

        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/absolute")]
    [InlineData("runs//double")]
    public void LocationOf_UnsafeKey_Throws(string key)
    {
        using var temp = new TempDirectory();
        var store = new LocalDirectoryStagingStore(temp.Path);

        Assert.Throws<ArgumentException>(() => store.LocationOf(key));
    }

    private static SyncWindow IncrementalWindow() => new(Now.AddHours(-1), Now);

    private static async IAsyncEnumerable<SourceRow> Failing()
    {
        await foreach (var row in Rows(3_000))
        {
            yield return row;
        }

        throw new SourceDataException("account.jsonl line 3001: invalid JSON");
    }

    /// <summary>A store whose third part fails as its first bytes are written (a full disk, a dropped upload).</summary>
    private sealed class FailingThirdPartStore(LocalDirectoryStagingStore inner) : IStagingStore
    {
        public const string Message = "No space left on device (test)";
        private int _opened;

        public async Task<IStagedObjectWriter> OpenWriteAsync(string key, CancellationToken cancellationToken)
        {
            var writer = await inner.OpenWriteAsync(key, cancellationToken);
            return ++_opened == 3 ? new FailingWriter(writer) : writer;
        }

        public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) => inner.OpenReadAsync(key, cancellationToken);

        public IAsyncEnumerable<StagedObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        public Task DeleteAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken) => inner.DeleteAsync(keys, cancellationToken);

        public string LocationOf(string key) => inner.LocationOf(key);

        private sealed class FailingWriter(IStagedObjectWriter writer) : IStagedObjectWriter
        {
            public Stream Body { get; } = new FailingStream();

            public Task CommitAsync(CancellationToken cancellationToken) => throw new IOException(Message);

            public ValueTask DisposeAsync() => writer.DisposeAsync();
        }

        private sealed class FailingStream : MemoryStream
        {
            public override void Write(ReadOnlySpan<byte> buffer) => throw new IOException(Message);

            public override void Write(byte[] buffer, int offset, int count) => throw new IOException(Message);

            public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromException(new IOException(Message));

            public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromException(new IOException(Message));
        }
    }

    private sealed class RecordingHandler(LocalDirectoryStagingStore store)
    {
        public List<string> Keys { get; } = [];

        public int PartsPresentAtNotification { get; private set; }

        public Task OnManifestCommittedAsync(string manifestKey, CancellationToken cancellationToken)
        {
            Keys.Add(manifestKey);
            PartsPresentAtNotification = Directory.EnumerateFiles(store.Root, "part-*.csv.*", SearchOption.AllDirectories).Count();
            return Task.CompletedTask;
        }
    }
}
