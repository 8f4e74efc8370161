using System.Text.Json.Nodes;
using Amazon.Runtime;
using ServerlessSync.Core.Model;
using ServerlessSync.Functions.Api;
using ServerlessSync.Functions.Tests.Support;

namespace ServerlessSync.Functions.Tests.Api;

/// <summary>
/// The status API's destination checks routes: <c>POST /connectors/{id}/checks</c> queues an asynchronous invocation of
/// the Doctor function (a local Lambda endpoint), <c>GET /connectors/{id}/checks/latest</c> reads the CHECKS item the
/// Doctor keeps in the status table (moto's DynamoDB).
/// </summary>
public sealed class StatusApiChecksTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset RanAt = new(2026, 11, 26, 21, 40, 0, TimeSpan.Zero);

    private readonly ApiHarness _api = new();

    public Task InitializeAsync() => _api.InitializeAsync();

    public Task DisposeAsync() => _api.DisposeAsync();

    [Fact]
    [UsesEventSample("api-start-checks.json")]
    public async Task StartChecksSample_TheDeploymentsConnectorBeforeItsFirstRun_202InvokesTheDoctorAsynchronously()
    {
        var result = await _api.InvokeAsync(ApiHarness.Sample("api-start-checks.json"));

        Assert.Equal(202, result.Status);
        Assert.Equal("/connectors/default/checks/latest", result.Headers["location"]);
        Assert.Equal("default", result.Body.GetProperty("connectorId").GetString());
        Assert.Equal("/connectors/default/checks/latest", result.Body.GetProperty("latest").GetString());
        Assert.StartsWith("checks-", result.Body.GetProperty("requestId").GetString(), StringComparison.Ordinal);
        var (function, payload) = Assert.Single(_api.Lambda.Invocations);
        Assert.Equal(ApiHarness.DoctorFunctionArn, function);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"connectorId":"default","trigger":"api"}"""), JsonNode.Parse(payload)), payload);
    }

    [Fact]
    public async Task StartChecks_UnknownConnector404_ABody400_NothingInvoked()
    {
        var unknown = await _api.InvokeAsync(ApiHarness.Request("POST", "/connectors/other/checks"));
        var withBody = await _api.InvokeAsync(ApiHarness.Request("POST", "/connectors/default/checks", """{"objects":["account"]}"""));

        Assert.Equal((404, "connector 'other' is not known"), (unknown.Status, unknown.Error));
        Assert.Equal(400, withBody.Status);
        Assert.Contains("takes no body", withBody.Error, StringComparison.Ordinal);
        Assert.Empty(_api.Lambda.Invocations);
    }

    [Fact]
    public async Task StartChecks_LambdaRefuses_502WithItsAnswer()
    {
        var function = new StatusApiFunction(_api.Settings() with { DoctorFunctionArn = "arn:aws:lambda:eu-west-1:123456789012:function:gone" }, new BasicAWSCredentials("local", "local"), _api.Time, TextWriter.Null);

        var result = await ApiHarness.InvokeAsync(function, ApiHarness.Sample("api-start-checks.json"));

        Assert.Equal(502, result.Status);
        Assert.StartsWith("Lambda did not start the destination checks: ResourceNotFoundException: Function not found", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    [UsesEventSample("api-get-latest-checks.json")]
    public async Task LatestChecksSample_NoneYet404_ThenTheLatestWithEveryCheck()
    {
        var none = await _api.InvokeAsync(ApiHarness.Sample("api-get-latest-checks.json"));
        Assert.Equal((404, "no destination checks have run for connector 'default' yet: POST /connectors/default/checks runs them"), (none.Status, none.Error));

        await _api.Status.PutLatestChecksAsync(new DestinationCheckRun("default", RanAt, "firstSync", "20261126T214000Z-a1b2c3", new DoctorReport("cluster sync-test, database dev, user sync_loader",
        [
            new CheckResult(1, "customer role", CheckOutcome.Skip, "no customer role"),
            new CheckResult(4, "database privileges", CheckOutcome.Fail, "database user sync_loader lacks TEMPORARY on database dev", "GRANT TEMPORARY ON DATABASE \"dev\" TO \"sync_loader\";"),
        ])), None);
        var latest = await _api.InvokeAsync(ApiHarness.Sample("api-get-latest-checks.json"));

        Assert.Equal(200, latest.Status);
        Assert.Equal(
            """{"connectorId":"default","ranAt":"2026-11-26T21:40:00+00:00","trigger":"firstSync","runId":"20261126T214000Z-a1b2c3","destination":"cluster sync-test, database dev, user sync_loader","passed":false,"checks":["""
            + """{"number":1,"name":"customer role","outcome":"SKIP","message":"no customer role","fix":null,"causeCode":null},"""
            + """{"number":4,"name":"database privileges","outcome":"FAIL","message":"database user sync_loader lacks TEMPORARY on database dev","fix":"GRANT TEMPORARY ON DATABASE \u0022dev\u0022 TO \u0022sync_loader\u0022;","causeCode":null}]}""",
            latest.BodyText);
    }
}
