using System.Text.Json;
using System.Text.Json.Nodes;

namespace ServerlessSync.Aws.Tests.Contracts;

/// <summary>
/// An AWS API model (<c>*-service-2.json</c>, the botocore/Smithy JSON form): metadata, operations and shapes.
/// The full models are found in <c>SSYNC_SPECS_DIR</c>, else in <c>../shared/specs</c> beside the repository
/// root (the folder holding <c>ServerlessSync.sln</c>). The contract tests read the project's wire extract
/// (<c>Contracts/Wire/</c>): the same JSON cut down to the operations our clients call, the shapes they reach
/// and the structural facts (names, types, required members, limits, enums), without the documentation text.
/// A test checks that the extract is exactly what the full models give, wherever those are present.
/// </summary>
public sealed class ApiModel
{
    private static readonly HashSet<string> MetadataKept = new(StringComparer.Ordinal)
    {
        "apiVersion", "endpointPrefix", "jsonVersion", "protocol", "serviceId", "signingName", "targetPrefix",
    };

    private static readonly HashSet<string> OperationKept = new(StringComparer.Ordinal) { "name", "http", "input", "output", "errors" };

    private readonly JsonElement _root;

    private ApiModel(JsonElement root) => _root = root;

    public static string Directory { get; } = FindDirectory();

    public static bool Available => System.IO.Directory.Exists(Directory);

    /// <summary>Where the checked-in wire extracts are: <c>tests/ServerlessSync.Aws.Tests/Contracts/Wire</c>.</summary>
    public static string WireDirectory { get; } = Path.Combine(RepositoryRoot() ?? AppContext.BaseDirectory, "tests", "ServerlessSync.Aws.Tests", "Contracts", "Wire");

    /// <summary>The checked-in wire extract <paramref name="fileName"/>.</summary>
    public static ApiModel LoadWire(string fileName)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(WireDirectory, fileName)));
        return new ApiModel(document.RootElement.Clone());
    }

    /// <summary>
    /// This model cut down to <paramref name="operations"/>: their metadata, the operations' wire members
    /// (http, input, output, errors), and every shape they reach, each without documentation.
    /// </summary>
    public JsonObject Extract(IEnumerable<string> operations)
    {
        var metadata = new JsonObject();
        foreach (var property in Metadata.EnumerateObject().Where(p => MetadataKept.Contains(p.Name)))
        {
            metadata[property.Name] = JsonNode.Parse(property.Value.GetRawText());
        }

        var operationsOut = new JsonObject();
        var reached = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var name in operations.Order(StringComparer.Ordinal))
        {
            if (!TryGetOperation(name, out var operation))
            {
                throw new InvalidOperationException($"the model has no operation {name}");
            }

            var kept = new JsonObject();
            foreach (var property in operation.EnumerateObject().Where(p => OperationKept.Contains(p.Name)))
            {
                kept[property.Name] = WithoutDocumentation(property.Value);
            }

            operationsOut[name] = kept;
            foreach (var shape in ShapeReferences(operation))
            {
                Reach(shape, reached);
            }
        }

        var shapes = new JsonObject();
        foreach (var name in reached)
        {
            shapes[name] = WithoutDocumentation(Shape(name));
        }

        return new JsonObject { ["metadata"] = metadata, ["operations"] = operationsOut, ["shapes"] = shapes };
    }

    public JsonElement Metadata => _root.GetProperty("metadata");

    public string MetadataString(string name) => Metadata.GetProperty(name).GetString()!;

    public static ApiModel Load(string fileName)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, fileName)));
        return new ApiModel(document.RootElement.Clone());
    }

    public bool TryGetOperation(string name, out JsonElement operation) =>
        _root.GetProperty("operations").TryGetProperty(name, out operation);

    public JsonElement Shape(string name) =>
        _root.GetProperty("shapes").TryGetProperty(name, out var shape)
            ? shape
            : throw new InvalidOperationException($"the model has no shape {name}");

    public static string TypeOf(JsonElement shape) => shape.GetProperty("type").GetString()!;

    /// <summary>The member's shape name, or null when the structure has no such member.</summary>
    public static string? MemberShape(JsonElement structure, string member) =>
        structure.TryGetProperty("members", out var members) && members.TryGetProperty(member, out var m)
            ? m.GetProperty("shape").GetString()
            : null;

    public static IEnumerable<string> Members(JsonElement structure) =>
        structure.TryGetProperty("members", out var members) ? members.EnumerateObject().Select(p => p.Name) : [];

    public static IEnumerable<string> Required(JsonElement structure) =>
        structure.TryGetProperty("required", out var required) ? required.EnumerateArray().Select(r => r.GetString()!) : [];

    private void Reach(string name, ISet<string> reached)
    {
        if (!reached.Add(name))
        {
            return;
        }

        foreach (var next in ShapeReferences(Shape(name)))
        {
            Reach(next, reached);
        }
    }

    /// <summary>Every <c>"shape": "Name"</c> below <paramref name="element"/>.</summary>
    private static IEnumerable<string> ShapeReferences(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name == "shape" && property.Value.ValueKind == JsonValueKind.String)
                    {
                        yield return property.Value.GetString()!;
                    }
                    else
                    {
                        foreach (var nested in ShapeReferences(property.Value))
                        {
                            yield return nested;
                        }
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var nested in ShapeReferences(item))
                    {
                        yield return nested;
                    }
                }

                break;
        }
    }

    private static JsonNode? WithoutDocumentation(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var result = new JsonObject();
                foreach (var property in element.EnumerateObject().Where(p => !p.Name.StartsWith("documentation", StringComparison.Ordinal)))
                {
                    result[property.Name] = WithoutDocumentation(property.Value);
                }

                return result;
            case JsonValueKind.Array:
                return new JsonArray([.. element.EnumerateArray().Select(WithoutDocumentation)]);
            default:
                return JsonNode.Parse(element.GetRawText());
        }
    }

    private static string FindDirectory()
    {
        if (Environment.GetEnvironmentVariable("SSYNC_SPECS_DIR") is { Length: > 0 } fromEnvironment)
        {
            return Path.GetFullPath(fromEnvironment);
        }

        return RepositoryRoot() is { } root
            ? Path.GetFullPath(Path.Combine(root, "..", "shared", "specs"))
            : Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "shared", "specs"));
    }

    private static string? RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ServerlessSync.sln")))
            {
                return folder.FullName;
            }
        }

        return null;
    }
}
