using System.Text.Json;

namespace ServerlessSync.Aws.Tests.Contracts;

/// <summary>
/// An AWS API model (<c>*-service-2.json</c>, the botocore/Smithy JSON form): metadata, operations and shapes.
/// Found in <c>SSYNC_SPECS_DIR</c>, else in <c>../shared/specs</c> beside the repository root (the folder
/// holding <c>ServerlessSync.sln</c>).
/// </summary>
public sealed class ApiModel
{
    private readonly JsonElement _root;

    private ApiModel(JsonElement root) => _root = root;

    public static string Directory { get; } = FindDirectory();

    public static bool Available => System.IO.Directory.Exists(Directory);

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

    private static string FindDirectory()
    {
        if (Environment.GetEnvironmentVariable("SSYNC_SPECS_DIR") is { Length: > 0 } fromEnvironment)
        {
            return Path.GetFullPath(fromEnvironment);
        }

        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ServerlessSync.sln")))
            {
                return Path.GetFullPath(Path.Combine(folder.FullName, "..", "shared", "specs"));
            }
        }

        return Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "shared", "specs"));
    }
}
