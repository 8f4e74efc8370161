using System.IO.Compression;
using System.Text;
using System.Threading.Channels;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Core.Staging;

/// <summary>Where an extraction stands, for progress displays.</summary>
public sealed record ExtractProgress(string ObjectName, long Rows, long CompressedBytes, int Parts);

/// <summary>
/// Streams rows into compressed CSV parts (<see cref="StagingOptions.Codec"/>) in the staging store and writes the manifest last. Memory stays at
/// one row, a few buffers of CSV (<see cref="BuffersInFlight"/> × about <see cref="BufferBytes"/>) and the compressor's and the store's buffers,
/// whatever the object's size.
/// </summary>
public sealed class ObjectStager(IStagingStore store, StagingOptions options, TimeProvider time)
{
    /// <summary>Stages the parts, then writes the manifest (which raises the store's notification).</summary>
    public async Task<StagedManifest> StageAsync(
        string connectorId,
        string runId,
        ObjectSchema schema,
        SyncWindow window,
        IAsyncEnumerable<SourceRow> rows,
        string? taskToken,
        IProgress<ExtractProgress>? progress,
        CancellationToken cancellationToken)
    {
        var manifest = await StagePartsAsync(connectorId, runId, schema, window, rows, taskToken, progress, cancellationToken);
        await WriteManifestAsync(manifest, cancellationToken);
        return manifest;
    }

    /// <summary>Writes the manifest, last: its arrival is what triggers the load.</summary>
    public Task WriteManifestAsync(StagedManifest manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return WriteJsonAsync(StagingKeys.Manifest(manifest.ConnectorId, manifest.RunId, manifest.ObjectName), manifest, cancellationToken);
    }

    /// <summary>Writes what one slice staged (its parts, in a manifest's form) under <see cref="StagingKeys.Slice"/>: no load starts.</summary>
    public Task WriteSliceAsync(StagedManifest slice, int index, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slice);
        return WriteJsonAsync(StagingKeys.Slice(slice.ConnectorId, slice.RunId, slice.ObjectName, index), slice, cancellationToken);
    }

    /// <summary>What slice <paramref name="index"/> of the object staged, as <see cref="WriteSliceAsync"/> wrote it.</summary>
    public async Task<StagedManifest> ReadSliceAsync(string connectorId, string runId, string objectName, int index, CancellationToken cancellationToken)
    {
        var key = StagingKeys.Slice(connectorId, runId, objectName, index);
        await using var stream = await store.OpenReadAsync(key, cancellationToken);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return StagedManifest.Parse(buffer.ToArray(), key);
    }

    /// <summary>How many slices of the object are staged (their lists written).</summary>
    public async Task<int> CountSlicesAsync(string connectorId, string runId, string objectName, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var item in store.ListAsync(StagingKeys.ObjectPrefix(connectorId, runId, objectName), cancellationToken))
        {
            count += item.Key.EndsWith(StagingKeys.SliceSuffix, StringComparison.Ordinal) ? 1 : 0;
        }

        return count;
    }

    private async Task WriteJsonAsync(string key, StagedManifest manifest, CancellationToken cancellationToken)
    {
        await using var writer = await store.OpenWriteAsync(key, cancellationToken);
        await writer.Body.WriteAsync(manifest.ToJson(), cancellationToken);
        await writer.CommitAsync(cancellationToken);
    }

    /// <summary>Streams the rows into committed parts and returns the manifest that describes them, not yet written.</summary>
    public Task<StagedManifest> StagePartsAsync(
        string connectorId,
        string runId,
        ObjectSchema schema,
        SyncWindow window,
        IAsyncEnumerable<SourceRow> rows,
        string? taskToken,
        IProgress<ExtractProgress>? progress,
        CancellationToken cancellationToken) =>
        StagePartsAsync(connectorId, runId, schema, window, rows, taskToken, progress, slice: null, cancellationToken);

    /// <summary>
    /// As above; with <paramref name="slice"/> the parts go under that slice's folder (<see cref="StagingKeys.SlicePart"/>).
    /// Two stages over a few reused buffers: this task reads the rows and formats them as UTF-8 CSV into one buffer while
    /// another task compresses, hashes and writes the buffer filled before (so the two use two cores); at most
    /// <see cref="BuffersInFlight"/> buffers of about <see cref="BufferBytes"/> each are in flight, whatever the object's size.
    /// </summary>
    public async Task<StagedManifest> StagePartsAsync(
        string connectorId,
        string runId,
        ObjectSchema schema,
        SyncWindow window,
        IAsyncEnumerable<SourceRow> rows,
        string? taskToken,
        IProgress<ExtractProgress>? progress,
        int? slice,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(rows);
        schema.Validate();
        var nullMarker = options.NullMarkerFor(connectorId, runId, schema.Name);
        var parts = new PartSequence(
            store,
            options,
            index => slice is { } s ? StagingKeys.SlicePart(connectorId, runId, schema.Name, s, index, options.Codec) : StagingKeys.Part(connectorId, runId, schema.Name, index, options.Codec));
        await using (parts)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var filled = Channel.CreateUnbounded<CsvRecordBuffer>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            var empty = Channel.CreateUnbounded<CsvRecordBuffer>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            // Smaller parts than a buffer (tests) get smaller buffers, so that a part can still close after a few rows.
            var handOffBytes = (int)Math.Min(BufferBytes, options.PartSizeBytes);
            for (var i = 0; i < BuffersInFlight; i++)
            {
                empty.Writer.TryWrite(new CsvRecordBuffer(handOffBytes + (handOffBytes / 4)));
            }

            var writing = Task.Run(() => WritePartsAsync(parts, filled.Reader, empty.Writer, stop), CancellationToken.None);
            long totalRows;
            try
            {
                totalRows = await FormatRowsAsync(schema, rows, Encoding.UTF8.GetBytes(nullMarker), nullMarker, handOffBytes, parts, filled.Writer, empty.Reader, progress, stop.Token);
                filled.Writer.Complete();
            }
            catch (Exception e)
            {
                filled.Writer.TryComplete(e);
                try
                {
                    await writing;
                }
                catch (Exception) when (e is not OperationCanceledException || cancellationToken.IsCancellationRequested)
                {
                    // The writer stopped because the rows failed: theirs is the error to report.
                }

                // The rows stopped because the writer failed (stop cancelled): awaiting it above threw its error.
                throw;
            }

            await writing;
            var manifest = new StagedManifest(
                StagedManifest.FormatOf(options.Codec),
                connectorId,
                runId,
                schema.Name,
                window.Start,
                window.End,
                StagedManifest.ColumnsOf(schema),
                nullMarker,
                parts.Committed,
                totalRows,
                parts.Committed.Sum(p => p.Bytes),
                time.GetUtcNow(),
                taskToken);
            progress?.Report(new ExtractProgress(schema.Name, totalRows, manifest.Bytes, parts.Committed.Count));
            return manifest;
        }
    }

    /// <summary>About how many bytes of CSV one buffer carries to the compressor (a record is never split); fewer when parts are smaller.</summary>
    internal const int BufferBytes = 256 * 1024;

    /// <summary>Buffers in flight between formatting and compressing: one being filled, the others queued or compressed.</summary>
    internal const int BuffersInFlight = 4;

    /// <summary>The first stage: rows into CSV records, buffer by buffer; returns the rows read.</summary>
    private async Task<long> FormatRowsAsync(
        ObjectSchema schema,
        IAsyncEnumerable<SourceRow> rows,
        byte[] nullMarkerBytes,
        string nullMarker,
        int handOffBytes,
        PartSequence parts,
        ChannelWriter<CsvRecordBuffer> filled,
        ChannelReader<CsvRecordBuffer> empty,
        IProgress<ExtractProgress>? progress,
        CancellationToken cancellationToken)
    {
        var columns = schema.Columns;
        var buffer = await empty.ReadAsync(cancellationToken);
        long totalRows = 0;
        long rowsAtLastReport = 0;
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            if (row.Values.Length != columns.Count)
            {
                throw new SourceDataException($"object '{schema.Name}' row {totalRows + 1} has {row.Values.Length} values for {columns.Count} columns");
            }

            for (var i = 0; i < row.Values.Length; i++)
            {
                if (row.Values[i] is string text && text == nullMarker)
                {
                    // Never met by chance (40 bits no source value was written knowing); refused so that no file holds its marker as text.
                    throw new SourceDataException(
                        $"object '{schema.Name}' column '{columns[i].Name}' holds the text '{text}', which is this staging's NULL marker; run the sync again: each run has its own marker");
                }
            }

            buffer.AppendRecord(columns, row.Values, row.Deleted, nullMarkerBytes);
            totalRows++;
            if (buffer.Length >= handOffBytes)
            {
                await filled.WriteAsync(buffer, cancellationToken);
                buffer = await empty.ReadAsync(cancellationToken);
            }

            if (totalRows - rowsAtLastReport >= options.ProgressEveryRows)
            {
                rowsAtLastReport = totalRows;
                progress?.Report(new ExtractProgress(schema.Name, totalRows, parts.BytesSoFar, parts.CountSoFar));
            }
        }

        if (buffer.Records > 0)
        {
            await filled.WriteAsync(buffer, cancellationToken);
        }

        return totalRows;
    }

    /// <summary>The second stage: each filled buffer into the parts, then back to the first stage; cancels <paramref name="stop"/> when it fails.</summary>
    private static async Task WritePartsAsync(PartSequence parts, ChannelReader<CsvRecordBuffer> filled, ChannelWriter<CsvRecordBuffer> empty, CancellationTokenSource stop)
    {
        try
        {
            await foreach (var buffer in filled.ReadAllAsync(CancellationToken.None))
            {
                await parts.WriteAsync(buffer, stop.Token);
                buffer.Clear();
                empty.TryWrite(buffer);
            }

            await parts.FinishAsync(stop.Token);
        }
        catch
        {
            await stop.CancelAsync();
            throw;
        }
    }

    /// <summary>
    /// The parts of one object, written one after another: a part is opened by the first records it gets and committed
    /// once its compressed size reaches <see cref="StagingOptions.PartSizeBytes"/>. Disposing discards an uncommitted part.
    /// </summary>
    private sealed class PartSequence(IStagingStore store, StagingOptions options, Func<int, string> keyOf) : IAsyncDisposable
    {
        private readonly List<StagedPart> _committed = [];
        private PartWriter? _part;
        private long _committedBytes;

        /// <summary>The committed parts, in order (complete once <see cref="FinishAsync"/> returned).</summary>
        public IReadOnlyList<StagedPart> Committed => _committed;

        /// <summary>Compressed bytes written so far (for progress, read from the other stage).</summary>
        public long BytesSoFar => Volatile.Read(ref _committedBytes) + (Volatile.Read(ref _part)?.CompressedBytes ?? 0);

        /// <summary>Parts begun so far (for progress, read from the other stage).</summary>
        public int CountSoFar => Volatile.Read(ref _part) is null ? _committed.Count : _committed.Count + 1;

        public async Task WriteAsync(CsvRecordBuffer records, CancellationToken cancellationToken)
        {
            if (_part is null)
            {
                Volatile.Write(ref _part, await PartWriter.OpenAsync(store, keyOf(_committed.Count), options, cancellationToken));
            }

            await _part.WriteAsync(records.Written, records.Records, cancellationToken);
            if (_part.CompressedBytes >= options.PartSizeBytes)
            {
                await CommitAsync(cancellationToken);
            }
        }

        public async Task FinishAsync(CancellationToken cancellationToken)
        {
            if (_part is not null)
            {
                await CommitAsync(cancellationToken);
            }
        }

        private async Task CommitAsync(CancellationToken cancellationToken)
        {
            var part = _part!;
            var committed = await part.CommitAsync(cancellationToken);
            _committed.Add(committed);
            Volatile.Write(ref _committedBytes, _committedBytes + committed.Bytes);
            Volatile.Write(ref _part, null);
            await part.DisposeAsync();
        }

        public async ValueTask DisposeAsync()
        {
            if (_part is not null)
            {
                await _part.DisposeAsync();
                _part = null;
            }
        }
    }

    private sealed class PartWriter : IAsyncDisposable
    {
        private readonly string _key;
        private readonly IStagedObjectWriter _target;
        private readonly HashingCountingStream _counted;
        private readonly Stream _compressor;
        private long _rows;
        private bool _closed;

        private PartWriter(string key, IStagedObjectWriter target, StagingOptions options)
        {
            _key = key;
            _target = target;
            _counted = new HashingCountingStream(target.Body);
            _compressor = options.Codec.OpenCompressor(_counted, options.CompressionLevel);
        }

        public long CompressedBytes => _counted.BytesWritten;

        public static async Task<PartWriter> OpenAsync(IStagingStore store, string key, StagingOptions options, CancellationToken cancellationToken) =>
            new(key, await store.OpenWriteAsync(key, cancellationToken), options);

        /// <summary>Writes whole records (UTF-8 CSV) and counts them.</summary>
        public async Task WriteAsync(ReadOnlyMemory<byte> records, int count, CancellationToken cancellationToken)
        {
            await _compressor.WriteAsync(records, cancellationToken);
            _rows += count;
        }

        public async Task<StagedPart> CommitAsync(CancellationToken cancellationToken)
        {
            await _compressor.DisposeAsync();
            _closed = true;
            await _counted.FlushAsync(cancellationToken);
            var part = new StagedPart(_key, _counted.BytesWritten, _rows, _counted.FinishHashHex());
            await _target.CommitAsync(cancellationToken);
            return part;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_closed)
            {
                _closed = true;
                try
                {
                    await _compressor.DisposeAsync();
                }
                catch (IOException)
                {
                    // The part is discarded: what its compressor could not flush at the end does not matter.
                }
            }

            await _counted.DisposeAsync();
            await _target.DisposeAsync();
        }
    }
}

/// <summary>How parts are cut and compressed.</summary>
public sealed record StagingOptions
{
    /// <summary>A part closes once this many compressed bytes were written (default 64 MiB).</summary>
    public long PartSizeBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>How parts are compressed (default zstd, at level <see cref="StagingCodecs.ZstdLevel"/>).</summary>
    public StagingCodec Codec { get; init; } = StagingCodec.Zstd;

    /// <summary>The gzip level, when <see cref="Codec"/> is gzip.</summary>
    public CompressionLevel CompressionLevel { get; init; } = CompressionLevel.Fastest;

    public long ProgressEveryRows { get; init; } = 10_000;

    /// <summary>The NULL marker of each staged object, from connector, run and object (<see cref="NullMarkers.For"/>; tests fix it).</summary>
    public Func<string, string, string, string> NullMarkerFor { get; init; } = NullMarkers.For;

    public void Validate()
    {
        if (PartSizeBytes < 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(PartSizeBytes), PartSizeBytes, "part size must be at least 1 KiB");
        }
    }
}
