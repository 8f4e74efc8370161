using System.IO.Compression;
using System.Text;
using ServerlessSync.Zuora.Http;

namespace ServerlessSync.Zuora.Tests.Source;

public class GzipOrPlainTests
{
    private const string Csv = "id,updateddate\r\n2c9a,2026-11-01T00:00:00.000+00:00\r\n";

    [Fact]
    public async Task OpenAsync_GzipBody_Decompressed() => Assert.Equal(Csv, await ReadAsync(Gzip(Csv)));

    [Fact]
    public async Task OpenAsync_AlreadyDecompressedBody_ReadAsItIs() => Assert.Equal(Csv, await ReadAsync(Encoding.UTF8.GetBytes(Csv)));

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    public async Task OpenAsync_ShorterThanTheMagicNumber_ReadAsItIs(string text) => Assert.Equal(text, await ReadAsync(Encoding.UTF8.GetBytes(text)));

    private static async Task<string> ReadAsync(byte[] body)
    {
        // One byte per read, so the two bytes looked at arrive in separate reads too.
        await using var stream = await GzipOrPlain.OpenAsync(new OneByteStream(body), CancellationToken.None);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    private static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }

    private sealed class OneByteStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 1)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 1)], cancellationToken);
    }
}
