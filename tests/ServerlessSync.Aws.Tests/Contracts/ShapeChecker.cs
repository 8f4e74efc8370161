using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace ServerlessSync.Aws.Tests.Contracts;

/// <summary>
/// Compares our request/response records and the JSON they produce with an API model's shapes, generically:
/// by reflection over <see cref="JsonPropertyNameAttribute"/> properties and by walking JSON against shapes.
/// Every method returns the problems it found, each with its path.
/// </summary>
public sealed class ShapeChecker(ApiModel model)
{
    private static readonly NullabilityInfoContext Nullability = new();

    /// <summary>The JSON properties of a record: public properties with [JsonPropertyName], minus [JsonIgnore].</summary>
    public static IEnumerable<(PropertyInfo Property, string JsonName)> JsonProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is null && p.GetIndexParameters().Length == 0)
            .Select(p => (p, p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? ""));

    /// <summary>Problems with the CLR type against the shape: unknown members, incompatible types, missing required members.</summary>
    public List<string> CheckType(Type type, string shapeName, bool isRequest)
    {
        var problems = new List<string>();
        CheckType(type, shapeName, isRequest, type.Name, problems);
        return problems;
    }

    private void CheckType(Type type, string shapeName, bool isRequest, string path, List<string> problems)
    {
        var shape = model.Shape(shapeName);
        var shapeType = ApiModel.TypeOf(shape);
        type = Nullable.GetUnderlyingType(type) ?? type;

        if (ElementType(type) is { } element)
        {
            if (shapeType != "list")
            {
                problems.Add($"{path}: a list in our type, but {shapeName} is a {shapeType}");
                return;
            }

            CheckType(element, shape.GetProperty("member").GetProperty("shape").GetString()!, isRequest, path + "[]", problems);
            return;
        }

        if (IsRecord(type))
        {
            if (shapeType != "structure")
            {
                problems.Add($"{path}: a structure in our type, but {shapeName} is a {shapeType}");
                return;
            }

            var properties = JsonProperties(type).ToList();
            foreach (var (property, jsonName) in properties)
            {
                if (jsonName.Length == 0)
                {
                    problems.Add($"{path}.{property.Name}: has no explicit [JsonPropertyName] (and no [JsonIgnore])");
                    continue;
                }

                var memberShape = ApiModel.MemberShape(shape, jsonName);
                if (memberShape is null)
                {
                    problems.Add($"{path}.{jsonName}: not a member of {shapeName} (members: {string.Join(", ", ApiModel.Members(shape))})");
                    continue;
                }

                CheckType(property.PropertyType, memberShape, isRequest, $"{path}.{jsonName}", problems);
            }

            if (isRequest)
            {
                foreach (var required in ApiModel.Required(shape))
                {
                    var match = properties.FirstOrDefault(p => p.JsonName == required);
                    if (match.Property is null)
                    {
                        problems.Add($"{path}.{required}: required by {shapeName} but our type has no such member");
                    }
                    else if (Nullability.Create(match.Property).ReadState != NullabilityState.NotNull)
                    {
                        problems.Add($"{path}.{required}: required by {shapeName} but nullable in our type");
                    }
                }
            }

            return;
        }

        if (!ScalarFits(type, shapeType, isRequest))
        {
            problems.Add($"{path}: {type.Name} does not fit {shapeName} ({shapeType})");
        }
    }

    /// <summary>
    /// Problems with a serialised request against the input shape (members, JSON kinds, enums, lengths,
    /// ranges, patterns, required members); adds each member path it meets to <paramref name="seen"/>.
    /// </summary>
    public List<string> CheckJson(JsonElement value, string shapeName, ISet<string> seen)
    {
        var problems = new List<string>();
        CheckJson(value, shapeName, "", seen, problems);
        return problems;
    }

    private void CheckJson(JsonElement value, string shapeName, string path, ISet<string> seen, List<string> problems)
    {
        var shape = model.Shape(shapeName);
        var shapeType = ApiModel.TypeOf(shape);
        var where = path.Length == 0 ? shapeName : path;
        switch (shapeType)
        {
            case "structure" when value.ValueKind == JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    var memberPath = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                    seen.Add(memberPath);
                    var memberShape = ApiModel.MemberShape(shape, property.Name);
                    if (memberShape is null)
                    {
                        problems.Add($"{memberPath}: not a member of {shapeName}");
                        continue;
                    }

                    if (property.Value.ValueKind == JsonValueKind.Null)
                    {
                        problems.Add($"{memberPath}: sent as null (null members must be omitted)");
                        continue;
                    }

                    CheckJson(property.Value, memberShape, memberPath, seen, problems);
                }

                foreach (var required in ApiModel.Required(shape))
                {
                    if (!value.TryGetProperty(required, out _))
                    {
                        problems.Add($"{where}: required member {required} is missing");
                    }
                }

                break;
            case "list" when value.ValueKind == JsonValueKind.Array:
                CheckLength(value.GetArrayLength(), shape, where, problems);
                foreach (var item in value.EnumerateArray())
                {
                    CheckJson(item, shape.GetProperty("member").GetProperty("shape").GetString()!, path + "[]", seen, problems);
                }

                break;
            case "string" when value.ValueKind == JsonValueKind.String:
                var text = value.GetString()!;
                CheckLength(text.Length, shape, where, problems);
                if (shape.TryGetProperty("enum", out var values) && !values.EnumerateArray().Any(v => v.GetString() == text))
                {
                    problems.Add($"{where}: '{text}' is not one of {shapeName}'s values");
                }

                if (shape.TryGetProperty("pattern", out var pattern) && !Regex.IsMatch(text, pattern.GetString()!))
                {
                    problems.Add($"{where}: '{text}' does not match {shapeName}'s pattern {pattern.GetString()}");
                }

                break;
            case "boolean" when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                break;
            case "integer" or "long" when value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number):
                if (shape.TryGetProperty("min", out var min) && number < min.GetInt64() || shape.TryGetProperty("max", out var max) && number > max.GetInt64())
                {
                    problems.Add($"{where}: {number} is outside {shapeName}'s range");
                }

                break;
            case "double" or "float" or "timestamp" when value.ValueKind == JsonValueKind.Number:
                break;
            case "blob" when value.ValueKind == JsonValueKind.String && value.TryGetBytesFromBase64(out _):
                break;
            default:
                problems.Add($"{where}: JSON {value.ValueKind} does not fit {shapeName} ({shapeType})");
                break;
        }
    }

    private static void CheckLength(int length, JsonElement shape, string where, List<string> problems)
    {
        if (shape.TryGetProperty("min", out var min) && length < min.GetInt32())
        {
            problems.Add($"{where}: length {length} is under the minimum {min.GetInt32()}");
        }

        if (shape.TryGetProperty("max", out var max) && length > max.GetInt32())
        {
            problems.Add($"{where}: length {length} is over the maximum {max.GetInt32()}");
        }
    }

    /// <summary>Every member path a type can produce, e.g. <c>Parameters</c> and <c>Parameters[].name</c>.</summary>
    public static SortedSet<string> MemberPaths(Type type)
    {
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        AddPaths(type, "", paths);
        return paths;
    }

    private static void AddPaths(Type type, string prefix, ISet<string> paths)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (ElementType(type) is { } element)
        {
            AddPaths(element, prefix + "[]", paths);
            return;
        }

        if (!IsRecord(type))
        {
            return;
        }

        foreach (var (property, jsonName) in JsonProperties(type))
        {
            var path = prefix.Length == 0 ? jsonName : $"{prefix}.{jsonName}";
            paths.Add(path);
            AddPaths(property.PropertyType, path, paths);
        }
    }

    /// <summary>A JSON document for the shape with every member set (lists of one item), as a service could send it.</summary>
    public JsonNode? Synthesize(string shapeName, int depth = 0)
    {
        var shape = model.Shape(shapeName);
        if (depth > 8)
        {
            return null;
        }

        return ApiModel.TypeOf(shape) switch
        {
            "structure" => new JsonObject(ApiModel.Members(shape)
                .Select(m => KeyValuePair.Create(m, Synthesize(ApiModel.MemberShape(shape, m)!, depth + 1)))),
            "list" => new JsonArray(Synthesize(shape.GetProperty("member").GetProperty("shape").GetString()!, depth + 1)),
            "map" => new JsonObject(),
            "string" => shape.TryGetProperty("enum", out var values) ? values[0].GetString() : $"{shapeName}-sample",
            "boolean" => true,
            "integer" => 7,
            "long" => 9_007_199_254_740_993L,
            "double" or "float" => 1.5,
            "timestamp" => JsonValue.Create(1_700_000_000.125m),
            "blob" => Convert.ToBase64String([1, 2, 3]),
            var other => throw new InvalidOperationException($"shape type {other} ({shapeName}) is not synthesised"),
        };
    }

    /// <summary>Paths of JSON properties of <paramref name="value"/> (recursively) that are still null after reading a fully populated document.</summary>
    public static List<string> UnsetProperties(object? value, string path)
    {
        var unset = new List<string>();
        CollectUnset(value, path, unset);
        return unset;
    }

    private static void CollectUnset(object? value, string path, List<string> unset)
    {
        switch (value)
        {
            case null:
                unset.Add(path);
                return;
            case string or byte[]:
                return;
            case IEnumerable items:
                var count = 0;
                foreach (var item in items)
                {
                    CollectUnset(item, path + "[]", unset);
                    count++;
                }

                if (count == 0)
                {
                    unset.Add(path + "[] (empty)");
                }

                return;
        }

        if (!IsRecord(value.GetType()))
        {
            return;
        }

        foreach (var (property, jsonName) in JsonProperties(value.GetType()))
        {
            CollectUnset(property.GetValue(value), $"{path}.{jsonName}", unset);
        }
    }

    private static bool ScalarFits(Type type, string shapeType, bool isRequest) => shapeType switch
    {
        "string" => type == typeof(string),
        "boolean" => type == typeof(bool),
        "integer" => type == typeof(int) || (!isRequest && type == typeof(long)),
        "long" => type == typeof(long) || (isRequest && type == typeof(int)),
        "double" or "float" => type == typeof(double),
        "timestamp" => type == typeof(DateTimeOffset),
        "blob" => type == typeof(byte[]),
        _ => false,
    };

    private static Type? ElementType(Type type)
    {
        if (type == typeof(string) || type == typeof(byte[]))
        {
            return null;
        }

        if (type.IsArray)
        {
            return type.GetElementType();
        }

        return type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) ? type.GetGenericArguments()[0] : null;
    }

    private static bool IsRecord(Type type) =>
        type.IsClass && type != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(type) && type.Namespace?.StartsWith("ServerlessSync", StringComparison.Ordinal) == true;

    internal static string Describe(IEnumerable<string> problems) => string.Join(Environment.NewLine, problems.Select(p => " - " + p).Prepend(string.Create(CultureInfo.InvariantCulture, $"{problems.Count()} problem(s):")));
}
