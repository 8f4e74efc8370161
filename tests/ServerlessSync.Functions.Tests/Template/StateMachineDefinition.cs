using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ServerlessSync.Functions.Tests.Template;

/// <summary>
/// <c>statemachine/sync.asl.json</c>: its text holds <c>${…}</c> placeholders (numbers among them, unquoted) that
/// CloudFormation fills from the template's <c>DefinitionSubstitutions</c>; only the substituted text is JSON.
/// </summary>
public static partial class StateMachineDefinition
{
    public static string Text => File.ReadAllText(RepositoryFiles.StateMachinePath);

    public static IReadOnlySet<string> Placeholders(string text) =>
        Placeholder().Matches(text).Select(m => m.Groups[1].Value).ToHashSet();

    public static string Substitute(string text, IReadOnlyDictionary<string, string> values) =>
        Placeholder().Replace(text, m => values.TryGetValue(m.Groups[1].Value, out var value)
            ? value
            : throw new KeyNotFoundException($"no substitution for ${{{m.Groups[1].Value}}}"));

    /// <summary>The template's substitutions, resolved for <see cref="SamTemplate.SampleStack"/> and the parameters' defaults.</summary>
    public static IReadOnlyDictionary<string, string> SampleSubstitutions(SamTemplate template)
    {
        ArgumentNullException.ThrowIfNull(template);
        return template.StateMachine.Properties["DefinitionSubstitutions"]!.AsObject()
            .ToDictionary(s => s.Key, s => template.Resolve(s.Value));
    }

    /// <summary>The definition as the deployed state machine gets it, for the template's defaults.</summary>
    public static JsonObject Substituted(SamTemplate template) =>
        JsonNode.Parse(Substitute(Text, SampleSubstitutions(template)))!.AsObject();

    /// <summary>Every state, those inside Map and Parallel states included.</summary>
    public static IEnumerable<(string Name, JsonObject State)> AllStates(JsonObject machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        foreach (var (name, node) in machine["States"]!.AsObject())
        {
            var state = node!.AsObject();
            yield return (name, state);
            var nested = new[] { state["ItemProcessor"], state["Iterator"] }.Concat(state["Branches"]?.AsArray() ?? []);
            foreach (var inner in nested.OfType<JsonObject>().SelectMany(AllStates))
            {
                yield return inner;
            }
        }
    }

    /// <summary>
    /// The execution whose history records each state (state names are unique in a state machine): <c>run</c>, the
    /// run's own execution, or the name of the Distributed Map whose child executions run it. An Inline Map's
    /// iterations count in the execution around it.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ExecutionOfEachState(JsonObject machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        Walk(machine, "run");
        return found;

        void Walk(JsonNode scope, string execution)
        {
            foreach (var (name, node) in scope["States"]!.AsObject())
            {
                found.Add(name, execution);
                if (node!["ItemProcessor"] is { } processor)
                {
                    Walk(processor, processor["ProcessorConfig"]?["Mode"]?.GetValue<string>() == "DISTRIBUTED" ? name : execution);
                }
            }
        }
    }

    [GeneratedRegex(@"\$\{([^}]*)\}")]
    private static partial Regex Placeholder();
}
