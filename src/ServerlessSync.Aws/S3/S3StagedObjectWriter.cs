using System.Buffers;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Aws.S3;

/// <summary>
/// One object being written to S3 through a single part-sized buffer (rented from the shared array pool on
/// the first write). When the buffer is full and more bytes arrive, the buffer goes up as the next part of a
/// multipart upload (started then), and the write waits for it. Commit sends what is left: one PutObject if
/// no part went up, else the last part and CompleteMultipartUpload. Disposing without a commit aborts the
/// multipart upload. Not thread-safe, like any stream.
/// <para>Every upload carries a CRC32 checksum (<see cref="Checksum"/>), and a multipart upload names it when it is
/// created and lists each part's at completion: S3 refuses parts whose checksum the upload did not announce.</para>
/// </summary>
internal sealed class S3StagedObjectWriter : IStagedObjectWriter
{
    // S3's limit on parts in one upload.
    private const int MaxParts = 10_000;

    /// <summary>The checksum every PutObject, CreateMultipartUpload and UploadPart names (the SDK's default algorithm).</summary>
    internal static readonly ChecksumAlgorithm Checksum = ChecksumAlgorithm.CRC32;

    private readonly IAmazonS3 _s3;
    private readonly S3StagingOptions _options;
    private readonly string _key;
    private readonly List<UploadPartResponse> _parts = [];
    private byte[]? _buffer;
    private int _buffered;
    private long _written;
    private string? _uploadId;
    private WriterState _state = WriterState.Open;

    public S3StagedObjectWriter(IAmazonS3 s3, S3StagingOptions options, string key)
    {
        _s3 = s3;
        _options = options;
        _key = key;
        Body = new BodyStream(this);
    }

    private enum WriterState
    {
        Open,
        Failed,
        Committed,
        Disposed,
    }

    /// <inheritdoc/>
    public Stream Body { get; }

    /// <summary>The most bytes the buffer ever held; never more than the part size.</summary>
    internal int PeakBufferedBytes { get; private set; }

    /// <summary>The multipart upload this writer started, if the object outgrew one buffer.</summary>
    internal string? UploadId => _uploadId;

    /// <summary>Parts uploaded so far (0 for an object written with PutObject).</summary>
    internal int PartsUploaded => _parts.Count;

    /// <summary>Why the abort at dispose failed, if it did (the upload is then left to the bucket's lifecycle rule).</summary>
    internal Exception? AbortFailure { get; private set; }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        EnsureOpen();
        try
        {
            if (_uploadId is null)
            {
                using var body = new MemoryStream(_buffer ?? [], 0, _buffered, writable: false);
                await _s3.PutObjectAsync(
                    new PutObjectRequest
                    {
                        BucketName = _options.BucketName,
                        Key = _key,
                        InputStream = body,
                        ChecksumAlgorithm = Checksum,
                        ServerSideEncryptionMethod = _options.ServerSideEncryption,
                        ServerSideEncryptionKeyManagementServiceKeyId = _options.KmsKeyId,
                    },
                    cancellationToken);
            }
            else
            {
                if (_buffered > 0)
                {
                    await UploadBufferedPartAsync(cancellationToken);
                }

                var complete = new CompleteMultipartUploadRequest { BucketName = _options.BucketName, Key = _key, UploadId = _uploadId };
                complete.AddPartETagsAndChecksums(_parts);
                await _s3.CompleteMultipartUploadAsync(complete, cancellationToken);
            }

            _state = WriterState.Committed;
        }
        catch
        {
            _state = WriterState.Failed;
            throw;
        }
        finally
        {
            ReturnBuffer();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_state == WriterState.Disposed)
        {
            return;
        }

        var abandoned = _state == WriterState.Committed ? null : _uploadId;
        _state = WriterState.Disposed;
        ReturnBuffer();
        if (abandoned is null)
        {
            return;
        }

        try
        {
            // Not the caller's token: the abort must run even when the write was cancelled.
            await _s3.AbortMultipartUploadAsync(
                new AbortMultipartUploadRequest { BucketName = _options.BucketName, Key = _key, UploadId = abandoned },
                CancellationToken.None);
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or OperationCanceledException)
        {
            // Dispose runs while another exception unwinds; throwing here would hide it.
            AbortFailure = e;
        }
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        EnsureOpen();
        while (!data.IsEmpty)
        {
            if (_buffered == _options.PartSizeBytes)
            {
                // Full, and more is coming: this buffer is not the last part.
                await UploadBufferedPartAsync(cancellationToken);
            }

            data = data[Append(data.Span)..];
        }
    }

    private void Write(ReadOnlySpan<byte> data)
    {
        EnsureOpen();
        while (!data.IsEmpty)
        {
            if (_buffered == _options.PartSizeBytes)
            {
                // A synchronous caller waits for the upload: the SDK offers no synchronous calls here.
                UploadBufferedPartAsync(CancellationToken.None).GetAwaiter().GetResult();
            }

            data = data[Append(data)..];
        }
    }

    // Copies what fits into the buffer; returns how many bytes it took.
    private int Append(ReadOnlySpan<byte> data)
    {
        _buffer ??= ArrayPool<byte>.Shared.Rent(_options.PartSizeBytes);
        var count = Math.Min(data.Length, _options.PartSizeBytes - _buffered);
        data[..count].CopyTo(_buffer.AsSpan(_buffered));
        _buffered += count;
        _written += count;
        PeakBufferedBytes = Math.Max(PeakBufferedBytes, _buffered);
        return count;
    }

    private async Task UploadBufferedPartAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_parts.Count == MaxParts)
            {
                throw new IOException($"s3://{_options.BucketName}/{_key} needs more than {MaxParts} parts of {_options.PartSizeBytes} bytes; raise the part size");
            }

            _uploadId ??= (await _s3.InitiateMultipartUploadAsync(
                new InitiateMultipartUploadRequest
                {
                    BucketName = _options.BucketName,
                    Key = _key,
                    ChecksumAlgorithm = Checksum,
                    ServerSideEncryptionMethod = _options.ServerSideEncryption,
                    ServerSideEncryptionKeyManagementServiceKeyId = _options.KmsKeyId,
                },
                cancellationToken)).UploadId;

            using var body = new MemoryStream(_buffer!, 0, _buffered, writable: false);
            var part = await _s3.UploadPartAsync(
                new UploadPartRequest
                {
                    BucketName = _options.BucketName,
                    Key = _key,
                    UploadId = _uploadId,
                    PartNumber = _parts.Count + 1,
                    InputStream = body,
                    PartSize = _buffered,
                    ChecksumAlgorithm = Checksum,
                },
                cancellationToken);
            _parts.Add(part);
            _buffered = 0;
        }
        catch
        {
            _state = WriterState.Failed;
            throw;
        }
    }

    private void EnsureOpen()
    {
        switch (_state)
        {
            case WriterState.Open:
                return;
            case WriterState.Failed:
                throw new InvalidOperationException($"writing s3://{_options.BucketName}/{_key} failed earlier; dispose the writer and start again");
            case WriterState.Committed:
                throw new InvalidOperationException($"s3://{_options.BucketName}/{_key} is already committed");
            default:
                throw new ObjectDisposedException(nameof(S3StagedObjectWriter), $"the writer of s3://{_options.BucketName}/{_key} is disposed");
        }
    }

    private void ReturnBuffer()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
            _buffered = 0;
        }
    }

    /// <summary>Write-only and forward-only. Disposing it does nothing: commit or dispose the writer.</summary>
    private sealed class BodyStream(S3StagedObjectWriter writer) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => writer._written;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => writer.Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer) => writer.Write(buffer);

        public override void WriteByte(byte value) => writer.Write([value]);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            writer.WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            writer.WriteAsync(buffer, cancellationToken);

        // Bytes stay buffered until a part is full or the writer commits: S3 has no smaller unit to flush to.
        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
