using ServerlessSync.Functions.Tests.Template;

namespace ServerlessSync.Functions.Tests.Workflow;

/// <summary>
/// The state machine as <c>sam deploy</c> would create it: <c>template.yaml</c>'s state machine resource, its ASL with
/// every <c>${Name}</c> of its <c>DefinitionSubstitutions</c> replaced (for the template tests' sample stack and the
/// parameters' defaults, unless the test gives a value), and, for each function ARN a substitution holds, the
/// function resource and the handler string it runs (<c>Assembly::Namespace.Class::Method</c>).
/// </summary>
internal sealed record DeployedStateMachine(
    string Name,
    string DefinitionJson,
    IReadOnlyDictionary<string, string> Substitutions,
    IReadOnlyDictionary<string, DeployedFunction> FunctionsByArn)
{
    public static string Region => SamTemplate.SampleStack["AWS::Region"];

    public static string Account => SamTemplate.SampleStack["AWS::AccountId"];

    /// <param name="values">values that replace the template's for some substitutions (e.g. <c>ObjectConcurrency</c>)</param>
    public static DeployedStateMachine Read(IReadOnlyDictionary<string, string>? values = null)
    {
        var template = SamTemplate.Load();
        var (name, properties) = template.StateMachine;
        var substitutions = new Dictionary<string, string>(StateMachineDefinition.SampleSubstitutions(template), StringComparer.Ordinal);
        foreach (var (key, value) in values ?? new Dictionary<string, string>())
        {
            substitutions[key] = substitutions.ContainsKey(key) ? value : throw new ArgumentException($"{name} has no substitution {key}", nameof(values));
        }

        var functions = new Dictionary<string, DeployedFunction>(StringComparer.Ordinal);
        foreach (var (key, expression) in properties["DefinitionSubstitutions"]!.AsObject())
        {
            if (expression?["Fn::GetAtt"] is { } getAtt && SamTemplate.Text(getAtt[1]) == "Arn" && SamTemplate.Text(getAtt[0]) is { } id
                && template.FunctionIds.Contains(id))
            {
                var handler = SamTemplate.Text(template.FunctionProperty(id, "Handler"))
                    ?? throw new InvalidOperationException($"function {id} (substitution {key}) has no Handler");
                functions[substitutions[key]] = new DeployedFunction(id, handler);
            }
        }

        return new DeployedStateMachine(name, StateMachineDefinition.Substitute(StateMachineDefinition.Text, substitutions), substitutions, functions);
    }
}

/// <summary>A function resource of the template and its handler string (<c>Assembly::Namespace.Class::Method</c>).</summary>
internal sealed record DeployedFunction(string LogicalId, string Handler);
