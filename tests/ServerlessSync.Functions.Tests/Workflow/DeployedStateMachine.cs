using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace ServerlessSync.Functions.Tests.Workflow;

/// <summary>
/// The state machine as <c>sam deploy</c> would create it, read from the repository: <c>template.yaml</c>'s state
/// machine resource, its <c>DefinitionUri</c> ASL file with every <c>${Name}</c> of its <c>DefinitionSubstitutions</c>
/// replaced, and for each function ARN the definition names, the function resource and the handler it runs
/// (<c>Assembly::Namespace.Class::Method</c>). A function ARN is made up as CloudFormation would give it
/// (<see cref="FunctionArn"/>); a <c>!Ref</c> to a parameter takes the parameter's default unless the test gives a
/// value; anything else the template's substitutions hold (another resource's attribute, <c>!Sub</c>) must be given.
/// </summary>
internal sealed partial record DeployedStateMachine(
    string StateMachineResource,
    string DefinitionJson,
    IReadOnlyDictionary<string, string> Substitutions,
    IReadOnlyDictionary<string, DeployedFunction> FunctionsByArn)
{
    public const string Region = "us-east-1";
    public const string Account = "123456789012";

    /// <summary>The ARN CloudFormation gives a function whose physical name is its logical id.</summary>
    public static string FunctionArn(string logicalId) => $"arn:aws:lambda:{Region}:{Account}:function:{logicalId}";

    /// <param name="values">values for substitutions that are not a function's ARN (overriding a parameter's default)</param>
    public static DeployedStateMachine Read(IReadOnlyDictionary<string, string>? values = null)
    {
        values ??= new Dictionary<string, string>();
        var root = RepositoryFiles.Root;
        var templatePath = Path.Combine(root, "template.yaml");
        var template = LoadYaml(templatePath);
        var resources = Mapping(template, "Resources", templatePath);
        var parameters = OptionalMapping(template, "Parameters");
        var mappings = OptionalMapping(template, "Mappings");

        var machines = resources.Children.Where(r => TypeOf(r.Value) == "AWS::Serverless::StateMachine").ToList();
        if (machines.Count != 1)
        {
            throw new InvalidOperationException($"{templatePath}: expected one AWS::Serverless::StateMachine resource, found {machines.Count}");
        }

        var (machineName, machine) = (((YamlScalarNode)machines[0].Key).Value!, (YamlMappingNode)machines[0].Value);
        var properties = Mapping(machine, "Properties", $"{machineName}");
        var definitionUri = Scalar(properties, "DefinitionUri", $"{machineName}.Properties");
        var definitionPath = Path.Combine(root, definitionUri);
        var asl = File.ReadAllText(definitionPath);

        var substitutions = new Dictionary<string, string>(StringComparer.Ordinal);
        var functions = new Dictionary<string, DeployedFunction>(StringComparer.Ordinal);
        var declared = OptionalMapping(properties, "DefinitionSubstitutions");
        foreach (var (keyNode, valueNode) in declared.Children)
        {
            var name = ((YamlScalarNode)keyNode).Value!;
            if (values.TryGetValue(name, out var given))
            {
                substitutions[name] = given;
                continue;
            }

            var where = $"{machineName}.Properties.DefinitionSubstitutions.{name}";
            switch (valueNode)
            {
                case YamlScalarNode { Tag.Value: "!GetAtt" } getAtt when getAtt.Value!.EndsWith(".Arn", StringComparison.Ordinal):
                case YamlSequenceNode { Tag.Value: "!GetAtt" } getAttList when getAttList.Children.Count == 2 && ((YamlScalarNode)getAttList.Children[1]).Value == "Arn":
                    var logicalId = valueNode is YamlScalarNode s ? s.Value![..^".Arn".Length] : ((YamlScalarNode)((YamlSequenceNode)valueNode).Children[0]).Value!;
                    substitutions[name] = FunctionArn(logicalId);
                    functions[FunctionArn(logicalId)] = FunctionOf(resources, logicalId, where);
                    break;
                case YamlScalarNode { Tag.Value: "!Ref" } or YamlScalarNode { Tag.IsEmpty: true }:
                    substitutions[name] = ValueOf(valueNode, parameters, where);
                    break;
                case YamlSequenceNode { Tag.Value: "!FindInMap" } findInMap when findInMap.Children.Count == 3:
                    var keys = findInMap.Children.Select(k => ValueOf(k, parameters, where)).ToList();
                    substitutions[name] = Scalar(Mapping(Mapping(mappings, keys[0], "Mappings"), keys[1], $"Mappings.{keys[0]}"), keys[2], $"Mappings.{keys[0]}.{keys[1]}");
                    break;
                default:
                    throw new InvalidOperationException($"{where} is {Describe(valueNode)}: give the test a value for it");
            }
        }

        var missing = new SortedSet<string>(StringComparer.Ordinal);
        var json = Placeholder().Replace(asl, match =>
        {
            if (substitutions.TryGetValue(match.Groups[1].Value, out var value))
            {
                return value;
            }

            missing.Add(match.Groups[1].Value);
            return match.Value;
        });
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"{definitionPath} uses {string.Join(", ", missing)}, which {machineName}'s DefinitionSubstitutions do not define");
        }

        return new DeployedStateMachine(machineName, json, substitutions, functions);
    }

    /// <summary>A plain scalar, or a <c>!Ref</c> to a parameter (its default).</summary>
    private static string ValueOf(YamlNode node, YamlMappingNode parameters, string where) => node switch
    {
        YamlScalarNode { Tag.IsEmpty: true, Value: { } plain } => plain,
        YamlScalarNode { Tag.Value: "!Ref", Value: { } name } when parameters.Children.TryGetValue(new YamlScalarNode(name), out var parameter) =>
            Scalar((YamlMappingNode)parameter, "Default", $"Parameters.{name}"),
        _ => throw new InvalidOperationException($"{where} holds {Describe(node)}: give the test a value for it"),
    };

    private static DeployedFunction FunctionOf(YamlMappingNode resources, string logicalId, string where)
    {
        if (!resources.Children.TryGetValue(new YamlScalarNode(logicalId), out var node) || TypeOf(node) != "AWS::Serverless::Function")
        {
            throw new InvalidOperationException($"{where} names {logicalId}, which is not an AWS::Serverless::Function of the template");
        }

        var handler = Scalar(Mapping((YamlMappingNode)node, "Properties", logicalId), "Handler", $"{logicalId}.Properties");
        return new DeployedFunction(logicalId, handler);
    }

    private static YamlMappingNode LoadYaml(string path)
    {
        using var reader = new StreamReader(path);
        var stream = new YamlStream();
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlMappingNode OptionalMapping(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? (YamlMappingNode)value : new YamlMappingNode();

    private static string? TypeOf(YamlNode resource) =>
        resource is YamlMappingNode m && m.Children.TryGetValue(new YamlScalarNode("Type"), out var type) ? ((YamlScalarNode)type).Value : null;

    private static YamlMappingNode Mapping(YamlMappingNode node, string key, string where) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlMappingNode mapping
            ? mapping
            : throw new InvalidOperationException($"{where} has no mapping '{key}'");

    private static string Scalar(YamlMappingNode node, string key, string where) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode { Value: { } text }
            ? text
            : throw new InvalidOperationException($"{where} has no value '{key}'");

    private static string Describe(YamlNode node) => node.Tag.IsEmpty ? node.NodeType.ToString() : $"{node.Tag.Value} {node}";

    [GeneratedRegex(@"\$\{([A-Za-z0-9_]+)\}")]
    private static partial Regex Placeholder();
}

/// <summary>A function resource of the template and its handler string (<c>Assembly::Namespace.Class::Method</c>).</summary>
internal sealed record DeployedFunction(string LogicalId, string Handler);

/// <summary>Files of the repository this test assembly was built from (the folder holding <c>ServerlessSync.sln</c>).</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ServerlessSync.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no ServerlessSync.sln above {AppContext.BaseDirectory}: the workflow tests read template.yaml and the ASL from the repository");
    }
}
