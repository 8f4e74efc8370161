using System.Text.Json;
using ServerlessSync.Core.Model;

namespace ServerlessSync.Sources.Files;

/// <summary>
/// The optional <c>schema.json</c> of a files source: per object, column types in <see cref="ColumnType"/> text form,
/// e.g. <c>{"account": {"balance": "decimal(18,2)", "billcycleday": "bigint"}}</c>. Names are lowercased;
/// comments and trailing commas are allowed. Declared types win over inferred ones.
/// </summary>
internal static class DeclaredTypes
{
    public const string FileName = "schema.json";

    private static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Reads <paramref name="path"/> if it exists; throws <see cref="InvalidDataException"/> naming it on any problem.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<ColumnSchema>> Load(string path, IReadOnlyList<string> objects)
    {
        var declared = new Dictionary<string, IReadOnlyList<ColumnSchema>>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return declared;
        }

        JsonDocument document;
        try
        {
            using var stream = File.OpenRead(path);
            document = JsonDocument.Parse(stream, Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{path} must be an object of objects: {{\"account\": {{\"balance\": \"decimal(18,2)\"}}}}");
            }

            foreach (var obj in document.RootElement.EnumerateObject())
            {
                var objectName = obj.Name.ToLowerInvariant();
                if (!objects.Contains(objectName, StringComparer.Ordinal))
                {
                    throw new InvalidDataException($"{path} declares object '{obj.Name}' but the directory has no {objectName}.jsonl or {objectName}.jsonl.gz; it has: {string.Join(", ", objects)}");
                }

                if (obj.Value.ValueKind != JsonValueKind.Object)
                {
                    throw new InvalidDataException($"{path}: '{obj.Name}' must be an object of column types");
                }

                if (declared.ContainsKey(objectName))
                {
                    throw new InvalidDataException($"{path} declares object '{objectName}' twice");
                }

                declared[objectName] = ReadColumns(path, objectName, obj.Value);
            }
        }

        return declared;
    }

    private static List<ColumnSchema> ReadColumns(string path, string objectName, JsonElement columns)
    {
        var result = new List<ColumnSchema>();
        foreach (var column in columns.EnumerateObject())
        {
            var name = column.Name.ToLowerInvariant();
            var where = $"{path}: {objectName}.{name}";
            if (column.Value.ValueKind != JsonValueKind.String)
            {
                throw new InvalidDataException($"{where}: the type must be a string such as \"varchar\" or \"decimal(18,2)\"");
            }

            ColumnType type;
            try
            {
                type = ColumnType.Parse(column.Value.GetString()!);
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"{where}: {e.Message}", e);
            }

            if (name == FilesSource.DeletedKey)
            {
                throw new InvalidDataException($"{where}: '{FilesSource.DeletedKey}' is the delete flag, not a column");
            }

            if (name == ObjectSchema.PrimaryKey && type.Kind != ColumnKind.String)
            {
                throw new InvalidDataException($"{where}: '{ObjectSchema.PrimaryKey}' must be varchar, not {type}");
            }

            if (name == ObjectSchema.CursorColumn && type.Kind != ColumnKind.Timestamp)
            {
                throw new InvalidDataException($"{where}: '{ObjectSchema.CursorColumn}' must be timestamptz, not {type}");
            }

            if (result.Exists(c => c.Name == name))
            {
                throw new InvalidDataException($"{where} is declared twice");
            }

            result.Add(new ColumnSchema(name, type));
        }

        return result;
    }
}
