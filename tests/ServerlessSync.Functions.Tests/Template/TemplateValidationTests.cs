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
    [InlineData("RedshiftWorkgroup=" + RecordedCallsTests.WorkgroupArn, "Source=zuora", "SourceSecretArn=arn:aws:secretsmanager:us-east-1:123456789012:secret:zuora-oauth-AbCdEf", "ZuoraEnvironment=us-sandbox")]
    public void SamTranslation_OfEachDestination_GivesEveryFunctionARoleAndBreaksNoRule(params string[] parameters)
    {
        var stack = TranslatedTemplate.For(Parameters(parameters));
        // SubmitExport and CheckExport call the source only: without a source secret (the synthetic tenant) their roles
        // hold nothing but logging, and with one only the secret's read.
        string[] sourceOnly = parameters.Any(p => p.StartsWith("SourceSecretArn=", StringComparison.Ordinal)) ? [] : ["SubmitExportFunction", "CheckExportFunction"];

        Assert.Empty(stack.FailedRules);
        Assert.Equal(SamTemplate.Load().FunctionIds.Order(StringComparer.Ordinal), stack.Functions.Keys.Order(StringComparer.Ordinal));
        Assert.All(stack.Functions.Where(f => !sourceOnly.Contains(f.Key)).Select(f => f.Value), f => Assert.Contains(f.Statements, s => s.Effect == "Allow"));
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
    public void StatusTable_ExpiresItemsByTheAttributeTheStoreWrites_ForStatusRetentionDays()
    {
        var template = SamTemplate.Load();
        var ttl = template.Properties("StatusTable")["TimeToLiveSpecification"]!;

        Assert.Equal((Aws.DynamoDb.DynamoDbStatusStore.ExpiresAtAttribute, "true"), (SamTemplate.Text(ttl["AttributeName"]), ttl["Enabled"]!.ToString().ToLowerInvariant()));
        Assert.Equal("StatusRetentionDays", SamTemplate.Text(template.Root["Globals"]!["Function"]!["Environment"]!["Variables"]!["STATUS_RETENTION_DAYS"]!["Ref"]));
        Assert.Equal("90", template.Root["Parameters"]!["StatusRetentionDays"]!["Default"]!.ToString());
    }

    [Fact]
    public void Functions_EachLogToAGroupTheStackMakes_KeptLogRetentionDays()
    {
        var template = SamTemplate.Load();

        Assert.All(template.FunctionIds, id =>
        {
            var group = template.Properties($"{id}LogGroup");
            Assert.Equal($"/aws/lambda/${{{id}}}", SamTemplate.Text(group["LogGroupName"]?["Fn::Sub"]));
            Assert.Equal("LogRetentionDays", SamTemplate.Text(group["RetentionInDays"]?["Ref"]));
        });
        Assert.Equal("30", template.Root["Parameters"]!["LogRetentionDays"]!["Default"]!.ToString());
    }

    [Fact]
    public void RunFailedTopic_TakesPublishesOnlyFromTheFailedRunRule_AndIsAnOutput()
    {
        var template = SamTemplate.Load();
        var statement = Assert.Single(template.Properties("RunFailedTopicPolicy")["PolicyDocument"]!["Statement"]!.AsArray())!;

        Assert.Equal("events.amazonaws.com", SamTemplate.Text(statement["Principal"]!["Service"]));
        Assert.Equal("sns:Publish", SamTemplate.Text(statement["Action"]));
        Assert.Equal("RunFailedRule", SamTemplate.Text(statement["Condition"]!["ArnEquals"]!["aws:SourceArn"]!["Fn::GetAtt"]![0]));
        Assert.Equal("RunFailedTopic", SamTemplate.Text(template.Root["Outputs"]!["RunFailedTopicArn"]!["Value"]!["Ref"]));
    }

    [Theory]
    [InlineData("FAILED", true)]
    [InlineData("TIMED_OUT", true)]
    [InlineData("ABORTED", true)]
    [InlineData("SUCCEEDED", false)]
    [InlineData("RUNNING", false)]
    public void RunFailedRule_AnnouncesEveryEndButSuccess(string status, bool announced)
    {
        const string Arn = "arn:aws:states:us-east-1:123456789012:stateMachine:sync";
        var message = RunFailedRule.Announce(SamTemplate.Load(), RunFailedRule.StatusChangeEvent(Arn, "run-1", status, null, null), Arn, "default");

        Assert.Equal(announced, message is not null);
        if (message is not null)
        {
            Assert.Equal(("default", "run-1", status), ((string?)message["connectorId"], (string?)message["runId"], (string?)message["status"]));
        }
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
