using System.Text.Json.Nodes;

namespace ServerlessSync.Functions.Tests.Template;

public class StateMachineTests
{
    private static readonly string[] LambdaServiceErrors =
        ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"];

    private readonly SamTemplate _template = SamTemplate.Load();

    [Fact]
    public void Placeholders_EachHaveASubstitution_AndEverySubstitutionIsUsed()
    {
        var placeholders = StateMachineDefinition.Placeholders(StateMachineDefinition.Text);
        var substitutions = _template.StateMachine.Properties["DefinitionSubstitutions"]!.AsObject().Select(s => s.Key).ToHashSet();

        Assert.NotEmpty(placeholders);
        Assert.Empty(placeholders.Except(substitutions));
        Assert.Empty(substitutions.Except(placeholders));
    }

    [Fact]
    public void Definition_IsItsTemplatesFile() =>
        Assert.Equal("statemachine/sync.asl.json", SamTemplate.Text(_template.StateMachine.Properties["DefinitionUri"]));

    [Fact]
    public void Tasks_CallOnlyFunctionsOfTheTemplate()
    {
        var substitutions = _template.StateMachine.Properties["DefinitionSubstitutions"]!.AsObject();
        // Function ARNs as @Name@ markers, so each task shows which placeholder it calls.
        var markers = StateMachineDefinition.Placeholders(StateMachineDefinition.Text)
            .ToDictionary(p => p, p => p.EndsWith("FunctionArn", StringComparison.Ordinal) ? $"@{p}@" : "1");
        var tasks = StateMachineDefinition.AllStates(JsonNode.Parse(StateMachineDefinition.Substitute(StateMachineDefinition.Text, markers))!.AsObject())
            .Where(s => SamTemplate.Text(s.State["Type"]) == "Task")
            .ToList();

        Assert.NotEmpty(tasks);
        Assert.All(tasks, task =>
        {
            var placeholder = SamTemplate.Text(task.State["Parameters"]?["FunctionName"]) ?? string.Empty;
            Assert.StartsWith("@", placeholder);
            var getAtt = substitutions[placeholder.Trim('@')]?["Fn::GetAtt"];
            Assert.True(getAtt is JsonArray, $"{task.Name} calls {placeholder.Trim('@')}, which is not a function's Arn");
            Assert.Equal("Arn", SamTemplate.Text(getAtt[1]));
            Assert.Contains(SamTemplate.Text(getAtt[0]), _template.FunctionIds);
        });
    }

    [Fact]
    public void Tasks_RetryLambdaServiceErrorsWithBackoffAndFullJitter()
    {
        var tasks = Tasks(StateMachineDefinition.Substituted(_template));
        Assert.All(tasks, task =>
        {
            var retriers = task.State["Retry"]?.AsArray() ?? [];
            var retrier = retriers.FirstOrDefault(r => LambdaServiceErrors.All(e => r!["ErrorEquals"]!.AsArray().Any(x => SamTemplate.Text(x) == e)));
            Assert.True(retrier is not null, $"{task.Name} does not retry {string.Join(", ", LambdaServiceErrors)}");
            Assert.Equal("FULL", SamTemplate.Text(retrier["JitterStrategy"]));
            Assert.True(retrier["BackoffRate"]!.GetValue<double>() > 1, $"{task.Name} retries without backoff");
            Assert.InRange(retrier["MaxAttempts"]!.GetValue<int>(), 2, 10);
        });
    }

    [Fact]
    public void PlainLambdaTasks_TakeTheFunctionsPayload()
    {
        var plain = Tasks(StateMachineDefinition.Substituted(_template)).Where(t => SamTemplate.Text(t.State["Resource"]) == "arn:aws:states:::lambda:invoke").ToList();
        Assert.NotEmpty(plain);
        Assert.All(plain, task =>
        {
            var selects = SamTemplate.Text(task.State["OutputPath"]) == "$.Payload"
                || (task.State["ResultSelector"] is JsonObject selector && selector.All(s => SamTemplate.Text(s.Value)?.StartsWith("$.Payload.", StringComparison.Ordinal) == true));
            Assert.True(selects, $"{task.Name} keeps the invocation's envelope instead of its Payload");
        });
    }

    [Fact]
    public void ExtractAndLoad_StageAndLoad_AndLoadSlices_WaitForTheTokenTheyHandOn_AtMostTheObjectTimeout()
    {
        var machine = StateMachineDefinition.Substituted(_template);
        var waiting = Tasks(machine).Where(t => SamTemplate.Text(t.State["Resource"])!.EndsWith(".waitForTaskToken", StringComparison.Ordinal)).ToList();

        Assert.Equal(["ExtractAndLoad", "LoadSlices", "StageAndLoad"], waiting.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.All(waiting, t =>
        {
            Assert.Equal("$$.Task.Token", SamTemplate.Text(t.State["Parameters"]!["Payload"]!["taskToken.$"]));
            Assert.Equal(7200, t.State["TimeoutSeconds"]!.GetValue<int>());
        });
        Assert.Equal("$.export.job", SamTemplate.Text(waiting.Single(t => t.Name == "StageAndLoad").State["Parameters"]!["Payload"]!["job.$"]));
        Assert.Equal("$.slices", SamTemplate.Text(waiting.Single(t => t.Name == "LoadSlices").State["Parameters"]!["Payload"]!["slices.$"]));
        Assert.Equal(86400, machine["TimeoutSeconds"]!.GetValue<int>());
    }

    [Fact]
    public async Task AslValidator_AcceptsTheSubstitutedDefinition()
    {
        var result = await ValidateAsync(StateMachineDefinition.Substituted(_template));
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task AslValidator_RefusesADefinitionWhoseTransitionLeadsNowhere()
    {
        var broken = StateMachineDefinition.Substituted(_template);
        broken["States"]!["FinishRun"]!["Next"] = "NoSuchState";

        var result = await ValidateAsync(broken);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("NoSuchState", result.Output + result.Error, StringComparison.Ordinal);
    }

    private static List<(string Name, JsonObject State)> Tasks(JsonObject machine) =>
        [.. StateMachineDefinition.AllStates(machine).Where(s => SamTemplate.Text(s.State["Type"]) == "Task")];

    private static async Task<NodeToolResult> ValidateAsync(JsonObject definition)
    {
        var file = Path.Combine(Path.GetTempPath(), $"sync-{Guid.NewGuid():N}.asl.json");
        await File.WriteAllTextAsync(file, definition.ToJsonString());
        try
        {
            return await NodeTool.RunAsync("asl-validator", ["--json-path", file]);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
