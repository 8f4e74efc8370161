using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace ServerlessSync.Functions.Tests.Template;

/// <summary>
/// Reads a CloudFormation YAML template into the shape its JSON form has: short-form tags (<c>!Ref X</c>,
/// <c>!GetAtt A.B</c>, <c>!Sub …</c>, <c>!If […]</c>, …) become <c>{"Ref": "X"}</c>, <c>{"Fn::GetAtt": ["A", "B"]}</c>,
/// <c>{"Fn::Sub": …}</c>, <c>{"Fn::If": […]}</c>. Scalars stay strings, as YAML gives them. A tag CloudFormation
/// does not know is an error naming it and its line.
/// </summary>
public static class CloudFormationYaml
{
    private static readonly HashSet<string> FnTags =
    [
        "Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue", "Join", "Select", "Split", "Sub", "Transform",
        "And", "Equals", "If", "Not", "Or",
    ];

    public static JsonObject Parse(string yaml)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(yaml))
        {
            stream.Load(reader);
        }

        if (stream.Documents.Count != 1 || Convert(stream.Documents[0].RootNode) is not JsonObject root)
        {
            throw new FormatException("a template is one YAML document holding a mapping");
        }

        return root;
    }

    private static JsonNode? Convert(YamlNode node)
    {
        var plain = PlainConvert(node);
        var tag = node.Tag;
        if (tag.IsEmpty || tag.IsNonSpecific || tag.IsGlobal)
        {
            return plain;
        }

        var name = tag.Value.TrimStart('!');
        if (name is "Ref" or "Condition")
        {
            return new JsonObject { [name] = plain };
        }

        if (!FnTags.Contains(name))
        {
            throw new FormatException($"line {node.Start.Line}: {tag.Value} is not a CloudFormation intrinsic function tag");
        }

        if (name == "GetAtt" && plain is JsonValue dotted)
        {
            var text = dotted.GetValue<string>();
            var dot = text.IndexOf('.', StringComparison.Ordinal);
            plain = dot > 0 ? new JsonArray(text[..dot], text[(dot + 1)..]) : throw new FormatException($"line {node.Start.Line}: !GetAtt {text} names no attribute");
        }

        return new JsonObject { [$"Fn::{name}"] = plain };
    }

    private static JsonNode? PlainConvert(YamlNode node) => node switch
    {
        YamlScalarNode scalar => JsonValue.Create(scalar.Value ?? string.Empty),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(Convert)]),
        YamlMappingNode mapping => ToObject(mapping),
        _ => throw new FormatException($"line {node.Start.Line}: aliases are not part of CloudFormation templates"),
    };

    private static JsonObject ToObject(YamlMappingNode mapping)
    {
        var result = new JsonObject();
        foreach (var (key, value) in mapping.Children)
        {
            var name = ((YamlScalarNode)key).Value ?? string.Empty;
            if (!result.TryAdd(name, Convert(value)))
            {
                throw new FormatException($"line {key.Start.Line}: key {name} appears twice");
            }
        }

        return result;
    }
}
