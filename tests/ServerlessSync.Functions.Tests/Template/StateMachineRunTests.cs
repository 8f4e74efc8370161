using System.Text.Json.Nodes;

namespace ServerlessSync.Functions.Tests.Template;

/// <summary>
/// The definition's routes, run in aws-local-stepfunctions with each task answered by a scripted response (what
/// each function receives is the contract of docs/workflow.md). The real handlers run in the workflow tests.
/// </summary>
public class StateMachineRunTests
{
    private const string StartedAt = "2026-11-26T21:30:00.0000000Z";

    private static readonly JsonObject ExecutionInput = Json("""{"connectorId": "default", "trigger": "schedule"}""");

    private static readonly JsonObject Run = Obj(("connectorId", "default"), ("runId", "r1"), ("startedAt", StartedAt));

    private readonly JsonObject _definition = StateMachineDefinition.Substituted(SamTemplate.Load());

    [Fact]
    public async Task Run_EveryObjectLoads_RecordsAndCleansEachThenSucceeds()
    {
        var outcome = await RunAsync(Responses());

        Assert.Equal("SUCCEEDED", Text(outcome["status"]));
        Assert.Equal("SUCCEEDED", Text(outcome["output"]!["status"]));
        AssertPayload(Json("""{"input": {"connectorId": "default", "trigger": "schedule"}, "executionName": "execution-1"}"""), Single(outcome, "StartRun"));
        foreach (var name in new[] { "account", "invoice" })
        {
            AssertPayload(Obj(("run", Run), ("object", Plan(name)), ("taskToken", "task-token-1")), Single(outcome, "ExtractAndLoad", name));
            AssertPayload(Obj(("run", Run), ("object", Plan(name)), ("load", Loaded(name))), Single(outcome, "RecordLoaded", name));
            AssertPayload(Obj(("manifestKey", ManifestKey(name))), Single(outcome, "Cleanup", ManifestKey(name)));
        }

        AssertPayload(Json("""{"connectorId": "default", "runId": "r1"}"""), Single(outcome, "FinishRun"));
        Assert.Empty(Calls(outcome, "RecordFailure"));
        Assert.Empty(Calls(outcome, "CheckDestination"));
    }

    [Fact]
    public async Task Run_NotAFirstSync_SkipsTheDestinationChecks()
    {
        var responses = Responses();
        responses["StartRun"]!["payload"]!["checkDestination"] = false;

        var outcome = await RunAsync(responses);

        Assert.Equal("SUCCEEDED", Text(outcome["status"]));
        Assert.Empty(Calls(outcome, "CheckDestination"));
        Assert.Equal(2, Calls(outcome, "ExtractAndLoad").Count);
    }

    [Fact]
    public async Task Run_FirstSync_ChecksTheDestinationFirst_ThenLoadsWhenEveryCheckPassed()
    {
        var responses = Responses();
        responses["StartRun"]!["payload"]!["checkDestination"] = true;
        responses["CheckDestination"] = Json("""{"payload": {"connectorId": "default", "passed": true, "ranAt": "2026-11-26T21:30:00+00:00", "failed": null}}""");

        var outcome = await RunAsync(responses);

        Assert.Equal("SUCCEEDED", Text(outcome["status"]));
        AssertPayload(Json("""{"connectorId": "default", "runId": "r1", "trigger": "firstSync"}"""), Single(outcome, "CheckDestination"));
        var states = outcome["calls"]!.AsArray().Select(c => Text(c!["state"])).ToList();
        Assert.True(states.IndexOf("CheckDestination") < states.IndexOf("SubmitExport"), string.Join(", ", states));
        Assert.Equal(2, Calls(outcome, "ExtractAndLoad").Count);
    }

    [Fact]
    public async Task Run_FirstSync_ACheckFails_ExtractsNothing_FinishesTheRunWithTheCheck_AndFailsNamingIt()
    {
        const string failed = "check 4 (database privileges) FAIL: database user sync_loader lacks TEMPORARY on database dev";
        var responses = Responses();
        responses["StartRun"]!["payload"]!["checkDestination"] = true;
        responses["CheckDestination"] = Obj(("payload", Obj(("connectorId", "default"), ("passed", false), ("ranAt", StartedAt), ("failed", failed))));
        responses["FinishRunAfterChecks"] = Json("""{"payload": {"connectorId": "default", "runId": "r1", "status": "FAILED"}}""");

        var outcome = await RunAsync(responses);

        Assert.Equal(("FAILED", "DestinationCheckFailed", failed), (Text(outcome["status"]), Text(outcome["error"]), Text(outcome["cause"])));
        AssertPayload(Obj(("connectorId", "default"), ("runId", "r1"), ("checksFailed", failed)), Single(outcome, "FinishRunAfterChecks"));
        Assert.Equal(["StartRun", "CheckDestination", "FinishRunAfterChecks"], outcome["calls"]!.AsArray().Select(c => Text(c!["state"])));
    }

    [Fact]
    public async Task Run_FirstSync_TheChecksThemselvesFail_FinishesTheRunWithThatError()
    {
        var responses = Responses();
        responses["StartRun"]!["payload"]!["checkDestination"] = true;
        responses["CheckDestination"] = Json("""{"error": "AmazonDynamoDBException", "cause": "table not found"}""");

        var outcome = await RunAsync(responses);

        Assert.Equal(("FAILED", "AmazonDynamoDBException"), (Text(outcome["status"]), Text(outcome["error"])));
        AssertPayload(
            Json("""{"connectorId": "default", "runId": "r1", "error": {"Error": "AmazonDynamoDBException", "Cause": "table not found"}}"""),
            Single(outcome, "FinishRunAfterError"));
        Assert.Empty(Calls(outcome, "SubmitExport"));
    }

    [Fact]
    public async Task Run_AnotherRunHoldsTheLock_EndsSucceededWithoutWork()
    {
        var responses = Responses();
        responses["StartRun"] = Json("""{"error": "RunInProgressException", "cause": "connector default is held by run r0"}""");

        var outcome = await RunAsync(responses);

        Assert.Equal("SUCCEEDED", Text(outcome["status"]));
        Assert.Equal(["StartRun"], outcome["calls"]!.AsArray().Select(c => Text(c!["state"])));
    }

    [Fact]
    public async Task Run_StartFails_FailsWithTheStartError()
    {
        var responses = Responses();
        responses["StartRun"] = Json("""{"error": "UnknownObjectException", "cause": "synthetic has no object widget"}""");

        var outcome = await RunAsync(responses);

        Assert.Equal(("FAILED", "UnknownObjectException", "synthetic has no object widget"), (Text(outcome["status"]), Text(outcome["error"]), Text(outcome["cause"])));
        Assert.Single(outcome["calls"]!.AsArray());
    }

    [Fact]
    public async Task Run_OneLoadFails_RecordsItsErrorKeepsItsFilesLoadsTheOtherAndFailsWithTheRunsError()
    {
        var responses = Responses();
        responses["ExtractAndLoad"]!["byKey"]!["invoice"] = Json("""{"error": "LoadFailed", "cause": "COPY into zuora.invoice failed: line 2, column amount"}""");
        responses["FinishRun"] = Json("""{"payload": {"connectorId": "default", "runId": "r1", "status": "FAILED", "error": "invoice: COPY into zuora.invoice failed: line 2, column amount"}}""");

        var outcome = await RunAsync(responses);

        Assert.Equal(("FAILED", "SyncRunFailed", "invoice: COPY into zuora.invoice failed: line 2, column amount"), (Text(outcome["status"]), Text(outcome["error"]), Text(outcome["cause"])));
        AssertPayload(
            Obj(("run", Run), ("object", Plan("invoice")), ("error", Json("""{"Error": "LoadFailed", "Cause": "COPY into zuora.invoice failed: line 2, column amount"}"""))),
            Single(outcome, "RecordFailure", "invoice"));
        Assert.Empty(Calls(outcome, "Cleanup", ManifestKey("invoice")));
        Assert.Single(Calls(outcome, "Cleanup", ManifestKey("account")));
        Assert.Single(Calls(outcome, "FinishRun"));
    }

    [Fact]
    public async Task Run_CleanupFails_StillSucceeds()
    {
        var responses = Responses();
        responses["Cleanup"] = Json("""{"error": "AmazonS3Exception", "cause": "Access Denied"}""");

        var outcome = await RunAsync(responses);

        Assert.Equal("SUCCEEDED", Text(outcome["status"]));
        Assert.Equal(2, Calls(outcome, "Cleanup").Count);
        Assert.Empty(Calls(outcome, "RecordFailure"));
    }

    [Fact]
    public async Task Run_LambdaThrottlesATask_RetriesIt()
    {
        var responses = Responses();
        responses["ExtractAndLoad"]!["byKey"]!["account"] = new JsonArray(
            Json("""{"error": "Lambda.TooManyRequestsException", "cause": "Rate exceeded"}"""),
            Obj(("result", Loaded("account"))));

        var outcome = await RunAsync(responses);

        Assert.Equal("SUCCEEDED", Text(outcome["status"]));
        Assert.Equal(2, Calls(outcome, "ExtractAndLoad", "account").Count);
    }

    [Fact]
    public async Task Run_RecordingAFailureFails_FinishesTheRunWithThatErrorAndFails()
    {
        var responses = Responses();
        responses["ExtractAndLoad"]!["byKey"]!["invoice"] = Json("""{"error": "LoadFailed", "cause": "COPY failed"}""");
        responses["RecordFailure"] = Json("""{"error": "AmazonDynamoDBException", "cause": "table not found"}""");

        var outcome = await RunAsync(responses);

        Assert.Equal(("FAILED", "AmazonDynamoDBException", "table not found"), (Text(outcome["status"]), Text(outcome["error"]), Text(outcome["cause"])));
        AssertPayload(
            Json("""{"connectorId": "default", "runId": "r1", "error": {"Error": "AmazonDynamoDBException", "Cause": "table not found"}}"""),
            Single(outcome, "FinishRunAfterError"));
        Assert.Empty(Calls(outcome, "FinishRun"));
    }

    [Fact]
    public async Task Run_SourceWithJobs_WaitsAndChecksUntilCompleted_ThenStagesFromTheJob()
    {
        var responses = Responses();
        responses["SubmitExport"] = ByKey(name => Obj(("payload", Export(name, completed: false, checks: 0))));
        responses["CheckExport"] = new JsonObject
        {
            ["byKey"] = new JsonObject
            {
                ["account"] = new JsonArray(Obj(("payload", Export("account", false, 1))), Obj(("payload", Export("account", false, 2))), Obj(("payload", Export("account", true, 3)))),
                ["invoice"] = Obj(("payload", Export("invoice", true, 1))),
            },
        };
        responses["StageAndLoad"] = ByKey(name => Obj(("result", Loaded(name))));

        var outcome = await RunAsync(responses);

        Assert.Equal("SUCCEEDED", Text(outcome["status"]));
        AssertPayload(Obj(("run", Run), ("object", Plan("account"))), Single(outcome, "SubmitExport", "account"));
        var checks = Calls(outcome, "CheckExport", "account");
        Assert.Equal(3, checks.Count);
        AssertPayload(Obj(("run", Run), ("object", Plan("account")), ("job", Job("account", false, 0))), checks[0]);
        AssertPayload(Obj(("run", Run), ("object", Plan("account")), ("job", Job("account", false, 2))), checks[2]);
        Assert.Single(Calls(outcome, "CheckExport", "invoice"));
        AssertPayload(Obj(("run", Run), ("object", Plan("account")), ("job", Job("account", true, 3)), ("taskToken", "task-token-1")), Single(outcome, "StageAndLoad", "account"));
        Assert.Empty(Calls(outcome, "ExtractAndLoad"));
        Assert.Equal(2, Calls(outcome, "RecordLoaded").Count);
    }

    [Fact]
    public async Task Run_CheckingAJobFails_RecordsTheSourcesErrorForThatObjectOnly()
    {
        var responses = Responses();
        responses["SubmitExport"] = ByKey(name => Obj(("payload", Export(name, completed: false, checks: 0))));
        responses["CheckExport"] = ByKey(name => name == "invoice"
            ? Json("""{"error": "JobEndedException", "cause": "Zuora AQuA export of invoice: job j-invoice ended error: 90004 Query failed"}""")
            : Obj(("payload", Export(name, true, 1))));
        responses["StageAndLoad"] = ByKey(name => Obj(("result", Loaded(name))));

        var outcome = await RunAsync(responses);

        AssertPayload(
            Obj(("run", Run), ("object", Plan("invoice")), ("error", Json("""{"Error": "JobEndedException", "Cause": "Zuora AQuA export of invoice: job j-invoice ended error: 90004 Query failed"}"""))),
            Single(outcome, "RecordFailure", "invoice"));
        Assert.Empty(Calls(outcome, "StageAndLoad", "invoice"));
        Assert.Single(Calls(outcome, "RecordLoaded", "account"));
    }

    /// <summary>SubmitExport's or CheckExport's answer for one object's job.</summary>
    private static JsonObject Export(string objectName, bool completed, int checks) =>
        Obj(("submitted", true), ("completed", completed), ("waitSeconds", 10), ("job", Job(objectName, completed, checks)), ("slices", new JsonArray()));

    private static JsonObject Job(string objectName, bool completed, int checks) => Obj(
        ("objectName", objectName), ("windowStart", null), ("windowEnd", "2026-11-27T21:30:00Z"), ("columns", new JsonArray("id", "updateddate")),
        ("jobs", new JsonArray(Obj(("kind", "aqua"), ("jobId", "j-" + objectName), ("completed", completed), ("results", completed ? new JsonArray("f-" + objectName) : new JsonArray())))),
        ("submittedAt", StartedAt), ("deadline", "2026-11-27T00:30:00Z"), ("checks", checks), ("nextCheckSeconds", 10));

    private static JsonObject Responses() => new()
    {
        ["StartRun"] = Obj(("payload", Obj(("connectorId", "default"), ("runId", "r1"), ("startedAt", StartedAt), ("objects", new JsonArray(Plan("account"), Plan("invoice")))))),
        ["SubmitExport"] = ByKey(_ => Obj(("payload", Obj(("submitted", false), ("completed", false), ("waitSeconds", 0), ("job", null), ("slices", new JsonArray()))))),
        ["ExtractAndLoad"] = ByKey(name => Obj(("result", Loaded(name)))),
        ["RecordLoaded"] = ByKey(name => Obj(("payload", Obj(("objectName", name), ("status", "SUCCEEDED"))))),
        ["RecordFailure"] = ByKey(name => Obj(("payload", Obj(("objectName", name), ("status", "FAILED"))))),
        ["Cleanup"] = new JsonObject
        {
            ["byKey"] = new JsonObject(new[] { "account", "invoice" }.Select(name =>
                KeyValuePair.Create(ManifestKey(name), (JsonNode?)Obj(("payload", Obj(("manifestKey", ManifestKey(name)), ("deleted", 2))))))),
        },
        ["FinishRun"] = Json("""{"payload": {"connectorId": "default", "runId": "r1", "status": "SUCCEEDED"}}"""),
        ["FinishRunAfterError"] = Json("""{"payload": {"connectorId": "default", "runId": "r1", "status": "FAILED", "error": "the workflow failed"}}"""),
    };

    /// <summary>Responses keyed by the object each call is for.</summary>
    private static JsonObject ByKey(Func<string, JsonObject> response) => new()
    {
        ["byKey"] = new JsonObject { ["account"] = response("account"), ["invoice"] = response("invoice") },
    };

    private static JsonObject Plan(string objectName) =>
        Obj(("objectName", objectName), ("windowStart", null), ("windowEnd", StartedAt), ("expectedCursor", null));

    private static string ManifestKey(string objectName) => $"runs/default/r1/{objectName}/{objectName}.manifest.json";

    private static JsonObject Loaded(string objectName) => Obj(
        ("manifestKey", ManifestKey(objectName)), ("objectName", objectName), ("inserted", 3), ("updated", 0), ("deleted", 0),
        ("unchanged", 0), ("alreadyLoaded", false), ("loadMilliseconds", 12));

    /// <summary>A JSON object of the members; nodes are copied, so one node can serve several objects.</summary>
    private static JsonObject Obj(params (string Name, JsonNode? Value)[] members) =>
        new(members.Select(m => KeyValuePair.Create(m.Name, m.Value?.DeepClone())));

    private async Task<JsonObject> RunAsync(JsonObject responses)
    {
        var scenario = new JsonObject { ["definition"] = _definition.DeepClone(), ["input"] = ExecutionInput.DeepClone(), ["responses"] = responses };
        var driver = Path.Combine(RepositoryFiles.Root, "tests", "ServerlessSync.Functions.Tests", "Template", "run-state-machine.cjs");
        var result = await NodeTool.RunAsync("node", ["--no-warnings", driver], scenario.ToJsonString());
        Assert.True(result.ExitCode == 0, result.ToString());
        return Json(result.Output);
    }

    private static List<JsonNode> Calls(JsonObject outcome, string state, string? key = null) =>
        [.. outcome["calls"]!.AsArray()
            .Where(c => Text(c!["state"]) == state)
            .Where(c => key is null || Text(c!["payload"]?["object"]?["objectName"]) == key || Text(c!["payload"]?["manifestKey"]) == key)
            .Select(c => c!["payload"]!)];

    private static JsonNode Single(JsonObject outcome, string state, string? key = null) => Assert.Single(Calls(outcome, state, key));

    private static void AssertPayload(JsonNode expected, JsonNode actual) =>
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected {expected.ToJsonString()}\n  actual {actual.ToJsonString()}");

    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    private static string? Text(JsonNode? node) => SamTemplate.Text(node);
}
