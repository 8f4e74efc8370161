using System.IO.Compression;
using System.Text;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Core.Staging;

/// <summary>Where an extraction stands, for progress displays.</summary>
public sealed record ExtractProgress(string ObjectName, long Rows, long CompressedBytes, int Parts);

/// <summary>
/// Streams rows into compressed CSV parts (<see cref="StagingOptions.Codec"/>) in the staging store and writes the manifest last. Memory stays at
/// one row plus the compressor's and the store's buffers, whatever the object's size.
/// </summary>
public sealed class ObjectStager(IStagingStore store, StagingOptions options, TimeProvider time)
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

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

    /// <summary>As above; with <paramref name="slice"/> the parts go under that slice's folder (<see cref="StagingKeys.SlicePart"/>).</summary>
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
        var parts = new List<StagedPart>();
        var nullMarker = options.NullMarkerFor(connectorId, runId, schema.Name);
        var line = new StringBuilder(256);
        PartWriter? part = null;
        long totalRows = 0;
        long rowsAtLastReport = 0;
        try
        {
            await foreach (var row in rows.WithCancellation(cancellationToken))
            {
                if (row.Values.Length != schema.Columns.Count)
                {
                    throw new SourceDataException($"object '{schema.Name}' row {totalRows + 1} has {row.Values.Length} values for {schema.Columns.Count} columns");
                }

                line.Clear();
                for (var i = 0; i < row.Values.Length; i++)
                {
                    if (row.Values[i] is string text && text == nullMarker)
                    {
                        // Never met by chance (40 bits no source value was written knowing); refused so that no file holds its marker as text.
                        throw new SourceDataException(
                            $"object '{schema.Name}' column '{schema.Columns[i].Name}' holds the text '{text}', which is this staging's NULL marker; run the sync again: each run has its own marker");
                    }

                    CsvFormat.AppendValue(line, schema.Columns[i], row.Values[i], nullMarker);
                    line.Append(CsvFormat.Delimiter);
                }

                line.Append(row.Deleted ? "true" : "false").Append('\n');

                part ??= await PartWriter.OpenAsync(
                    store,
                    slice is { } s ? StagingKeys.SlicePart(connectorId, runId, schema.Name, s, parts.Count, options.Codec) : StagingKeys.Part(connectorId, runId, schema.Name, parts.Count, options.Codec),
                    options,
                    cancellationToken);
                await part.WriteLineAsync(line, cancellationToken);
                totalRows++;
                if (part.CompressedBytes >= options.PartSizeBytes)
                {
                    parts.Add(await part.CommitAsync(cancellationToken));
                    await part.DisposeAsync();
                    part = null;
                }

                if (totalRows - rowsAtLastReport >= options.ProgressEveryRows)
                {
                    rowsAtLastReport = totalRows;
                    progress?.Report(new ExtractProgress(schema.Name, totalRows, parts.Sum(p => p.Bytes) + (part?.CompressedBytes ?? 0), parts.Count + (part is null ? 0 : 1)));
                }
            }

            if (part is not null)
            {
                parts.Add(await part.CommitAsync(cancellationToken));
            }
        }
        finally
        {
            if (part is not null)
            {
                await part.DisposeAsync();
            }
        }

        var manifest = new StagedManifest(
            StagedManifest.FormatOf(options.Codec),
            connectorId,
            runId,
            schema.Name,
            window.Start,
            window.End,
            StagedManifest.ColumnsOf(schema),
            nullMarker,
            parts,
            totalRows,
            parts.Sum(p => p.Bytes),
            time.GetUtcNow(),
            taskToken);
        progress?.Report(new ExtractProgress(schema.Name, totalRows, manifest.Bytes, parts.Count));
        return manifest;
    }

    private sealed class PartWriter : IAsyncDisposable
    {
        private readonly string _key;
        private readonly IStagedObjectWriter _target;
        private readonly HashingCountingStream _counted;
        private readonly Stream _compressor;
        private readonly StreamWriter _text;
        private long _rows;
        private bool _closed;

        private PartWriter(string key, IStagedObjectWriter target, StagingOptions options)
        {
            _key = key;
            _target = target;
            _counted = new HashingCountingStream(target.Body);
            _compressor = options.Codec.OpenCompressor(_counted, options.CompressionLevel);
            _text = new StreamWriter(_compressor, Utf8NoBom, bufferSize: 1 << 16, leaveOpen: true);
        }

        public long CompressedBytes => _counted.BytesWritten;

        public static async Task<PartWriter> OpenAsync(IStagingStore store, string key, StagingOptions options, CancellationToken cancellationToken) =>
            new(key, await store.OpenWriteAsync(key, cancellationToken), options);

        public async Task WriteLineAsync(StringBuilder line, CancellationToken cancellationToken)
        {
            await _text.WriteAsync(line, cancellationToken);
            _rows++;
        }

        public async Task<StagedPart> CommitAsync(CancellationToken cancellationToken)
        {
            await _text.FlushAsync(cancellationToken);
            await _text.DisposeAsync();
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
                await _text.DisposeAsync();
                await _compressor.DisposeAsync();
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
