using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Functions.Api;
using ServerlessSync.Functions.Tests.Support;
using ServerlessSync.Testing;

namespace ServerlessSync.Functions.Tests.Api;

/// <summary>
/// The status API handler driven by the <c>events/api-*.json</c> samples and variations of them, against status
/// written to moto's DynamoDB through the DynamoDB status store and a local Step Functions endpoint.
/// </summary>
public sealed partial class StatusApiFunctionTests : IAsyncLifetime
{
    private const string Connector = "default";
    private const string SampleRunId = "20261126T213000Z-a1b2c3";
    private const string LastRunId = "20261126T203000Z-0f0f0f";

    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset LastRunAt = new(2026, 11, 26, 20, 30, 0, TimeSpan.Zero);

    private readonly ApiHarness _api = new();

    public Task InitializeAsync() => _api.InitializeAsync();

    public Task DisposeAsync() => _api.DisposeAsync();

    [Fact]
    public async Task GetConnectorSample_KnownConnector_200WithObjectsCursorsTotalsAndLastRun()
    {
        await WriteConnectorAsync(RunStatus.Succeeded);

        var result = await _api.InvokeAsync(ApiHarness.Sample("api-get-connector.json"));

        Assert.Equal(200, result.Status);
        Assert.Equal(
            """{"connectorId":"default","source":"synthetic","status":"ACTIVE","lastGoodDataAt":"2026-11-26T20:30:00+00:00","lastError":null,"lastRunId":"20261126T203000Z-0f0f0f","lastRunStatus":"SUCCEEDED","createdAt":"2026-11-20T08:00:00+00:00","updatedAt":"2026-11-26T20:31:00+00:00","objects":["""
            + """{"objectName":"account","selected":true,"historicalComplete":true,"cursor":"2026-11-26T20:30:00+00:00","lastLoadedAt":"2026-11-26T20:31:00+00:00","totalInserted":120,"totalUpdated":7,"totalDeleted":1,"lastFullSyncAt":null},"""
            + """{"objectName":"invoice","selected":true,"historicalComplete":false,"cursor":null,"lastLoadedAt":null,"totalInserted":0,"totalUpdated":0,"totalDeleted":0,"lastFullSyncAt":null}]}""",
            result.BodyText);
        Assert.Equal("no-store", result.Headers["cache-control"]);
    }

    [Fact]
    public async Task GetConnectorSample_UnknownConnector_404NamingIt()
    {
        var result = await _api.InvokeAsync(ApiHarness.Sample("api-get-connector.json"));

        Assert.Equal(404, result.Status);
        Assert.Equal("connector 'default' is not known", result.Error);
    }

    [Fact]
    public async Task ListRunsSample_ThreeRuns_TwoPagesNewestFirstByNextToken()
    {
        await WriteConnectorAsync(RunStatus.Succeeded);
        var status = _api.Status;
        await status.PutRunAsync(StatusBuilders.Run(
            runId: "20261125T203000Z-aaaaaa",
            connectorId: Connector,
            mode: RunMode.Historical,
            startedAt: LastRunAt.AddDays(-1),
            endedAt: LastRunAt.AddDays(-1).AddMinutes(10)), None);
        await status.PutObjectRunAsync(Connector, ObjectRun("20261125T203000Z-aaaaaa", "account", RunStatus.Succeeded, null), None);
        await status.PutRunAsync(StatusBuilders.Run(
            runId: "20261124T203000Z-bbbbbb",
            connectorId: Connector,
            mode: RunMode.Historical,
            status: RunStatus.Failed,
            startedAt: LastRunAt.AddDays(-2),
            endedAt: LastRunAt.AddDays(-2).AddMinutes(3),
            error: "1 of 1 objects failed"), None);

        var first = await _api.InvokeAsync(ApiHarness.Sample("api-list-runs.json"));
        var nextToken = first.Body.GetProperty("nextToken").GetString()!;
        var second = await _api.InvokeAsync(ApiHarness.Sample("api-list-runs.json", e =>
        {
            e["queryStringParameters"]!["nextToken"] = nextToken;
            e["rawQueryString"] = $"limit=2&nextToken={Uri.EscapeDataString(nextToken)}";
        }));

        Assert.Equal((200, 200), (first.Status, second.Status));
        Assert.Equal([LastRunId, "20261125T203000Z-aaaaaa"], RunIds(first));
        Assert.Equal(["20261124T203000Z-bbbbbb"], RunIds(second));
        Assert.Equal(JsonValueKind.Null, second.Body.GetProperty("nextToken").ValueKind);
        var newest = first.Body.GetProperty("runs")[0];
        Assert.Equal(
            """{"runId":"20261126T203000Z-0f0f0f","mode":"INCREMENTAL","status":"SUCCEEDED","startedAt":"2026-11-26T20:30:00+00:00","endedAt":"2026-11-26T20:31:00+00:00","durationMilliseconds":60000,"error":null,"objects":2,"failedObjects":[],"rowsExtracted":240,"rowsInserted":80,"rowsUpdated":40,"rowsDeleted":4,"bytes":8192}""",
            newest.GetRawText());
        Assert.Equal("1 of 1 objects failed", second.Body.GetProperty("runs")[0].GetProperty("error").GetString());
    }

    [Fact]
    public async Task ListRuns_NoLimit_TwentyPerPage()
    {
        await WriteConnectorAsync(RunStatus.Succeeded);
        for (var i = 1; i <= 20; i++)
        {
            await _api.Status.PutRunAsync(StatusBuilders.Run(runId: $"run-{i:00}", connectorId: Connector, startedAt: T0.AddHours(i)), None);
        }

        var page = await _api.InvokeAsync(ApiHarness.Request("GET", "/connectors/default/runs"));

        Assert.Equal(200, page.Status);
        Assert.Equal(20, page.Body.GetProperty("runs").GetArrayLength());
        Assert.Equal(LastRunId, RunIds(page)[0]);
        Assert.Equal("run-02", RunIds(page)[^1]);
        Assert.Equal(JsonValueKind.String, page.Body.GetProperty("nextToken").ValueKind);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("-1")]
    [InlineData("2.5")]
    [InlineData("ten")]
    [InlineData("")]
    public async Task ListRuns_LimitOutOfRange_400NamingIt(string limit)
    {
        await WriteConnectorAsync(RunStatus.Succeeded);

        var result = await _api.InvokeAsync(ApiHarness.Sample("api-list-runs.json", e =>
        {
            e["queryStringParameters"]!["limit"] = limit;
            e["rawQueryString"] = $"limit={limit}";
        }));

        Assert.Equal(400, result.Status);
        Assert.Equal($"limit '{limit}' must be a whole number from 1 to 100", result.Error);
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("eyJ2IjoxLCJjIjoib3RoZXIiLCJ0IjoxLCJyIjoicnVuLTEifQ")] // a well-formed token of connector 'other'
    public async Task ListRuns_TokenNotGivenForThisConnector_400NamingIt(string token)
    {
        await WriteConnectorAsync(RunStatus.Succeeded);

        var result = await _api.InvokeAsync(ApiHarness.Request("GET", "/connectors/default/runs", rawQueryString: $"nextToken={token}"));

        Assert.Equal(400, result.Status);
        Assert.StartsWith("nextToken is not one this API gave for connector 'default'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListRuns_UnknownQueryParameterOrConnector_400Or404()
    {
        await WriteConnectorAsync(RunStatus.Succeeded);

        var unknownParameter = await _api.InvokeAsync(ApiHarness.Request("GET", "/connectors/default/runs", rawQueryString: "limit=2&pageSize=5"));
        var unknownConnector = await _api.InvokeAsync(ApiHarness.Request("GET", "/connectors/other/runs"));

        Assert.Equal((400, "unknown query parameter 'pageSize': this route takes limit and nextToken"), (unknownParameter.Status, unknownParameter.Error));
        Assert.Equal((404, "connector 'other' is not known"), (unknownConnector.Status, unknownConnector.Error));
    }

    [Fact]
    public async Task GetRunSample_RunWithAFailedObject_200WithObjectsAndErrors()
    {
        await WriteConnectorAsync(RunStatus.Failed);
        var started = new DateTimeOffset(2026, 11, 26, 21, 30, 0, TimeSpan.Zero);
        await _api.Status.PutRunAsync(StatusBuilders.Run(
            runId: SampleRunId,
            connectorId: Connector,
            mode: RunMode.Mixed,
            status: RunStatus.Failed,
            startedAt: started,
            endedAt: started.AddMinutes(4),
            error: "1 of 2 objects failed"), None);
        await _api.Status.PutObjectRunAsync(Connector, ObjectRun(SampleRunId, "invoice", RunStatus.Failed, "COPY failed: invoice.00001.csv.gz line 3, column amount"), None);
        await _api.Status.PutObjectRunAsync(Connector, ObjectRun(SampleRunId, "account", RunStatus.Succeeded, null), None);

        var result = await _api.InvokeAsync(ApiHarness.Sample("api-get-run.json"));

        Assert.Equal(200, result.Status);
        Assert.Equal(Connector, result.Body.GetProperty("connectorId").GetString());
        var run = result.Body.GetProperty("run");
        Assert.Equal((SampleRunId, "FAILED", 240_000L), (run.GetProperty("runId").GetString(), run.GetProperty("status").GetString(), run.GetProperty("durationMilliseconds").GetInt64()));
        Assert.Equal(["invoice"], run.GetProperty("failedObjects").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal(["account", "invoice"], result.Body.GetProperty("objects").EnumerateArray().Select(o => o.GetProperty("objectName").GetString()));
        Assert.Equal(
            """{"runId":"20261126T213000Z-a1b2c3","objectName":"invoice","mode":"Incremental","windowStart":"2026-11-26T20:25:00+00:00","windowEnd":"2026-11-26T21:30:00+00:00","status":"FAILED","rowsExtracted":120,"rowsInserted":40,"rowsUpdated":20,"rowsDeleted":2,"files":2,"bytes":4096,"extractMilliseconds":1500,"loadMilliseconds":2500,"manifestKey":"runs/default/20261126T213000Z-a1b2c3/invoice/invoice.manifest.json","error":"COPY failed: invoice.00001.csv.gz line 3, column amount","fullResync":false,"jobsSubmittedAt":null,"jobs":null,"slicesDone":0,"slicesTotal":0}""",
            result.Body.GetProperty("objects")[1].GetRawText());
        Assert.Equal(
            """[{"objectName":null,"error":"1 of 2 objects failed"},{"objectName":"invoice","error":"COPY failed: invoice.00001.csv.gz line 3, column amount"}]""",
            result.Body.GetProperty("errors").GetRawText());
    }

    [Fact]
    public async Task GetRunSample_UnknownRun_404NamingIt()
    {
        await WriteConnectorAsync(RunStatus.Succeeded);

        var result = await _api.InvokeAsync(ApiHarness.Sample("api-get-run.json"));

        Assert.Equal(404, result.Status);
        Assert.Equal($"run '{SampleRunId}' of connector 'default' is not known", result.Error);
    }

    [Fact]
    public async Task StartRunSample_IdleConnector_202StartsAnExecutionNamedByTheRunId()
    {
        await WriteConnectorAsync(RunStatus.Succeeded);

        var result = await _api.InvokeAsync(ApiHarness.Sample("api-start-run.json"));

        Assert.Equal(202, result.Status);
        var execution = Assert.Single(_api.StepFunctions.Executions);
        Assert.Matches(RunIdFormat(), execution.Name);
        Assert.StartsWith("20261126T214510Z-", execution.Name, StringComparison.Ordinal);
        Assert.Equal(
            $$"""{"connectorId":"default","runId":"{{execution.Name}}","executionArn":"arn:aws:states:eu-west-1:123456789012:execution:serverless-sync:{{execution.Name}}"}""",
            result.BodyText);
        Assert.Equal($$"""{"connectorId":"default","runId":"{{execution.Name}}","objects":["account","invoice"],"trigger":"api"}""", execution.Input);
        Assert.Equal(LocalStepFunctions.StateMachineArn, execution.StateMachineArn);
        Assert.Contains("/eu-west-1/states/aws4_request", execution.Authorization, StringComparison.Ordinal);
        Assert.Equal($"/connectors/default/runs/{execution.Name}", result.Headers["location"]);
    }

    [Fact]
    public async Task StartRunSample_LastRunStillRunning_409AndNothingStarted()
    {
        await WriteConnectorAsync(RunStatus.Running);
        _api.StepFunctions.SetExecutionStatus(LastRunId, "RUNNING");

        var result = await _api.InvokeAsync(ApiHarness.Sample("api-start-run.json"));

        Assert.Equal(409, result.Status);
        Assert.Equal($"connector 'default' is running run '{LastRunId}'; start another run when it has finished", result.Error);
        Assert.Empty(_api.StepFunctions.Executions);
    }

    [Theory]
    [InlineData("FAILED")]
    [InlineData("TIMED_OUT")]
    [InlineData("ABORTED")]
    [InlineData("SUCCEEDED")]
    [InlineData(null)]
    public async Task StartRunSample_LastRunRecordedRunningButItsExecutionEnded_202TakingItsLockOver(string? executionStatus)
    {
        // The run's record says RUNNING, but its workflow ended (or Step Functions no longer has it: null) without
        // finishing it: the lock it holds would block every run until its lease ends.
        await WriteConnectorAsync(RunStatus.Running);
        if (executionStatus is not null)
        {
            _api.StepFunctions.SetExecutionStatus(LastRunId, executionStatus);
        }

        var result = await _api.InvokeAsync(ApiHarness.Sample("api-start-run.json"));

        Assert.Equal(202, result.Status);
        var started = Assert.Single(_api.StepFunctions.Executions);
        var input = JsonNode.Parse(started.Input)!;
        Assert.Equal((LastRunId, "api"), ((string?)input["takeOverFrom"], (string?)input["trigger"]));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("  \n", false)]
    [InlineData("{}", false)]
    [InlineData("{\"objects\":null}", false)]
    [InlineData("eyJvYmplY3RzIjpbImFjY291bnQiXX0=", true)] // {"objects":["account"]}
    public async Task StartRun_NoObjectsNamedOrBase64Body_InputAsGiven(string? body, bool base64)
    {
        await WriteConnectorAsync(RunStatus.Failed);

        var result = await _api.InvokeAsync(ApiHarness.Sample("api-start-run.json", e =>
        {
            e["body"] = body;
            e["isBase64Encoded"] = base64;
        }));

        Assert.Equal(202, result.Status);
        var execution = Assert.Single(_api.StepFunctions.Executions);
        var objects = base64 ? "\"objects\":[\"account\"]," : "";
        Assert.Equal($$"""{"connectorId":"default","runId":"{{execution.Name}}",{{objects}}"trigger":"api"}""", execution.Input);
    }

    [Theory]
    [InlineData("{", "the body must be a JSON object")]
    [InlineData("[\"account\"]", "the body must be a JSON object")]
    [InlineData("null", "the body must be a JSON object")]
    [InlineData("{\"objecs\":[\"account\"]}", "'objecs'")]
    [InlineData("{\"objects\":\"account\"}", "the body must be a JSON object")]
    [InlineData("{\"objects\":[]}", "objects names 0 objects; name 1 to 100")]
    [InlineData("{\"objects\":[\"account\",\"in voice\"]}", "objects[1] ('in voice') must be 1 to 128 ASCII letters, digits or '_'")]
    [InlineData("{\"objects\":[null]}", "objects[0] (null) must be")]
    public async Task StartRun_MalformedBody_400NamingTheProblemAndNothingStarted(string body, string expected)
    {
        await WriteConnectorAsync(RunStatus.Succeeded);

        var result = await _api.InvokeAsync(ApiHarness.Sample("api-start-run.json", e => e["body"] = body));

        Assert.Equal(400, result.Status);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.Empty(_api.StepFunctions.Executions);
    }

    [Fact]
    public async Task StartRun_BodyNotBase64OrTooLarge_400()
    {
        await WriteConnectorAsync(RunStatus.Succeeded);

        var notBase64 = await _api.InvokeAsync(ApiHarness.Sample("api-start-run.json", e => e["isBase64Encoded"] = true));
        var tooLarge = await _api.InvokeAsync(ApiHarness.Sample("api-start-run.json", e => e["body"] = $"{{\"objects\":[\"{new string('a', 70_000)}\"]}}"));

        Assert.Equal((400, "the body is marked base64-encoded but is not base64"), (notBase64.Status, notBase64.Error));
        Assert.Equal((400, "the body is 70016 bytes; this route reads at most 65536"), (tooLarge.Status, tooLarge.Error));
        Assert.Empty(_api.StepFunctions.Executions);
    }

    [Fact]
    public async Task StartRun_UnknownConnector_404ButTheDeploymentsOwnStartsBeforeItsFirstRun()
    {
        var other = await _api.InvokeAsync(ApiHarness.Request("POST", "/connectors/other/runs"));
        var own = await _api.InvokeAsync(ApiHarness.Request("POST", "/connectors/default/runs"));

        Assert.Equal((404, "connector 'other' is not known"), (other.Status, other.Error));
        Assert.Equal(202, own.Status);
        using var input = JsonDocument.Parse(Assert.Single(_api.StepFunctions.Executions).Input);
        Assert.Equal("default", input.RootElement.GetProperty("connectorId").GetString());
    }

    [Theory]
    [InlineData(400, "ExecutionLimitExceeded", 502, "Step Functions did not start the run: ExecutionLimitExceeded: ExecutionLimitExceeded: ")]
    [InlineData(400, "ExecutionAlreadyExists", 409, "a run named '")]
    public async Task StartRun_StepFunctionsRefuses_502Or409(int status, string type, int expectedStatus, string expectedError)
    {
        await WriteConnectorAsync(RunStatus.Succeeded);
        _api.StepFunctions.FailNext(status, type);

        var result = await _api.InvokeAsync(ApiHarness.Sample("api-start-run.json"));

        Assert.Equal(expectedStatus, result.Status);
        Assert.StartsWith(expectedError, result.Error, StringComparison.Ordinal);
        Assert.Empty(_api.StepFunctions.Executions);
        var line = _api.LogLines.Single();
        Assert.Equal(expectedStatus >= 500 ? "ERROR" : "INFO", line.GetProperty("level").GetString());
    }

    [Theory]
    [InlineData("GET", "/connectors/a%20b", "connector id 'a b' must be 1 to 128 ASCII letters, digits, '-' or '_'")]
    [InlineData("GET", "/connectors/a.b/runs", "connector id 'a.b' must be")]
    [InlineData("POST", "/connectors/a%2Fb/runs", "connector id 'a/b' must be")]
    [InlineData("GET", "/connectors/default/runs/r%23x", "run id 'r#x' must be 1 to 80 ASCII letters, digits, '-' or '_'")]
    public async Task Paths_IdsOfOtherCharacters_400(string method, string path, string expected)
    {
        await WriteConnectorAsync(RunStatus.Succeeded);

        var result = await _api.InvokeAsync(ApiHarness.Request(method, path));

        Assert.Equal(400, result.Status);
        Assert.StartsWith(expected, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/")]
    [InlineData("GET", "/connectors")]
    [InlineData("GET", "/connectors/default/objects")]
    [InlineData("GET", "/connectors/default/runs/r1/objects")]
    [InlineData("GET", "/status/default")]
    public async Task Paths_NoRoute_404ListingTheRoutes(string method, string path)
    {
        var result = await _api.InvokeAsync(ApiHarness.Request(method, path));

        Assert.Equal(404, result.Status);
        Assert.StartsWith($"no route for {method} {path}; the routes are GET /connectors/{{id}}", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DELETE", "/connectors/default", "GET")]
    [InlineData("PUT", "/connectors/default/runs", "GET, POST")]
    [InlineData("POST", "/connectors/default/runs/r1", "GET")]
    public async Task Paths_MethodNotTaken_405WithAllow(string method, string path, string allow)
    {
        var result = await _api.InvokeAsync(ApiHarness.Request(method, path));

        Assert.Equal(405, result.Status);
        Assert.Equal(allow, result.Headers["allow"]);
        Assert.EndsWith($"not {method}", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Paths_NamedStageAndTrailingSlash_Routed()
    {
        await WriteConnectorAsync(RunStatus.Succeeded);

        var staged = await _api.InvokeAsync(ApiHarness.Sample("api-get-connector.json", e =>
        {
            e["rawPath"] = "/prod/connectors/default";
            e["requestContext"]!["stage"] = "prod";
        }));
        var slash = await _api.InvokeAsync(ApiHarness.Request("GET", "/connectors/default/"));

        Assert.Equal((200, 200), (staged.Status, slash.Status));
        Assert.Equal(Connector, staged.Body.GetProperty("connectorId").GetString());
    }

    [Theory]
    [InlineData("""{"Records":[]}""")]
    [InlineData("""{"version":"1.0","httpMethod":"GET","path":"/connectors/default"}""")]
    [InlineData("not json")]
    public async Task NotAnHttpApiV2Request_400(string eventJson)
    {
        var result = await _api.InvokeAsync(eventJson);

        Assert.Equal(400, result.Status);
        Assert.StartsWith("the event is not an HTTP API request of payload format 2.0", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryRequest_OneJsonLogLine()
    {
        await WriteConnectorAsync(RunStatus.Succeeded);

        await _api.InvokeAsync(ApiHarness.Sample("api-get-connector.json"));
        _api.Time.Advance(TimeSpan.FromSeconds(2));
        await _api.InvokeAsync(ApiHarness.Sample("api-start-run.json"));
        await _api.InvokeAsync(ApiHarness.Request("GET", "/nowhere"));

        var lines = _api.LogLines;
        Assert.Equal(3, lines.Count);
        Assert.Equal(
            """{"time":"2026-11-26T21:45:10.000Z","level":"INFO","function":"StatusApi","requestId":"Jx2Wb3GAoAMEVfQ=","route":"GET /connectors/{id}","status":200,"connectorId":"default"}""",
            lines[0].GetRawText());
        var runId = _api.StepFunctions.Executions.Single().Name;
        Assert.Equal(
            $$"""{"time":"2026-11-26T21:45:12.000Z","level":"INFO","function":"StatusApi","requestId":"Jx2WhT0joAMEc1A=","route":"POST /connectors/{id}/runs","status":202,"connectorId":"default","runId":"{{runId}}"}""",
            lines[1].GetRawText());
        Assert.Equal(("GET (no route)", 404), (lines[2].GetProperty("route").GetString(), lines[2].GetProperty("status").GetInt32()));
    }

    [Fact]
    public async Task StoreFailure_500NamingTheRequestAndLoggedWithItsCause()
    {
        var variables = _api.Variables();
        variables["STATUS_TABLE"] = "no-such-table";
        var log = new StringWriter();
        var function = new StatusApiFunction(StatusApiSettings.FromVariables(name => variables.GetValueOrDefault(name)), new BasicAWSCredentials("local", "local"), _api.Time, log);

        var result = await ApiHarness.InvokeAsync(function, ApiHarness.Sample("api-get-connector.json"));

        Assert.Equal(500, result.Status);
        Assert.Equal("the status API failed; its log has the cause under request Jx2Wb3GAoAMEVfQ=", result.Error);
        using var line = JsonDocument.Parse(log.ToString());
        Assert.Equal("ERROR", line.RootElement.GetProperty("level").GetString());
        Assert.StartsWith("ResourceNotFoundException: ", line.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    private async Task WriteConnectorAsync(RunStatus lastRunStatus)
    {
        var status = _api.Status;
        await status.PutConnectorAsync(StatusBuilders.Connector(
            connectorId: Connector,
            selectedObjects: ["account", "invoice"],
            createdAt: T0,
            updatedAt: LastRunAt.AddMinutes(1),
            lastGoodDataAt: LastRunAt,
            lastRunId: LastRunId), None);
        await status.TryAdvanceCursorAsync(Connector, "account", null, LastRunAt, new LoadOutcome(120, 7, 1, 0, false), LastRunAt.AddMinutes(1), fullSync: false, None);
        await status.PutRunAsync(StatusBuilders.Run(
            runId: LastRunId,
            connectorId: Connector,
            status: lastRunStatus,
            startedAt: LastRunAt,
            endedAt: lastRunStatus == RunStatus.Running ? null : LastRunAt.AddMinutes(1)), None);
        await status.PutObjectRunAsync(Connector, ObjectRun(LastRunId, "account", RunStatus.Succeeded, null), None);
        await status.PutObjectRunAsync(Connector, ObjectRun(LastRunId, "invoice", RunStatus.Succeeded, null), None);
    }

    private static ObjectRunRecord ObjectRun(string runId, string objectName, RunStatus status, string? error) => StatusBuilders.ObjectRun(
        runId: runId,
        objectName: objectName,
        windowStart: new DateTimeOffset(2026, 11, 26, 20, 25, 0, TimeSpan.Zero),
        windowEnd: new DateTimeOffset(2026, 11, 26, 21, 30, 0, TimeSpan.Zero),
        status: status,
        rowsExtracted: 120,
        rowsInserted: 40,
        rowsUpdated: 20,
        rowsDeleted: 2,
        files: 2,
        bytes: 4096,
        extractMilliseconds: 1500,
        loadMilliseconds: 2500,
        manifestKey: $"runs/default/{runId}/{objectName}/{objectName}.manifest.json",
        error: error);

    private static List<string> RunIds(ApiResult page) => [.. page.Body.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("runId").GetString()!)];

    [GeneratedRegex("^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$")]
    private static partial Regex RunIdFormat();
}
