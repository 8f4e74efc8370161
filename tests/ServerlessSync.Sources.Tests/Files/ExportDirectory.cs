using System.IO.Compression;
using System.Text;
using ServerlessSync.Core.Model;
using ServerlessSync.Sources.Files;

namespace ServerlessSync.Sources.Tests.Files;

/// <summary>A temporary export directory for <see cref="FilesSource"/> tests; deleted on dispose.</summary>
internal sealed class ExportDirectory : IDisposable
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public ExportDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "files-source-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string PathOf(string fileName) => System.IO.Path.Combine(Path, fileName);

    /// <summary>Writes <paramref name="lines"/> joined by <c>\n</c> (gzip-compressed when the name ends in .gz).</summary>
    public string Write(string fileName, params IEnumerable<string> lines) => WriteText(fileName, string.Join('\n', lines) + "\n");

    public string WriteText(string fileName, string text)
    {
        var path = PathOf(fileName);
        using var file = File.Create(path);
        using Stream body = fileName.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionLevel.Fastest) : file;
        body.Write(Utf8NoBom.GetBytes(text));
        return path;
    }

    public FilesSource Source() => new(Path);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }

    /// <summary>A line with the two keys every row needs, then <paramref name="rest"/> (JSON members, comma-separated).</summary>
    public static string Row(string id, string updated = "2025-03-01T10:00:00Z", string? rest = null) =>
        rest is null ? $$"""{"id":"{{id}}","updateddate":"{{updated}}"}""" : $$"""{"id":"{{id}}","updateddate":"{{updated}}",{{rest}}}""";

    public static async Task<List<SourceRow>> ReadAllAsync(FilesSource source, string objectName, SyncWindow window)
    {
        var schema = await source.DescribeAsync(objectName, CancellationToken.None);
        var rows = new List<SourceRow>();
        await foreach (var row in source.ReadAsync(schema, window, CancellationToken.None))
        {
            rows.Add(row);
        }

        return rows;
    }
}
