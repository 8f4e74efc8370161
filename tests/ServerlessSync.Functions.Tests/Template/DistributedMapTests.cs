using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ServerlessSync.Functions.Tests.Support;

namespace ServerlessSync.Functions.Tests.Template;

/// <summary>
/// The object Map and the slice Map as Distributed Maps (docs/workflow.md#distributed-maps): every waiting loop runs in
/// a child execution with its own history, the state machine's role may start itself and describe and stop exactly its
/// child executions, and the run rules see a run's own execution only, never a child's. aws-local-stepfunctions runs
/// every Map inline (it ignores <c>ProcessorConfig</c>), so these hold the definition and the template to what Step
/// Functions documents; docs/testing.md says what stays unproven without AWS.
/// </summary>
public sealed partial class DistributedMapTests
{
    private static readonly string[] Maps = ["ExportSlices", "SyncObjects"];

    private readonly SamTemplate _template = SamTemplate.Load();

    [Fact]
    public void EveryMap_RunsEachItemAsAStandardChildExecution_Labelled_AndFailsOnAnyFailedChild()
    {
        var maps = StateMachineDefinition.AllStates(StateMachineDefinition.Substituted(_template))
            .Where(s => SamTemplate.Text(s.State["Type"]) == "Map")
            .ToList();

        Assert.Equal(Maps, maps.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.All(maps, map =>
        {
            var config = map.State["ItemProcessor"]!["ProcessorConfig"]!;
            Assert.Equal("DISTRIBUTED", SamTemplate.Text(config["Mode"]));
            // EXPRESS children end after 5 minutes; an object's or a slice's job may take Zuora's 3 hours.
            Assert.Equal("STANDARD", SamTemplate.Text(config["ExecutionType"]));
            // The label names the Map in its children's ARNs (…:execution:{state machine}/{label}:{id}): at most 40
            // characters, none that an ARN or a name refuses.
            Assert.Equal(map.Name, SamTemplate.Text(map.State["Label"]));
            Assert.Matches(LabelForm(), map.Name);
            // A child that escaped every Catch fails the Map Run, so the Map's own Catch runs, as an inline iteration's
            // failure did.
            Assert.Equal(0, map.State["ToleratedFailurePercentage"]!.GetValue<int>());
            Assert.Null(map.State["ToleratedFailureCount"]);
            // The items come from the state input (ItemsPath), the results back into it: no S3 reader or writer.
            Assert.Null(map.State["ItemReader"]);
            Assert.Null(map.State["ResultWriter"]);
            Assert.NotNull(map.State["Catch"]);
        });
    }

    [Fact]
    public void TheRunsOwnExecution_NeitherWaitsNorIteratesInline_SoItsHistoryDoesNotGrowWithObjectsOrSlices()
    {
        var machine = StateMachineDefinition.Substituted(_template);
        var states = StateMachineDefinition.AllStates(machine).ToDictionary(s => s.Name, s => s.State, StringComparer.Ordinal);
        var byExecution = StateMachineDefinition.ExecutionOfEachState(machine)
            .GroupBy(e => e.Value, e => (Name: e.Key, State: states[e.Key]))
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

        // The run's execution: start, checks, the objects' Map Run, finish; no state that waits or loops per item.
        var run = byExecution["run"];
        Assert.Contains(run, s => s.Name == "SyncObjects");
        Assert.DoesNotContain(run, s => SamTemplate.Text(s.State["Type"]) == "Wait");
        Assert.DoesNotContain(run, s => SamTemplate.Text(s.State["Resource"])?.EndsWith(".waitForTaskToken", StringComparison.Ordinal) == true);
        // An object's execution waits for its own jobs only; each slice waits in an execution of its own.
        Assert.Contains(byExecution["SyncObjects"], s => s.Name == "WaitForExport");
        Assert.DoesNotContain(byExecution["SyncObjects"], s => s.Name is "WaitForSlice" or "CheckSlice");
        Assert.Contains(byExecution["ExportSlices"], s => s.Name == "WaitForSlice");
    }

    [Fact]
    public void ChildExecutions_AnswerOnlyWhatTheMapsCollect_SoTheResultStaysFarBelow256KiB()
    {
        var machine = StateMachineDefinition.Substituted(_template);

        // An object's child ends with what RecordObject recorded ({"objectName","status"}); nothing of its jobs or load.
        var objectEnds = ProcessorStates(machine, "SyncObjects").Where(s => IsEnd(s.State)).ToList();
        Assert.Equal(["Cleanup", "CleanupSkipped", "RecordFailure"], objectEnds.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.All(objectEnds, s => Assert.Equal("$.recorded", SamTemplate.Text(s.State["OutputPath"])));

        // A slice's child ends with its index, whether it failed, and the caught error: what LoadSlices reads.
        var sliceEnds = ProcessorStates(machine, "ExportSlices").Where(s => IsEnd(s.State)).ToList();
        Assert.Equal(["SliceFailed", "SliceStaged"], sliceEnds.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.All(sliceEnds, s =>
        {
            Assert.Equal("Pass", SamTemplate.Text(s.State["Type"]));
            Assert.Subset(new HashSet<string> { "index.$", "failed", "error.$" }, s.State["Parameters"]!.AsObject().Select(p => p.Key).ToHashSet());
        });
    }

    [Fact]
    public void StateMachineRole_StartsItself_AndStopsOnlyItsChildExecutions()
    {
        var stack = TranslatedTemplate.For(new Dictionary<string, string>
        {
            ["CopyRoleArn"] = CallPermissions.CopyRoleArn,
            ["RedshiftClusterId"] = "sync-prod",
            ["RedshiftDbUser"] = "serverless_sync",
        });
        var role = stack.StateMachineRole;
        var executions = stack.StateMachineArn.Replace(":stateMachine:", ":execution:", StringComparison.Ordinal);

        var grants = role.Statements.Where(s => s.Effect == "Allow")
            .SelectMany(s => s.Actions.Where(a => a.StartsWith("states:", StringComparison.Ordinal)).SelectMany(a => s.Resources.Select(r => $"{a} {r}")))
            .Order(StringComparer.Ordinal);
        // AWS's page once granted Describe and Stop on the children, now Describe on …:execution:{name}:*: both.
        Assert.Equal(
            [$"states:DescribeExecution {executions}/*", $"states:DescribeExecution {executions}:*", $"states:StartExecution {stack.StateMachineArn}", $"states:StopExecution {executions}/*"],
            grants);

        // Held against the ARNs Step Functions uses: each Map's children (…/{label}:{id}), the slices' too (their Map
        // runs inside an object's child), may be described and stopped; the run's own execution may be described,
        // never stopped, and other state machines' executions neither.
        foreach (var label in Maps)
        {
            var child = $"{executions}/{label}:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
            Assert.True(Allows(role, "states:DescribeExecution", child), child);
            Assert.True(Allows(role, "states:StopExecution", child), child);
        }

        Assert.True(Allows(role, "states:StartExecution", stack.StateMachineArn));
        Assert.False(Allows(role, "states:StopExecution", $"{executions}:{FunctionsTestHost.SampleRunId}"));
        Assert.True(Allows(role, "states:DescribeExecution", $"{executions}:{FunctionsTestHost.SampleRunId}"));
        Assert.False(Allows(role, "states:StopExecution", $"{executions}-copy/SyncObjects:1"));
        Assert.False(Allows(role, "states:DescribeExecution", $"{executions}-copy:{FunctionsTestHost.SampleRunId}"));
        Assert.False(Allows(role, "states:StartExecution", $"{stack.StateMachineArn}-copy"));
        Assert.Null(_template.FindDependencyCycle());
    }

    [Theory]
    [InlineData("ABORTED", true)]
    [InlineData("TIMED_OUT", true)]
    [InlineData("FAILED", true)]
    [InlineData("ABORTED", false)]
    [InlineData("TIMED_OUT", false)]
    [InlineData("FAILED", false)]
    public void RunRules_SeeTheRunsExecution_NeverAChildExecutionOfItsMaps(string status, bool labelledStateMachineArn)
    {
        const string Arn = "arn:aws:states:us-east-1:123456789012:stateMachine:serverless-sync-runs";
        var run = RunFailedRule.StatusChangeEvent(Arn, "run-1", status, "SyncRunFailed", "x");
        var stops = status != "FAILED";

        Assert.NotNull(RunFailedRule.Announce(_template, run, Arn, "default"));
        Assert.Equal(stops, RunFailedRule.StoppedRunInput(_template, run, Arn, "default") is not null);
        foreach (var label in Maps)
        {
            // A stopped run's children are stopped with it; a child may also fail on its own.
            var child = RunFailedRule.ChildStatusChangeEvent(Arn, label, "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", status, labelledStateMachineArn);
            Assert.Null(RunFailedRule.Announce(_template, child, Arn, "default"));
            Assert.Null(RunFailedRule.StoppedRunInput(_template, child, Arn, "default"));
        }
    }

    private static bool Allows(FunctionRole role, string action, string resource) =>
        role.Statements.Any(s => s.Effect == "Allow" && s.Actions.Contains(action, StringComparer.Ordinal) && s.Resources.Any(r => CallPermissions.Matches(r, resource)));

    private static bool IsEnd(JsonObject state) =>
        state["End"]?.GetValue<bool>() == true || SamTemplate.Text(state["Type"]) == "Succeed";

    /// <summary>The states of a Map's item processor, not those of Maps nested in it.</summary>
    private static List<(string Name, JsonObject State)> ProcessorStates(JsonObject machine, string map)
    {
        var processor = StateMachineDefinition.AllStates(machine).Single(s => s.Name == map).State["ItemProcessor"]!;
        return [.. processor["States"]!.AsObject().Select(s => (s.Key, s.Value!.AsObject()))];
    }

    // A Map Run label: at most 40 characters of letters, digits, - and _ (it goes into ARNs and execution names).
    [GeneratedRegex("^[A-Za-z0-9_-]{1,40}$")]
    private static partial Regex LabelForm();
}
