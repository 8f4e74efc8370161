using System.Runtime.CompilerServices;
using System.Text;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Zuora.Csv;

/// <summary>Turns an exported CSV file into <see cref="SourceRow"/>s of a schema, one record at a time.</summary>
internal static class CsvRows
{
    private const int ExcerptLength = 40;

    /// <summary>
    /// Reads the header, maps its names case-insensitively to <paramref name="schema"/>'s columns (see
    /// <see cref="ColumnName"/> for <c>Object.Field</c> names; a header name not in
    /// the schema is ignored; a column in <paramref name="required"/> missing from the header is an error; another
    /// missing column stays null), then yields one row per record. Values that do not parse, or a record with another
    /// field count than the header, throw <see cref="SourceDataException"/> naming <paramref name="what"/>, the line and
    /// the column; so does text that is not valid UTF-8. A date alone in a timestamp column is midnight in
    /// <paramref name="systemTimeZone"/>. A file of zero bytes is an error unless
    /// <paramref name="emptyFileIsNoRows"/> (Data Query may write nothing, not even a header, for no rows).
    /// </summary>
    public static async IAsyncEnumerable<SourceRow> ReadAsync(
        Stream csv,
        ObjectSchema schema,
        IReadOnlyCollection<string> required,
        bool deleted,
        string what,
        bool emptyFileIsNoRows,
        string? objectName,
        TimeZoneInfo systemTimeZone,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new CsvRecordReader(csv);
        if (!await NextAsync(reader, what, cancellationToken))
        {
            if (emptyFileIsNoRows)
            {
                yield break;
            }

            throw new SourceDataException($"{what}: the CSV file is empty (no header line)");
        }

        var header = reader.Fields.ToArray();
        var from = MapColumns(schema, header, objectName, required, what);
        while (true)
        {
            if (!await NextAsync(reader, what, cancellationToken))
            {
                yield break;
            }

            var fields = reader.Fields;
            if (fields.Count != header.Length)
            {
                throw new SourceDataException($"{what}: line {reader.RecordLine}: {fields.Count} fields where the header has {header.Length}");
            }

            var values = new object?[schema.Columns.Count];
            for (var i = 0; i < values.Length; i++)
            {
                if (from[i] < 0 || fields[from[i]] is not { } text)
                {
                    continue;
                }

                var column = schema.Columns[i];
                try
                {
                    values[i] = ZuoraValues.Parse(text, column.Type, systemTimeZone);
                }
                catch (FormatException e)
                {
                    throw new SourceDataException($"{what}: line {reader.RecordLine}, column '{column.Name}' ({column.Type}): {Excerpt(text)} {e.Message}");
                }
                catch (OverflowException e)
                {
                    throw new SourceDataException($"{what}: line {reader.RecordLine}, column '{column.Name}' ({column.Type}): {Excerpt(text)} {e.Message}");
                }
            }

            yield return new SourceRow(values, deleted);
        }
    }

    /// <summary>The next record (false at the end); malformed CSV or invalid UTF-8 throws <see cref="SourceDataException"/>.</summary>
    private static async ValueTask<bool> NextAsync(CsvRecordReader reader, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadAsync(cancellationToken);
        }
        catch (CsvFormatException e)
        {
            throw new SourceDataException($"{what}: CSV {e.Message}");
        }
        catch (DecoderFallbackException e)
        {
            // The reader decodes a buffer ahead: the bad bytes are in the record starting on this line or a later one.
            var bytes = e.BytesUnknown is { Length: > 0 } unknown ? $" (bytes {Convert.ToHexString(unknown)})" : "";
            throw new SourceDataException($"{what}: line {reader.RecordLine} or after: the file is not valid UTF-8{bytes}");
        }
    }

    /// <summary>A quoted start of the value, at most 40 characters, control characters shown as escapes.</summary>
    internal static string Excerpt(string text)
    {
        var clipped = text.Length <= ExcerptLength ? text : text[..ExcerptLength] + "…";
        var shown = clipped.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);
        return $"'{shown}'";
    }

    /// <summary>
    /// The column a header name stands for. AQuA with <c>useQueryLabels</c> names each column <c>Object.Field</c>: a field
    /// of <paramref name="objectName"/> itself loses the prefix (<c>Account.Id</c> → <c>Id</c>), a joined parent keeps it
    /// without the dot (<c>Account.Id</c> in an Invoice export → <c>AccountId</c>). A name without a dot is taken as it is.
    /// </summary>
    internal static string? ColumnName(string? header, string? objectName)
    {
        var name = header?.Trim();
        var dot = name?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (name is null || dot < 0)
        {
            return name;
        }

        var prefix = name[..dot];
        return string.Equals(prefix, objectName, StringComparison.OrdinalIgnoreCase) ? name[(dot + 1)..] : prefix + name[(dot + 1)..];
    }

    private static int[] MapColumns(ObjectSchema schema, string?[] header, string? objectName, IReadOnlyCollection<string> required, string what)
    {
        var names = header.Select(h => ColumnName(h, objectName)).ToArray();
        var from = new int[schema.Columns.Count];
        for (var i = 0; i < from.Length; i++)
        {
            var name = schema.Columns[i].Name;
            from[i] = Array.FindIndex(names, h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));
            if (from[i] < 0 && required.Contains(name))
            {
                throw new SourceDataException($"{what}: the CSV header has no column '{name}' (header: {string.Join(",", header)})");
            }
        }

        return from;
    }
}
