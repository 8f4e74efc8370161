using System.IO.Compression;

namespace ServerlessSync.Zuora.Http;

/// <summary>
/// Reads a body that should be gzip but may already be decompressed: a file stored gzip-compressed and served with
/// <c>Content-Encoding: gzip</c> arrives decompressed by the HTTP handler. The first two bytes decide (gzip's magic
/// number 1f 8b); they are put back in front of the rest, so nothing is buffered beyond them.
/// </summary>
internal static class GzipOrPlain
{
    public static async Task<Stream> OpenAsync(Stream body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var head = new byte[2];
        var read = 0;
        while (read < head.Length)
        {
            var n = await body.ReadAsync(head.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        var whole = new PrefixedStream(head.AsMemory(0, read), body);
        return read == 2 && head[0] == 0x1f && head[1] == 0x8b ? new GZipStream(whole, CompressionMode.Decompress) : whole;
    }

    /// <summary>A few bytes already read, then the rest of the stream; read-only, forward-only.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : ReadOnlyStream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_prefix.Length > 0)
            {
                return TakePrefix(buffer);
            }

            return rest.Read(buffer);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_prefix.Length > 0)
            {
                return TakePrefix(buffer.Span);
            }

            return await rest.ReadAsync(buffer, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                rest.Dispose();
            }

            base.Dispose(disposing);
        }

        private int TakePrefix(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer);
            _prefix = _prefix[n..];
            return n;
        }
    }
}
