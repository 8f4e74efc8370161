using System.Net;
using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Aws.S3;

/// <summary>
/// The staging store in an S3 bucket. Writes stream through one part-sized buffer: an object that fits in it
/// is written with one PutObject at commit, a bigger one as a multipart upload whose parts go up while the
/// producer writes and which completes at commit (so nothing is visible under the key before). Every write
/// requests the configured server-side encryption. The manifest's object-created notification is the bucket's
/// own (an S3 event notification), so this store raises nothing itself.
/// </summary>
/// <remarks>
/// The caller's role needs <c>s3:GetObject</c>, <c>s3:PutObject</c>, <c>s3:AbortMultipartUpload</c>,
/// <c>s3:DeleteObject</c> and <c>s3:ListBucket</c> (without ListBucket S3 answers a missing key with 403, not 404),
/// plus <c>kms:GenerateDataKey</c>/<c>kms:Decrypt</c> on the key for SSE-KMS. Give the bucket a lifecycle rule
/// that aborts incomplete multipart uploads: an abort that fails (or a process that dies mid-write) leaves one.
/// </remarks>
public sealed class S3StagingStore : IStagingStore
{
    private readonly IAmazonS3 _s3;
    private readonly S3StagingOptions _options;

    /// <summary>Uses <paramref name="s3"/> without owning it.</summary>
    public S3StagingStore(IAmazonS3 s3, S3StagingOptions options)
    {
        ArgumentNullException.ThrowIfNull(s3);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _s3 = s3;
        _options = options;
    }

    /// <inheritdoc/>
    public Task<IStagedObjectWriter> OpenWriteAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return Task.FromResult<IStagedObjectWriter>(new S3StagedObjectWriter(_s3, _options, key));
    }

    /// <summary>Streams the object's body; a missing key throws <see cref="FileNotFoundException"/> naming
    /// <c>s3://bucket/key</c>.</summary>
    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        GetObjectResponse response;
        try
        {
            response = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = _options.BucketName, Key = key }, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode == "NoSuchKey")
        {
            var location = LocationOf(key);
            throw new FileNotFoundException($"staged object {location} does not exist", location, e);
        }

        return new ResponseBodyStream(response);
    }

    /// <summary>Lists the keys under <paramref name="prefix"/> in key order, one ListObjectsV2 page at a time.</summary>
    public async IAsyncEnumerable<StagedObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        string? continuationToken = null;
        do
        {
            var page = await _s3.ListObjectsV2Async(
                new ListObjectsV2Request
                {
                    BucketName = _options.BucketName,
                    Prefix = prefix,
                    MaxKeys = _options.ListPageSize,
                    ContinuationToken = continuationToken,
                },
                cancellationToken);

            // The v4 SDK leaves collections null when a page is empty.
            foreach (var item in page.S3Objects ?? [])
            {
                yield return new StagedObjectInfo(item.Key, item.Size ?? 0);
            }

            continuationToken = null;
            if (page.IsTruncated == true)
            {
                continuationToken = page.NextContinuationToken is { Length: > 0 } next
                    ? next
                    : throw new InvalidDataException($"listing s3://{_options.BucketName}/{prefix} came back truncated without a continuation token");
            }
        }
        while (continuationToken is not null);
    }

    /// <summary>Deletes the keys with DeleteObjects, at most 1000 a request. Keys already gone are not an error;
    /// keys S3 refuses to delete throw an <see cref="IOException"/> naming each key and S3's error code, after
    /// every batch was tried.</summary>
    public async Task DeleteAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var failures = new List<DeleteError>();
        foreach (var batch in keys.Chunk(_options.DeleteBatchSize))
        {
            List<DeleteError>? errors;
            try
            {
                var response = await _s3.DeleteObjectsAsync(
                    new DeleteObjectsRequest
                    {
                        BucketName = _options.BucketName,
                        Quiet = true,
                        Objects = [.. batch.Select(k => new KeyVersion { Key = k })],
                    },
                    cancellationToken);
                errors = response.DeleteErrors;
            }
            catch (DeleteObjectsException e)
            {
                // The SDK throws when the response lists errors; the errors are the answer.
                errors = e.Response?.DeleteErrors;
            }

            failures.AddRange((errors ?? []).Where(e => e.Code != "NoSuchKey"));
        }

        if (failures.Count > 0)
        {
            const int Shown = 20;
            var listed = string.Join("; ", failures.Take(Shown).Select(f => $"{f.Key}: {f.Code} ({f.Message})"));
            var more = failures.Count > Shown ? $"; and {failures.Count - Shown} more" : "";
            throw new IOException($"could not delete {failures.Count} of {keys.Count} objects from s3://{_options.BucketName}: {listed}{more}");
        }
    }

    /// <summary><c>s3://{bucket}/{key}</c>, the form Redshift's COPY reads.</summary>
    public string LocationOf(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return $"s3://{_options.BucketName}/{key}";
    }

    /// <summary>The response body; disposing it disposes the whole response (and frees its connection).</summary>
    private sealed class ResponseBodyStream(GetObjectResponse response) : Stream
    {
        private readonly Stream _body = response.ResponseStream;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => response.ContentLength;

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => _body.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => _body.Read(buffer);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            _body.ReadAsync(buffer, offset, count, cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            _body.ReadAsync(buffer, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
