using System.Runtime.CompilerServices;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Sources.Files;

/// <summary>
/// The <c>files:DIR</c> source: Zuora Data Query–style exports, one JSON Lines file per object in one directory,
/// <c>account.jsonl</c> or gzip-compressed <c>account.jsonl.gz</c> (the object is the file name before the extension,
/// lowercased: letters, digits and <c>_</c>, starting with a letter). Each line is one JSON object with lowercase keys:
/// <c>id</c> (string) and <c>updateddate</c> (ISO-8601 datetime with offset) on every line, an optional boolean
/// <c>deleted</c> (the delete flag, not a column), any other columns. Blank lines are skipped.
/// <para>Types are declared in an optional <c>DIR/schema.json</c> or inferred (rules in <see cref="SchemaInference"/>).
/// <see cref="DescribeAsync"/> reads the whole file once, streaming; <see cref="ReadAsync"/> reads it again. A malformed
/// line fails the object with a <see cref="SourceDataException"/> naming the file, the 1-based line and the reason.</para>
/// </summary>
public sealed class FilesSource : ISource
{
    public const string SourceName = "files";

    /// <summary>The key that flags a deleted record.</summary>
    public const string DeletedKey = "deleted";

    private const string Extension = ".jsonl";
    private const string CompressedExtension = ".jsonl.gz";

    private readonly Dictionary<string, string> _files;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<ColumnSchema>> _declared;

    /// <summary>Finds the objects in <paramref name="directory"/> and reads its <c>schema.json</c>.</summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="InvalidDataException">A file name is not an object name, two files are one object, or <c>schema.json</c> is wrong.</exception>
    public FilesSource(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(Directory))
        {
            throw new DirectoryNotFoundException($"files source: directory {Directory} does not exist");
        }

        _files = FindObjects(Directory);
        Objects = [.. _files.Keys.Order(StringComparer.Ordinal)];
        _declared = DeclaredTypes.Load(Path.Combine(Directory, DeclaredTypes.FileName), Objects);
    }

    public string Name => SourceName;

    /// <summary>The full path of the directory.</summary>
    public string Directory { get; }

    /// <summary>The objects found in the directory, sorted by name (the files carry no dependency order).</summary>
    public IReadOnlyList<string> Objects { get; }

    /// <summary>The object's columns: declared types, the rest inferred in one streaming pass over the file.</summary>
    public async ValueTask<ObjectSchema> DescribeAsync(string objectName, CancellationToken cancellationToken)
    {
        var path = PathOf(objectName);
        var inference = new SchemaInference(objectName, _declared.GetValueOrDefault(objectName) ?? []);
        await using var file = JsonLinesFile.Open(path);
        while (await file.ReadLineAsync(cancellationToken))
        {
            if (!JsonValues.IsBlank(file.Line.Span))
            {
                inference.Observe(file);
            }
        }

        return inference.Build(path);
    }

    /// <summary>
    /// Streams the rows whose <c>updateddate</c> lies in <paramref name="window"/>: live rows for a historical window,
    /// deleted ones too for an incremental one. Every line is checked, in the window or not.
    /// </summary>
    public async IAsyncEnumerable<SourceRow> ReadAsync(ObjectSchema schema, SyncWindow window, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(window);
        schema.Validate();
        var path = PathOf(schema.Name);
        var parser = new RowParser(schema);
        await using var file = JsonLinesFile.Open(path);
        while (await file.ReadLineAsync(cancellationToken))
        {
            if (JsonValues.IsBlank(file.Line.Span))
            {
                continue;
            }

            var (row, updated) = parser.Parse(file);
            if (window.Contains(updated) && (window.Mode == SyncMode.Incremental || !row.Deleted))
            {
                yield return row;
            }
        }
    }

    private string PathOf(string objectName)
    {
        ArgumentNullException.ThrowIfNull(objectName);
        return _files.TryGetValue(objectName, out var path) ? path : throw new UnknownObjectException(Name, objectName, Objects);
    }

    private static Dictionary<string, string> FindObjects(string directory)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in System.IO.Directory.EnumerateFiles(directory))
        {
            var fileName = Path.GetFileName(path);
            var lower = fileName.ToLowerInvariant();
            string objectName;
            if (lower.EndsWith(CompressedExtension, StringComparison.Ordinal))
            {
                objectName = lower[..^CompressedExtension.Length];
            }
            else if (lower.EndsWith(Extension, StringComparison.Ordinal))
            {
                objectName = lower[..^Extension.Length];
            }
            else
            {
                continue;
            }

            if (fileName.StartsWith('.'))
            {
                continue;
            }

            if (!IsObjectName(objectName))
            {
                throw new InvalidDataException($"files source: {path}: '{objectName}' is not an object name (letters, digits and _, starting with a letter)");
            }

            if (files.TryGetValue(objectName, out var other))
            {
                throw new InvalidDataException($"files source: {other} and {path} are both object '{objectName}'; keep one");
            }

            files[objectName] = path;
        }

        return files;
    }

    private static bool IsObjectName(string name) =>
        name.Length > 0 && char.IsAsciiLetterLower(name[0]) && name.AsSpan().IndexOfAnyExcept("abcdefghijklmnopqrstuvwxyz0123456789_") < 0;
}
