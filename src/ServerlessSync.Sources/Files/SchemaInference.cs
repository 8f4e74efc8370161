using System.Text.Json;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Sources.Files;

/// <summary>
/// Finds an object's columns in one streaming pass over its file.
/// <para><b>How column types are found.</b> A type declared in <c>schema.json</c> wins; every other column is
/// inferred from all its values in the file (nulls and missing keys tell nothing):</para>
/// <list type="bullet">
/// <item>a string that is exactly <c>YYYY-MM-DD</c> → <c>date</c>;</item>
/// <item>a string that is an ISO-8601 datetime with seconds and an offset, <c>YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)</c>
/// → <c>timestamptz</c>;</item>
/// <item>JSON <c>true</c>/<c>false</c> → <c>boolean</c>;</item>
/// <item>a JSON integer (no fraction, no exponent) → <c>bigint</c>; one beyond 64 bits → <c>decimal(38,0)</c>;</item>
/// <item>a JSON number with a fraction or an exponent → <c>decimal(38,s)</c>, s being the most decimal places any value
/// is written with (<c>1.50</c> has 2, <c>1.5e-3</c> has 4; trailing zeros count up to 18). A value that needs more
/// than 18 places fails the object, naming its line; integers and such numbers together are <c>decimal(38,s)</c>;</item>
/// <item>any other mix (a number and a string, a date and a datetime, …), any other string, an object or an array →
/// <c>varchar</c>; a column that is null or missing everywhere → <c>varchar</c>. A varchar column keeps a number,
/// boolean, object or array value as its JSON text.</item>
/// </list>
/// <para><c>id</c> is always <c>varchar</c> and <c>updateddate</c> always <c>timestamptz</c>: every line must have
/// them as a non-empty string and a datetime with offset. The key <c>deleted</c> is the delete flag, not a column.
/// Columns are ordered <c>id</c>, <c>createddate</c> (when present), <c>updateddate</c>, then the others in the order
/// the file first shows them, then declared columns the file never shows, in declaration order.</para>
/// <para>A date or datetime is recognised by its shape: a column of them fails on a value such as
/// <c>2025-02-30</c> when the rows are read, rather than turning into varchar.</para>
/// </summary>
internal sealed class SchemaInference
{
    /// <summary>Most decimal places an inferred decimal column gets.</summary>
    public const int MaxInferredScale = 18;

    private const string CreatedDate = "createddate";

    private readonly string _objectName;
    private readonly IReadOnlyList<ColumnSchema> _declared;
    private readonly ColumnNames _names = new();
    private readonly char[] _chars = new char[ColumnNames.BufferLength];
    private readonly List<Column> _columns = [];

    public SchemaInference(string objectName, IReadOnlyList<ColumnSchema> declared)
    {
        _objectName = objectName;
        _declared = declared;
    }

    private enum Seen
    {
        Nothing,
        String,
        Boolean,
        Integer,
        Decimal,
        Date,
        Timestamp,
    }

    /// <summary>Takes in the current (not blank) line; throws <see cref="SourceDataException"/> for a malformed one.</summary>
    public void Observe(JsonLinesFile file)
    {
        try
        {
            ObserveLine(file.Line.Span, file);
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

    /// <summary>The schema of everything observed; throws <see cref="SourceDataException"/> naming the file when it is not usable.</summary>
    public ObjectSchema Build(string path)
    {
        // id and updateddate are never inferred: every line was checked to hold a string and a datetime with offset.
        var ordered = new List<ColumnSchema> { new(ObjectSchema.PrimaryKey, ColumnType.String) };
        var created = _columns.Find(c => c.Name == CreatedDate);
        if (created is not null)
        {
            ordered.Add(ToSchema(created, path));
        }
        else if (DeclaredType(CreatedDate) is { } declaredCreated)
        {
            ordered.Add(new ColumnSchema(CreatedDate, declaredCreated));
        }

        ordered.Add(new ColumnSchema(ObjectSchema.CursorColumn, ColumnType.Timestamp));
        foreach (var column in _columns)
        {
            if (column.Name is not (ObjectSchema.PrimaryKey or CreatedDate or ObjectSchema.CursorColumn))
            {
                ordered.Add(ToSchema(column, path));
            }
        }

        foreach (var declared in _declared)
        {
            if (!ordered.Exists(c => c.Name == declared.Name))
            {
                ordered.Add(declared);
            }
        }

        var schema = new ObjectSchema(_objectName, ordered);
        try
        {
            schema.Validate();
        }
        catch (InvalidDataException e)
        {
            throw new SourceDataException($"{path}: {e.Message}");
        }

        return schema;
    }

    private ColumnType? DeclaredType(string name) => _declared.FirstOrDefault(c => c.Name == name)?.Type;

    private static ColumnSchema ToSchema(Column column, string path)
    {
        if (column.Declared is { } declared)
        {
            return new ColumnSchema(column.Name, declared);
        }

        if (column.Seen == Seen.Decimal && column.TooPreciseLine > 0)
        {
            throw new SourceDataException($"{path}, line {column.TooPreciseLine}: column '{column.Name}': {column.TooPreciseValue} has more than {MaxInferredScale} decimal places; declare the column's type in {DeclaredTypes.FileName}");
        }

        return new ColumnSchema(column.Name, column.Seen switch
        {
            Seen.Boolean => ColumnType.Boolean,
            Seen.Integer => ColumnType.Int64,
            Seen.Decimal => ColumnType.Decimal(ColumnType.MaxDecimalPrecision, column.Places),
            Seen.Date => ColumnType.Date,
            Seen.Timestamp => ColumnType.Timestamp,
            _ => ColumnType.String,
        });
    }

    private void ObserveLine(ReadOnlySpan<byte> line, JsonLinesFile file)
    {
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 64 });
        Span<char> buffer = _chars;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw file.Error("the line is not a JSON object");
        }

        bool hasId = false, hasUpdated = false, hasDeleted = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = ColumnNames.PropertyName(ref reader, buffer);
            if (name.SequenceEqual(FilesSource.DeletedKey))
            {
                reader.Read();
                RowParser.CheckDeleted(ref reader, ref hasDeleted, file);
                continue;
            }

            var column = ColumnFor(name, file);
            if (column.LastLine == file.LineNumber)
            {
                throw file.Error($"key '{column.Name}' appears twice");
            }

            column.LastLine = file.LineNumber;
            reader.Read();
            switch (column.Name)
            {
                case ObjectSchema.PrimaryKey:
                    RowParser.ReadId(ref reader, file);
                    hasId = true;
                    break;
                case ObjectSchema.CursorColumn:
                    RowParser.ReadUpdated(ref reader, buffer, file);
                    hasUpdated = true;
                    break;
                default:
                    ObserveValue(column, ref reader, buffer, file);
                    break;
            }
        }

        if (reader.Read())
        {
            throw file.Error("more than one JSON value on the line");
        }

        if (!hasId)
        {
            throw file.Error($"missing {ObjectSchema.PrimaryKey}");
        }

        if (!hasUpdated)
        {
            throw file.Error($"missing {ObjectSchema.CursorColumn}");
        }
    }

    private Column ColumnFor(ReadOnlySpan<char> name, JsonLinesFile file)
    {
        var position = _names.Find(name);
        if (position >= 0)
        {
            return _columns[position];
        }

        var text = name.ToString();
        if (text.Length == 0)
        {
            throw file.Error("a key is empty");
        }

        if (!string.Equals(text, text.ToLowerInvariant(), StringComparison.Ordinal))
        {
            throw file.Error($"key '{text}' is not lowercase");
        }

        if (text.StartsWith('_'))
        {
            throw file.Error($"key '{text}' starts with '_', which is reserved for the pipeline's columns");
        }

        _names.Add(text);
        var column = new Column(text, DeclaredType(text));
        _columns.Add(column);
        return column;
    }

    private static void ObserveValue(Column column, ref Utf8JsonReader reader, Span<char> buffer, JsonLinesFile file)
    {
        if (column.Declared is not null || column.Seen == Seen.String)
        {
            reader.Skip();
            return;
        }

        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return;
            case JsonTokenType.True or JsonTokenType.False:
                column.Merge(Seen.Boolean);
                return;
            case JsonTokenType.Number:
                var number = JsonValues.AnalyzeNumber(reader.ValueSpan);
                if (number.IsInteger && reader.TryGetInt64(out _))
                {
                    column.Merge(Seen.Integer);
                    return;
                }

                column.Merge(Seen.Decimal);
                if (number.NormalizedPlaces > MaxInferredScale && column.TooPreciseLine == 0)
                {
                    column.TooPreciseLine = file.LineNumber;
                    column.TooPreciseValue = JsonValues.Show(ref reader);
                }

                column.Places = Math.Max(column.Places, Math.Min(number.WrittenPlaces, MaxInferredScale));
                return;
            case JsonTokenType.String:
                column.Merge(Classify(ref reader, buffer));
                return;
            default:
                reader.Skip();
                column.Merge(Seen.String);
                return;
        }
    }

    private static Seen Classify(ref Utf8JsonReader reader, Span<char> buffer)
    {
        if (reader.HasValueSequence || reader.ValueSpan.Length > JsonValues.MaxTemporalLength)
        {
            return Seen.String;
        }

        var text = JsonValues.Chars(ref reader, buffer);
        if (JsonValues.ParseDate(text, out _) != TemporalText.NotThisShape)
        {
            return Seen.Date;
        }

        return JsonValues.ParseTimestamp(text, out _) != TemporalText.NotThisShape ? Seen.Timestamp : Seen.String;
    }

    private sealed class Column(string name, ColumnType? declared)
    {
        public string Name { get; } = name;
        public ColumnType? Declared { get; } = declared;
        public Seen Seen { get; private set; }
        public int Places { get; set; }
        public long TooPreciseLine { get; set; }
        public string? TooPreciseValue { get; set; }
        public long LastLine { get; set; }

        public void Merge(Seen value) => Seen = (Seen, value) switch
        {
            (Seen.Nothing, _) => value,
            _ when Seen == value => value,
            (Seen.Integer, Seen.Decimal) or (Seen.Decimal, Seen.Integer) => Seen.Decimal,
            _ => Seen.String,
        };
    }
}
