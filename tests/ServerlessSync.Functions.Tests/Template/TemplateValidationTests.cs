using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ServerlessSync.Functions.Tests.Template;

/// <summary>
/// <c>template.yaml</c> as the tools see it: cfn-lint, the AWS SAM translator (for the three destinations, with
/// <c>s3://</c> code and definition URIs as <c>sam package</c> leaves them), the template's Rules, and every transition
/// of the state machine leading to a state of its own scope.
/// </summary>
public sealed class TemplateValidationTests
{
    private const string CopyRole = CallPermissions.CopyRoleArn;

    [Fact]
    public async Task CfnLint_FindsNothing()
    {
        var start = new ProcessStartInfo("cfn-lint") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(RepositoryFiles.TemplatePath);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cfn-lint did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, $"cfn-lint exit {process.ExitCode}:\n{await output}\n{await error}");
    }

    [Theory]
    [InlineData("RedshiftClusterId=sync-prod", "RedshiftDbUser=serverless_sync")]
    [InlineData("RedshiftClusterId=sync-prod", "RedshiftDbUser=serverless_sync", "CustomerRoleArn=" + RecordedCallsTests.CustomerRoleArn, "CustomerExternalId=" + RecordedCallsTests.CustomerExternalId)]
    [InlineData("RedshiftWorkgroup=" + RecordedCallsTests.WorkgroupArn)]
    public void SamTranslation_OfEachDestination_GivesEveryFunctionARoleAndBreaksNoRule(params string[] parameters)
    {
        var stack = TranslatedTemplate.For(Parameters(parameters));

        Assert.Empty(stack.FailedRules);
        Assert.Equal(SamTemplate.Load().FunctionIds.Order(StringComparer.Ordinal), stack.Functions.Keys.Order(StringComparer.Ordinal));
        Assert.All(stack.Functions.Values, f => Assert.Contains(f.Statements, s => s.Effect == "Allow"));
        Assert.Contains("SyncStateMachine", stack.Resources);
    }

    [Fact]
    public void CustomerRoleArn_WithoutExternalId_IsRefusedByARule()
    {
        var stack = TranslatedTemplate.For(Parameters("RedshiftClusterId=sync-prod", "RedshiftDbUser=serverless_sync", "CustomerRoleArn=" + RecordedCallsTests.CustomerRoleArn));

        var failed = Assert.Single(stack.FailedRules);
        Assert.StartsWith("CustomerRoleNeedsExternalId: CustomerRoleArn is assumed with an external ID; set CustomerExternalId", failed, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("a", false)]
    [InlineData("ab", true)]
    [InlineData("id+=,.@:/_-9", true)]
    [InlineData("no spaces", false)]
    public void CustomerExternalId_PatternTakesEmptyOrTwoTo1224OfWhatStsTakes(string value, bool allowed)
    {
        var parameter = SamTemplate.Load().Root["Parameters"]!["CustomerExternalId"]!;

        Assert.Equal(allowed, Regex.IsMatch(value, (string)parameter["AllowedPattern"]!));
        Assert.Equal("1224", parameter["MaxLength"]!.ToString());
        Assert.Matches((string)parameter["AllowedPattern"]!, new string('x', 1224));
    }

    [Fact]
    public void StateMachine_EveryNextDefaultAndCatchTarget_IsAStateOfItsScope()
    {
        var definition = JsonNode.Parse(DeployedStateMachineText())!.AsObject();
        var problems = new List<string>();
        CheckScope(definition, "", problems);

        Assert.Empty(problems);
    }

    [Fact]
    public void StateMachineCheck_TargetMissing_IsNamed()
    {
        var definition = JsonNode.Parse(DeployedStateMachineText())!.AsObject();
        definition["States"]!["StartRun"]!["Catch"]![0]!["Next"] = "NoSuchState";
        var problems = new List<string>();
        CheckScope(definition, "", problems);

        Assert.Equal(["StartRun: Catch[0].Next 'NoSuchState' is no state of its scope"], problems);
    }

    private static string DeployedStateMachineText() => Workflow.DeployedStateMachine.Read().DefinitionJson;

    private static Dictionary<string, string> Parameters(params string[] pairs)
    {
        var parameters = pairs.Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        parameters["CopyRoleArn"] = CopyRole;
        return parameters;
    }

    // Checks one States scope (the machine's, or a Map's ItemProcessor/Iterator, or a Parallel branch's), then the nested ones.
    private static void CheckScope(JsonObject scope, string path, List<string> problems)
    {
        var states = scope["States"]!.AsObject();
        var names = states.Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        void Target(string state, string where, JsonNode? target)
        {
            if (target is not null && !names.Contains((string)target!))
            {
                problems.Add($"{path}{state}: {where} '{(string)target!}' is no state of its scope");
            }
        }

        if (!names.Contains((string)scope["StartAt"]!))
        {
            problems.Add($"{path}StartAt '{(string)scope["StartAt"]!}' is no state of its scope");
        }

        foreach (var (name, node) in states)
        {
            var state = node!.AsObject();
            Target(name, "Next", state["Next"]);
            Target(name, "Default", state["Default"]);
            foreach (var (choice, i) in (state["Choices"]?.AsArray() ?? []).Select((c, i) => (c, i)))
            {
                Target(name, $"Choices[{i}].Next", choice!["Next"]);
            }

            foreach (var (handler, i) in (state["Catch"]?.AsArray() ?? []).Select((c, i) => (c, i)))
            {
                Target(name, $"Catch[{i}].Next", handler!["Next"]);
            }

            if ((state["ItemProcessor"] ?? state["Iterator"]) is JsonObject inner)
            {
                CheckScope(inner, $"{path}{name}/", problems);
            }

            foreach (var branch in state["Branches"]?.AsArray() ?? [])
            {
                CheckScope(branch!.AsObject(), $"{path}{name}/", problems);
            }
        }
    }
}
