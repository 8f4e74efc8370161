using System.Xml;
using System.Xml.Linq;
using ServerlessSync.Core.Model;

namespace ServerlessSync.Zuora;

/// <summary>One exportable field: Zuora's name (for ZOQL) and our column.</summary>
internal sealed record ZuoraField(string ZuoraName, ColumnSchema Column);

/// <summary>What describe says about an object: its exportable fields as columns, in describe order.</summary>
internal sealed record DescribedObject(ObjectSchema Schema, IReadOnlyList<ZuoraField> Fields)
{
    /// <summary>Zuora's field name for each of <paramref name="schema"/>'s columns; throws naming a column describe did not list.</summary>
    public IReadOnlyList<string> ZuoraNamesFor(ObjectSchema schema)
    {
        var names = new string[schema.Columns.Count];
        for (var i = 0; i < names.Length; i++)
        {
            var column = schema.Columns[i].Name;
            names[i] = Fields.FirstOrDefault(f => f.Column.Name == column)?.ZuoraName
                ?? throw new InvalidDataException($"Zuora object '{schema.Name}' has no exportable field '{column}' (describe lists {Fields.Count} fields)");
        }

        return names;
    }
}

/// <summary>
/// Reads <c>GET /v1/describe/{Object}</c> XML as a stream, one <c>&lt;field&gt;</c> element at a time: keeps fields with
/// the <c>export</c> context that are not <c>&lt;selectable&gt;false&lt;/selectable&gt;</c>, lowercases names (a name that is then not <c>[a-z][a-z0-9_]*</c>, starts with <c>_</c>,
/// or repeats another is skipped and logged), and maps types: text, picklist → varchar; boolean → boolean; integer →
/// bigint; decimal → decimal(28,9); date → date; datetime → timestamptz; anything else → varchar. <c>Id</c> is always
/// varchar and <c>UpdatedDate</c> always timestamptz; both must be exportable. Parents come from
/// <c>&lt;related-objects&gt;</c>: Export ZOQL reads a parent's id as the joined field <c>Parent.Id</c> (column
/// <c>parentid</c>, varchar), after the object's own fields, unless the object is its own parent, the join is one that
/// fails every export (<c>SubscriptionStatusHistory</c>), or a field <c>ParentId</c> already carries the id.
/// </summary>
internal static class DescribeParser
{
    public static readonly ColumnType ZuoraDecimal = ColumnType.Decimal(28, 9);

    /// <summary>Related objects an export cannot join: selecting their id fails the job (tap-zuora, estuary source-zuora).</summary>
    private static readonly HashSet<string> Unjoinable = new(StringComparer.OrdinalIgnoreCase) { "SubscriptionStatusHistory" };

    public static async Task<DescribedObject> ParseAsync(ZuoraObject zuoraObject, Stream xml, Action<string> log, CancellationToken cancellationToken)
    {
        var settings = new XmlReaderSettings { Async = true, DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true, IgnoreWhitespace = true };
        var fields = new List<ZuoraField>();
        var related = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var reader = XmlReader.Create(xml, settings);
            var more = await reader.ReadAsync();
            while (more)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "field")
                {
                    var element = (XElement)await XNode.ReadFromAsync(reader, cancellationToken);
                    var field = ToField(zuoraObject, element, log);
                    if (field is not null && seen.Add(field.Column.Name))
                    {
                        fields.Add(field);
                    }
                    else if (field is not null)
                    {
                        log($"Zuora {zuoraObject.ApiName}: field '{field.ZuoraName}' skipped: its lowercase name '{field.Column.Name}' repeats another field");
                    }

                    // ReadFrom left the reader on the node after the element.
                    more = !reader.EOF;
                    continue;
                }

                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "related-objects")
                {
                    // Read whole, so that no <field> an <object> in it may hold passes for one of this object's fields.
                    var element = (XElement)await XNode.ReadFromAsync(reader, cancellationToken);
                    related.AddRange(element.Elements("object").Select(o => o.Element("name")?.Value.Trim()).OfType<string>().Where(n => n.Length > 0));
                    more = !reader.EOF;
                    continue;
                }

                more = await reader.ReadAsync();
            }
        }
        catch (XmlException e)
        {
            throw new ZuoraApiException($"Zuora describe {zuoraObject.ApiName}: the answer is not valid XML (line {e.LineNumber}: {e.Message})", e);
        }

        foreach (var required in (ReadOnlySpan<string>)[ObjectSchema.PrimaryKey, ObjectSchema.CursorColumn])
        {
            if (!seen.Contains(required))
            {
                throw new InvalidDataException($"Zuora object {zuoraObject.ApiName} ('{zuoraObject.Name}'): describe lists no exportable field '{(required == ObjectSchema.PrimaryKey ? "Id" : "UpdatedDate")}'; the source needs Id and UpdatedDate in the export context");
            }
        }

        foreach (var parent in related.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var column = parent.ToLowerInvariant() + "id";
            if (!string.Equals(parent, zuoraObject.ApiName, StringComparison.OrdinalIgnoreCase) && !Unjoinable.Contains(parent) && IsColumnName(column) && seen.Add(column))
            {
                fields.Add(new ZuoraField($"{parent}.Id", new ColumnSchema(column, ColumnType.String)));
            }
        }

        var schema = new ObjectSchema(zuoraObject.Name, [.. fields.Select(f => f.Column)]);
        schema.Validate();
        return new DescribedObject(schema, fields);
    }

    /// <summary>Our column type for a describe <c>&lt;type&gt;</c> (case-insensitive).</summary>
    public static ColumnType MapType(string? zuoraType) => zuoraType?.Trim().ToLowerInvariant() switch
    {
        "boolean" => ColumnType.Boolean,
        "integer" => ColumnType.Int64,
        "decimal" => ZuoraDecimal,
        "date" => ColumnType.Date,
        "datetime" => ColumnType.Timestamp,
        _ => ColumnType.String,
    };

    private static ZuoraField? ToField(ZuoraObject zuoraObject, XElement field, Action<string> log)
    {
        var name = field.Element("name")?.Value.Trim();
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        // A field describe marks not selectable fails any query that selects it; an answer without <selectable> (as in
        // older describe samples) is taken as selectable.
        var selectable = !string.Equals(field.Element("selectable")?.Value.Trim(), "false", StringComparison.OrdinalIgnoreCase);
        var exportable = field.Element("contexts")?.Elements("context").Any(c => string.Equals(c.Value.Trim(), "export", StringComparison.OrdinalIgnoreCase)) ?? false;
        if (!exportable || !selectable)
        {
            return null;
        }

        var lower = name.ToLowerInvariant();
        if (!IsColumnName(lower))
        {
            log($"Zuora {zuoraObject.ApiName}: field '{name}' skipped: '{lower}' is not a column name (lowercase letters, digits and '_', starting with a letter)");
            return null;
        }

        var type = lower switch
        {
            ObjectSchema.PrimaryKey => ColumnType.String,
            ObjectSchema.CursorColumn => ColumnType.Timestamp,
            _ => MapType(field.Element("type")?.Value),
        };
        return new ZuoraField(name, new ColumnSchema(lower, type));
    }

    private static bool IsColumnName(string name) =>
        name.Length is > 0 and <= 127 && char.IsAsciiLetterLower(name[0]) && name.AsSpan().IndexOfAnyExcept("abcdefghijklmnopqrstuvwxyz0123456789_") < 0;
}
