using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ServerlessSync.Functions.Tests.Template;

/// <summary>
/// One IAM policy statement of the template, wherever it is written (conditional ones included): the resource
/// whose policy holds it, its effect, its actions, whether it uses NotAction, and its resources as written.
/// </summary>
public sealed record PolicyStatement(string Owner, string Effect, IReadOnlyList<string> Actions, bool HasNotAction, IReadOnlyList<JsonNode?> Resources);

/// <summary>
/// <c>template.yaml</c> read as its JSON form (<see cref="CloudFormationYaml"/>), with what the template tests ask
/// of it: functions with their Globals applied, every IAM statement, the references between resources, and
/// values of intrinsic functions for a given stack.
/// </summary>
public sealed partial class SamTemplate(JsonObject root)
{
    public const string FunctionType = "AWS::Serverless::Function";

    /// <summary>The stack the tests resolve values for (a stack name with capitals, as CloudFormation allows).</summary>
    public static readonly IReadOnlyDictionary<string, string> SampleStack = new Dictionary<string, string>
    {
        ["AWS::AccountId"] = "123456789012",
        ["AWS::Region"] = "eu-west-1",
        ["AWS::Partition"] = "aws",
        ["AWS::URLSuffix"] = "amazonaws.com",
        ["AWS::StackName"] = "ServerlessSync-Test",
        ["AWS::StackId"] = "arn:aws:cloudformation:eu-west-1:123456789012:stack/ServerlessSync-Test/0a1b2c3d-4e5f-6789-abcd-0123456789ab",
    };

    public JsonObject Root { get; } = root;

    public JsonObject Resources => Root["Resources"]!.AsObject();

    public static SamTemplate Load() => new(CloudFormationYaml.Parse(File.ReadAllText(RepositoryFiles.TemplatePath)));

    public static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public IEnumerable<(string Id, JsonObject Resource)> ResourcesOfType(string type) =>
        Resources.Where(r => Text(r.Value?["Type"]) == type).Select(r => (r.Key, r.Value!.AsObject()));

    public IReadOnlyList<string> FunctionIds => [.. ResourcesOfType(FunctionType).Select(f => f.Id)];

    public JsonObject Properties(string id) => Resources[id]?["Properties"]?.AsObject() ?? new JsonObject();

    /// <summary>A function's property, or the Globals' when the function does not set it.</summary>
    public JsonNode? FunctionProperty(string id, string name) =>
        Properties(id)[name] ?? Root["Globals"]?["Function"]?[name];

    /// <summary>A function's environment variables: the Globals' with the function's own over them.</summary>
    public IReadOnlyDictionary<string, JsonNode?> FunctionEnvironment(string id)
    {
        var variables = new Dictionary<string, JsonNode?>();
        foreach (var source in new[] { Root["Globals"]?["Function"], Properties(id) })
        {
            foreach (var (name, value) in source?["Environment"]?["Variables"]?.AsObject() ?? [])
            {
                variables[name] = value;
            }
        }

        return variables;
    }

    public (string Id, JsonObject Properties) StateMachine =>
        ResourcesOfType("AWS::Serverless::StateMachine").Select(s => (s.Id, Properties(s.Id))).Single();

    /// <summary>
    /// Every IAM statement: inline policies of functions and state machines, managed policies, bucket and event bus
    /// policies, Lambda permissions. Both branches of an <c>Fn::If</c> count.
    /// </summary>
    public IReadOnlyList<PolicyStatement> PolicyStatements()
    {
        var statements = new List<PolicyStatement>();
        foreach (var (id, resource) in Resources.Select(r => (r.Key, r.Value!.AsObject())))
        {
            var properties = Properties(id);
            switch (Text(resource["Type"]))
            {
                case FunctionType or "AWS::Serverless::StateMachine":
                    foreach (var policy in Branches(properties["Policies"]))
                    {
                        if (policy is JsonObject document && document.ContainsKey("Statement"))
                        {
                            AddDocument(id, document, statements);
                        }
                        else if (policy is JsonObject template && PolicyTemplateActions.TryGetValue(template.Single().Key, out var actions))
                        {
                            statements.Add(new PolicyStatement(id, "Allow", actions, false, [template.Single().Value]));
                        }
                    }

                    break;
                case "AWS::IAM::ManagedPolicy" or "AWS::IAM::Policy" or "AWS::S3::BucketPolicy":
                    AddDocument(id, properties["PolicyDocument"]!.AsObject(), statements);
                    break;
                case "AWS::IAM::Role":
                    foreach (var policy in Branches(properties["Policies"]))
                    {
                        AddDocument(id, policy!["PolicyDocument"]!.AsObject(), statements);
                    }

                    break;
                case "AWS::Events::EventBusPolicy":
                    AddDocument(id, properties, statements);
                    break;
                case "AWS::Lambda::Permission":
                    statements.Add(new PolicyStatement(id, "Allow", [Text(properties["Action"]) ?? "?"], false, [properties["FunctionName"]]));
                    break;
            }
        }

        return statements;
    }

    /// <summary>
    /// Policies of functions and state machines that are neither inline statements, nor the template's own managed
    /// policies, nor a policy template this class knows the actions of: an AWS managed policy by name or ARN, an
    /// unknown template. Their grants cannot be checked here.
    /// </summary>
    public IReadOnlyList<string> UncheckablePolicies()
    {
        var found = new List<string>();
        foreach (var (id, _) in ResourcesOfType(FunctionType).Concat(ResourcesOfType("AWS::Serverless::StateMachine")))
        {
            foreach (var policy in Branches(Properties(id)["Policies"]))
            {
                var checkable = policy switch
                {
                    JsonObject document when document.ContainsKey("Statement") => true,
                    JsonObject reference when Text(reference["Ref"]) is { } target => Text(Resources[target]?["Type"]) == "AWS::IAM::ManagedPolicy",
                    JsonObject template when template.Count == 1 => PolicyTemplateActions.ContainsKey(template.Single().Key),
                    _ => false,
                };
                if (!checkable)
                {
                    found.Add($"{id}: {policy?.ToJsonString()}");
                }
            }
        }

        return found;
    }

    /// <summary>
    /// The resources each resource needs before it (Ref, GetAtt, Sub references and DependsOn; a function's and a
    /// state machine's Globals count as theirs) and, if they form a cycle, one cycle: CloudFormation refuses it.
    /// </summary>
    public IReadOnlyList<string>? FindDependencyCycle()
    {
        var needs = Resources.ToDictionary(r => r.Key, r =>
        {
            var found = new HashSet<string>();
            CollectReferences(r.Value, found);
            var globals = Text(r.Value?["Type"]) switch
            {
                FunctionType => Root["Globals"]?["Function"],
                "AWS::Serverless::StateMachine" => Root["Globals"]?["StateMachine"],
                _ => null,
            };
            CollectReferences(globals, found);
            foreach (var dependency in Branches(r.Value?["DependsOn"]))
            {
                found.Add(Text(dependency) ?? string.Empty);
            }

            found.IntersectWith(Resources.Select(x => x.Key));
            return found;
        });

        var state = new Dictionary<string, bool>(); // false: on the path being walked; true: done
        var path = new List<string>();
        foreach (var start in needs.Keys)
        {
            if (Walk(start) is { } cycle)
            {
                return cycle;
            }
        }

        return null;

        List<string>? Walk(string id)
        {
            if (state.TryGetValue(id, out var done))
            {
                return done ? null : [.. path[path.IndexOf(id)..], id];
            }

            state[id] = false;
            path.Add(id);
            foreach (var next in needs[id].Order(StringComparer.Ordinal))
            {
                if (Walk(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[id] = true;
            return null;
        }
    }

    /// <summary>
    /// The value of an expression for <see cref="SampleStack"/> and the parameters' defaults: Ref, Sub, Select,
    /// Split, Join, FindInMap, and GetAtt of the Arn of a bucket, a function or a table.
    /// </summary>
    public string Resolve(JsonNode? node) => ResolveValue(node) as string
        ?? throw new InvalidOperationException($"{node?.ToJsonString()} is a list, not a string");

    private object ResolveValue(JsonNode? node)
    {
        if (Text(node) is { } text)
        {
            return text;
        }

        if (node is JsonArray array)
        {
            return array.Select(Resolve).ToList();
        }

        var (function, argument) = node!.AsObject().Single();
        switch (function)
        {
            case "Ref":
                return RefValue(Text(argument)!);
            case "Fn::GetAtt":
                return AttributeValue(Text(argument![0])!, Text(argument[1])!);
            case "Fn::Sub":
                var (format, variables) = argument is JsonArray sub ? (Text(sub[0])!, sub[1]!.AsObject()) : (Text(argument)!, new JsonObject());
                return SubPlaceholder().Replace(format, m => m.Groups[1].Value switch
                {
                    var name when variables[name] is { } value => Resolve(value),
                    var name when name.Split('.') is [var id, var attribute] => AttributeValue(id, attribute),
                    var name => RefValue(name),
                });
            case "Fn::Select":
                return ((List<string>)ResolveValue(argument![1]))[int.Parse(Resolve(argument[0]), System.Globalization.CultureInfo.InvariantCulture)];
            case "Fn::Split":
                return Resolve(argument![1]).Split(Resolve(argument[0])).ToList();
            case "Fn::Join":
                return string.Join(Resolve(argument![0]), (List<string>)ResolveValue(argument[1]));
            case "Fn::FindInMap":
                return Resolve(Root["Mappings"]![Resolve(argument![0])]![Resolve(argument[1])]![Resolve(argument[2])]);
            default:
                throw new InvalidOperationException($"cannot resolve {node.ToJsonString()}");
        }
    }

    private string RefValue(string name) =>
        SampleStack.TryGetValue(name, out var pseudo) ? pseudo
        : Root["Parameters"]?[name] is { } parameter ? Text(parameter["Default"]) ?? throw new InvalidOperationException($"parameter {name} has no default")
        : Text(Resources[name]?["Type"]) == "AWS::S3::Bucket" ? Resolve(Properties(name)["BucketName"])
        : Resources.ContainsKey(name) ? name
        : throw new InvalidOperationException($"cannot resolve a Ref to {name}");

    /// <summary>A bucket's Arn from its name; a made-up ARN naming the logical id for a function's or a table's.</summary>
    private string AttributeValue(string id, string attribute) => (Text(Resources[id]?["Type"]), attribute) switch
    {
        ("AWS::S3::Bucket", "Arn") => $"arn:aws:s3:::{RefValue(id)}",
        (FunctionType, "Arn") => $"arn:aws:lambda:{SampleStack["AWS::Region"]}:{SampleStack["AWS::AccountId"]}:function:{id}",
        ("AWS::DynamoDB::Table", "Arn") => $"arn:aws:dynamodb:{SampleStack["AWS::Region"]}:{SampleStack["AWS::AccountId"]}:table/{id}",
        _ => throw new InvalidOperationException($"cannot resolve {id}.{attribute}"),
    };

    /// <summary>The SAM policy templates the template may use, with the actions each grants.</summary>
    private static readonly Dictionary<string, IReadOnlyList<string>> PolicyTemplateActions = new()
    {
        ["LambdaInvokePolicy"] = ["lambda:InvokeFunction"],
    };

    private static void AddDocument(string owner, JsonObject document, List<PolicyStatement> statements)
    {
        foreach (var statement in Branches(document["Statement"]).OfType<JsonObject>())
        {
            statements.Add(new PolicyStatement(
                owner,
                Text(statement["Effect"]) ?? "?",
                [.. Branches(statement["Action"]).Select(a => Text(a) ?? a!.ToJsonString())],
                statement.ContainsKey("NotAction"),
                [.. Branches(statement["Resource"])]));
        }
    }

    /// <summary>A list's items, a single value as one item; each <c>Fn::If</c> gives both of its branches and
    /// <c>AWS::NoValue</c> nothing.</summary>
    private static IEnumerable<JsonNode?> Branches(JsonNode? node)
    {
        if (node is null)
        {
            yield break;
        }

        IEnumerable<JsonNode?> items = node is JsonArray list ? list : new[] { node };
        foreach (var item in items)
        {
            if (item is JsonObject { Count: 1 } conditional && conditional["Fn::If"] is JsonArray branches)
            {
                foreach (var branch in branches.Skip(1).SelectMany(Branches))
                {
                    yield return branch;
                }
            }
            else if (!(item is JsonObject reference && Text(reference["Ref"]) == "AWS::NoValue"))
            {
                yield return item;
            }
        }
    }

    private static void CollectReferences(JsonNode? node, HashSet<string> found)
    {
        switch (node)
        {
            case JsonArray array:
                foreach (var item in array)
                {
                    CollectReferences(item, found);
                }

                break;
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    switch (key)
                    {
                        case "Ref" when Text(value) is { } target:
                            found.Add(target);
                            break;
                        case "Fn::GetAtt" when value is JsonArray { Count: > 0 } getAtt:
                            found.Add(Text(getAtt[0]) ?? string.Empty);
                            break;
                        case "Fn::Sub":
                            var format = Text(value is JsonArray sub ? sub[0] : value) ?? string.Empty;
                            var local = value is JsonArray { Count: 2 } withVariables ? withVariables[1]!.AsObject().Select(v => v.Key).ToHashSet() : [];
                            found.UnionWith(SubPlaceholder().Matches(format).Select(m => m.Groups[1].Value.Split('.')[0]).Where(n => !local.Contains(n)));
                            break;
                    }

                    CollectReferences(value, found);
                }

                break;
        }
    }

    [GeneratedRegex(@"\$\{([^!}][^}]*)\}")]
    private static partial Regex SubPlaceholder();
}
