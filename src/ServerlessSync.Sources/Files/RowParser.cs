using System.Text.Json;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Sources.Files;

/// <summary>
/// Turns one JSON line into a <see cref="SourceRow"/> of <see cref="ObjectSchema"/>'s CLR values: varchar → string
/// (a number, boolean, object or array as its JSON text), bigint → long, decimal → decimal (exact, within the declared
/// precision and scale), boolean → bool, date → DateOnly, timestamptz → DateTimeOffset in UTC with at most microseconds.
/// </summary>
internal sealed class RowParser
{
    private readonly ObjectSchema _schema;
    private readonly ColumnNames _names = new();
    private readonly char[] _chars = new char[ColumnNames.BufferLength];
    private readonly long[] _lastLine;
    private readonly int _id;
    private readonly int _updated;

    public RowParser(ObjectSchema schema)
    {
        _schema = schema;
        foreach (var column in schema.Columns)
        {
            _names.Add(column.Name);
        }

        _lastLine = new long[schema.Columns.Count];
        _id = schema.IndexOf(ObjectSchema.PrimaryKey);
        _updated = schema.IndexOf(ObjectSchema.CursorColumn);
    }

    /// <summary>The row on the current (not blank) line and its <c>updateddate</c>; throws <see cref="SourceDataException"/> for a malformed one.</summary>
    public (SourceRow Row, DateTimeOffset Updated) Parse(JsonLinesFile file)
    {
        try
        {
            return ParseLine(file.Line.Span, file);
        }
        catch (JsonException e)
        {
            throw file.Error(JsonValues.InvalidJson(e));
        }
        catch (InvalidOperationException e)
        {
            throw file.Error($"invalid text: {e.Message}");
        }
    }

    /// <summary>Reads the <c>deleted</c> flag's value: true, false or null.</summary>
    public static bool CheckDeleted(ref Utf8JsonReader reader, ref bool seen, JsonLinesFile file)
    {
        if (seen)
        {
            throw file.Error($"key '{FilesSource.DeletedKey}' appears twice");
        }

        seen = true;
        return reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False or JsonTokenType.Null => false,
            _ => throw file.Error($"'{FilesSource.DeletedKey}' must be true, false or null, not {JsonValues.Show(ref reader)}"),
        };
    }

    /// <summary>Reads <c>id</c>: a non-empty string.</summary>
    public static string ReadId(ref Utf8JsonReader reader, JsonLinesFile file)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            throw file.Error($"missing {ObjectSchema.PrimaryKey} (it is null)");
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw file.Error($"{ObjectSchema.PrimaryKey} must be a string, not {JsonValues.Show(ref reader)}");
        }

        var id = reader.GetString()!;
        return id.Length > 0 ? id : throw file.Error($"{ObjectSchema.PrimaryKey} is empty");
    }

    /// <summary>Reads <c>updateddate</c>: a datetime with offset, returned in UTC.</summary>
    public static DateTimeOffset ReadUpdated(ref Utf8JsonReader reader, Span<char> buffer, JsonLinesFile file)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            throw file.Error($"missing {ObjectSchema.CursorColumn} (it is null)");
        }

        return ReadTimestamp(ref reader, buffer, ObjectSchema.CursorColumn, file);
    }

    private (SourceRow Row, DateTimeOffset Updated) ParseLine(ReadOnlySpan<byte> line, JsonLinesFile file)
    {
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 64 });
        Span<char> buffer = _chars;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw file.Error("the line is not a JSON object");
        }

        var values = new object?[_schema.Columns.Count];
        bool deleted = false, hasDeleted = false;
        DateTimeOffset? updated = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = ColumnNames.PropertyName(ref reader, buffer);
            if (name.SequenceEqual(FilesSource.DeletedKey))
            {
                reader.Read();
                deleted = CheckDeleted(ref reader, ref hasDeleted, file);
                continue;
            }

            var position = _names.Find(name);
            if (position < 0)
            {
                throw file.Error($"column '{name}' is not in the schema of object '{_schema.Name}' (did the file change after it was described?)");
            }

            if (_lastLine[position] == file.LineNumber)
            {
                throw file.Error($"key '{name}' appears twice");
            }

            _lastLine[position] = file.LineNumber;
            reader.Read();
            if (position == _id)
            {
                values[position] = ReadId(ref reader, file);
            }
            else if (position == _updated)
            {
                var value = ReadUpdated(ref reader, buffer, file);
                values[position] = value;
                updated = value;
            }
            else
            {
                values[position] = ReadValue(ref reader, line, buffer, _schema.Columns[position], file);
            }
        }

        if (reader.Read())
        {
            throw file.Error("more than one JSON value on the line");
        }

        if (values[_id] is null)
        {
            throw file.Error($"missing {ObjectSchema.PrimaryKey}");
        }

        if (updated is null)
        {
            throw file.Error($"missing {ObjectSchema.CursorColumn}");
        }

        return (new SourceRow(values, deleted), updated.Value);
    }

    private static object? ReadValue(ref Utf8JsonReader reader, ReadOnlySpan<byte> line, Span<char> buffer, ColumnSchema column, JsonLinesFile file)
    {
        var token = reader.TokenType;
        if (token == JsonTokenType.Null)
        {
            return null;
        }

        switch (column.Type.Kind)
        {
            case ColumnKind.String:
                return token == JsonTokenType.String ? reader.GetString() : JsonValues.RawText(ref reader, line);
            case ColumnKind.Int64 when token == JsonTokenType.Number && reader.TryGetInt64(out var integer):
                return integer;
            case ColumnKind.Decimal when token == JsonTokenType.Number:
                return ReadDecimal(ref reader, column, file);
            case ColumnKind.Boolean when token is JsonTokenType.True or JsonTokenType.False:
                return token == JsonTokenType.True;
            case ColumnKind.Date when token == JsonTokenType.String:
                var text = JsonValues.Chars(ref reader, buffer);
                return JsonValues.ParseDate(text, out var date) switch
                {
                    TemporalText.Valid => date,
                    TemporalText.OutOfRange => throw file.Error($"column '{column.Name}' (date): {JsonValues.Show(ref reader)} is not a real date"),
                    _ => throw Mismatch(ref reader, column, file),
                };
            case ColumnKind.Timestamp:
                return ReadTimestamp(ref reader, buffer, column.Name, file);
            default:
                throw Mismatch(ref reader, column, file);
        }
    }

    private static decimal ReadDecimal(ref Utf8JsonReader reader, ColumnSchema column, JsonLinesFile file)
    {
        var number = JsonValues.AnalyzeNumber(reader.ValueSpan);
        if (number.SignificantDigits > JsonValues.MaxDecimalDigits || number.NormalizedPlaces > JsonValues.MaxDecimalDigits || !reader.TryGetDecimal(out var value))
        {
            throw file.Error($"column '{column.Name}' ({column.Type}): {JsonValues.Show(ref reader)} does not fit a decimal exactly (at most {JsonValues.MaxDecimalDigits} significant digits)");
        }

        try
        {
            CsvFormat.CheckFits(column, value);
        }
        catch (SourceDataException e)
        {
            throw file.Error(e.Message);
        }

        // Trailing zeros beyond the column's scale (1.500 in decimal(18,2)) are dropped; the value is unchanged.
        return value.Scale > column.Type.Scale ? decimal.Round(value, column.Type.Scale) : value;
    }

    private static DateTimeOffset ReadTimestamp(ref Utf8JsonReader reader, Span<char> buffer, string columnName, JsonLinesFile file)
    {
        if (reader.TokenType != JsonTokenType.String || reader.HasValueSequence || reader.ValueSpan.Length > JsonValues.MaxTemporalLength)
        {
            throw NotTimestamp(ref reader, columnName, file);
        }

        var text = JsonValues.Chars(ref reader, buffer);
        return JsonValues.ParseTimestamp(text, out var utc) switch
        {
            TemporalText.Valid => utc,
            TemporalText.FinerThanMicrosecond => throw file.Error($"column '{columnName}': timestamp {JsonValues.Show(ref reader)} is finer than a microsecond; warehouses keep microseconds"),
            TemporalText.OutOfRange => throw file.Error($"column '{columnName}' (timestamptz): {JsonValues.Show(ref reader)} is not a real datetime"),
            _ => throw NotTimestamp(ref reader, columnName, file),
        };
    }

    private static SourceDataException NotTimestamp(ref Utf8JsonReader reader, string columnName, JsonLinesFile file) =>
        file.Error($"column '{columnName}' (timestamptz): {JsonValues.Show(ref reader)} is not an ISO-8601 datetime with offset (YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±HH:MM))");

    private static SourceDataException Mismatch(ref Utf8JsonReader reader, ColumnSchema column, JsonLinesFile file) =>
        file.Error($"column '{column.Name}' is {column.Type} but the value is {JsonValues.Show(ref reader)}");
}
