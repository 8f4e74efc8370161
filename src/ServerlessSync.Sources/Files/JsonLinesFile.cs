using System.IO.Compression;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Sources.Files;

/// <summary>
/// Reads a JSON Lines file (<c>.jsonl</c>, or gzip-compressed <c>.jsonl.gz</c>) one line at a time as UTF-8 bytes,
/// holding one buffer of at least one line, never the file. Lines end in <c>\n</c> or <c>\r\n</c>; a UTF-8 BOM
/// before the first line is dropped.
/// </summary>
internal sealed class JsonLinesFile : IAsyncDisposable
{
    /// <summary>The longest line read; a longer one fails, so a file without line breaks cannot fill memory.</summary>
    public const int MaxLineBytes = 64 * 1024 * 1024;

    private readonly Stream _stream;
    private byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _scanned;
    private int _end;
    private bool _endOfStream;

    private JsonLinesFile(string path, Stream stream)
    {
        Path = path;
        _stream = stream;
    }

    /// <summary>The full path, as messages name it.</summary>
    public string Path { get; }

    /// <summary>The 1-based number of <see cref="Line"/>.</summary>
    public long LineNumber { get; private set; }

    /// <summary>The current line without its line break; valid until the next <see cref="ReadLineAsync"/>.</summary>
    public ReadOnlyMemory<byte> Line { get; private set; }

    public static bool IsCompressed(string path) => path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

    public static JsonLinesFile Open(string path)
    {
        var compressed = IsCompressed(path);
        // A plain file is read straight into the line buffer; the decompressor reads small pieces, so it gets a buffer.
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, compressed ? 1 << 16 : 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return new JsonLinesFile(path, compressed ? new GZipStream(file, CompressionMode.Decompress) : file);
    }

    /// <summary>An error about the current line: <c>PATH, line N: reason</c>.</summary>
    public SourceDataException Error(string reason) => new($"{Path}, line {LineNumber}: {reason}");

    public async ValueTask<bool> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_scanned, _end - _scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var lineEnd = _scanned + newline;
                SetLine(_start, lineEnd);
                _start = _scanned = lineEnd + 1;
                return true;
            }

            _scanned = _end;
            if (_endOfStream)
            {
                if (_start == _end)
                {
                    Line = ReadOnlyMemory<byte>.Empty;
                    return false;
                }

                SetLine(_start, _end);
                _start = _scanned = _end;
                return true;
            }

            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _scanned -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                if (_buffer.Length >= MaxLineBytes)
                {
                    LineNumber++;
                    throw Error($"line is longer than {MaxLineBytes} bytes");
                }

                Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, MaxLineBytes));
            }

            int read;
            try
            {
                read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            }
            catch (InvalidDataException e)
            {
                throw new SourceDataException($"{Path}: not a valid gzip file ({e.Message})");
            }

            if (read == 0)
            {
                _endOfStream = true;
            }
            else
            {
                _end += read;
            }
        }
    }

    public ValueTask DisposeAsync() => _stream.DisposeAsync();

    private void SetLine(int start, int end)
    {
        LineNumber++;
        if (end > start && _buffer[end - 1] == (byte)'\r')
        {
            end--;
        }

        if (LineNumber == 1 && _buffer.AsSpan(start, end - start).StartsWith("\uFEFF"u8))
        {
            start += 3;
        }

        Line = _buffer.AsMemory(start, end - start);
    }
}
