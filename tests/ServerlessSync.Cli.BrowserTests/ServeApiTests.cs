using System.Net;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using ServerlessSync.Embedded.Sqlite;

namespace ServerlessSync.Cli.BrowserTests;

/// <summary><c>serve</c>'s API over HTTP, without a browser: the same documents as the cloud API and <c>status --json</c>, and the signing proxy's refusals.</summary>
public sealed class ServeApiTests
{
    [Fact]
    public async Task Serve_ConnectorAndRunRoutes_AnswerTheDocumentsStatusJsonPrints()
    {
        await using var serve = new ServeHarness();
        Assert.Equal(0, (await serve.CliAsync("sync", "--scale", "300", "--objects", "account,invoice")).Code);
        var status = JsonNode.Parse((await serve.CliAsync("status", "--json")).Output)!;
        await serve.StartAsync([]);
        using var http = new HttpClient { BaseAddress = serve.Url };

        var connector = JsonNode.Parse(await http.GetStringAsync("connectors/default"));
        var runId = status["runs"]![0]!["run"]!["runId"]!.GetValue<string>();
        var run = JsonNode.Parse(await http.GetStringAsync($"connectors/default/runs/{runId}"));
        var checks = await http.GetAsync("connectors/default/checks/latest");

        Assert.True(JsonNode.DeepEquals(status["connector"], connector), connector?.ToJsonString());
        Assert.True(JsonNode.DeepEquals(status["runs"]![0], run), run?.ToJsonString());
        Assert.Equal(HttpStatusCode.NotFound, checks.StatusCode);
        Assert.StartsWith("no route for GET /connectors/default/checks/latest", JsonNode.Parse(await checks.Content.ReadAsStringAsync())!["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServeApi_CredentialsTheApiDoesNotAccept_RefusedByTheSignatureCheck_OneLineErrorWithWhatToDo()
    {
        await using var source = new ServeHarness();
        Assert.Equal(0, (await source.CliAsync("sync", "--scale", "200", "--objects", "account")).Code);
        await using var store = new SqliteStatusStore(Path.Combine(source.Home, "status.db"));
        var standIn = await SignedApiStandIn.StartAsync(store, new ImmutableCredentials("AKIDSERVETEST", "serve-test-secret", null), "eu-west-1");
        await using var endpoint = standIn.Endpoint;
        await using var serve = new ServeHarness();
        // The right key id with another secret: only a signature check that recomputes the signature refuses it.
        await serve.StartAsync(["--api", standIn.Endpoint.Url.ToString(), "--region", "eu-west-1"], credentials: new BasicAWSCredentials("AKIDSERVETEST", "another-secret"));
        using var http = new HttpClient { BaseAddress = serve.Url };

        var answer = await http.GetAsync("connectors/default");
        var start = await http.PostAsync("connectors/default/runs", null);

        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (answer.StatusCode, start.StatusCode));
        var error = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["error"]!.GetValue<string>();
        Assert.Contains("signature we calculated does not match", error, StringComparison.Ordinal);
        Assert.EndsWith("the credentials need execute-api:Invoke on it", error, StringComparison.Ordinal);
        Assert.Equal((0, 2), (standIn.Verified, standIn.Rejected));
        Assert.Empty(standIn.Starts);
    }

    [Fact]
    public async Task ServeStart_WhileASyncHoldsTheHomesLock_409NamingTheHome_AndNoRunRecorded()
    {
        await using var serve = new ServeHarness();
        Assert.Equal(0, (await serve.CliAsync("sync", "--scale", "200", "--objects", "account")).Code);
        await serve.StartAsync([]);
        using var http = new HttpClient { BaseAddress = serve.Url };
        HttpResponseMessage refused;
        using (EmbeddedConnector.AcquireSyncLock(new EmbeddedSettings { Home = serve.Home }))
        {
            refused = await http.PostAsync("connectors/default/runs", null);
        }

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal(
            $"a sync of connector 'default' is running with --home {serve.Home}; start another run when it has finished",
            JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["error"]!.GetValue<string>());
        var runs = JsonNode.Parse(await http.GetStringAsync("connectors/default/runs"))!["runs"]!.AsArray();
        Assert.Single(runs);
    }

    [Fact]
    public async Task ServeStopped_WhileItsRunExtracts_RunClosedAsInterrupted_StagingEmpty_LockFree()
    {
        await using var serve = new ServeHarness();
        var gate = new Gate();
        // Held after 10,000 of the 15,000 invoices: more rows than the stager's buffers in flight carry (4 of 256 KiB,
        // about 1,300 invoices each), so its writer has given buffers back, each written into the part open in staging.
        await serve.StartAsync(["--scale", "100000", "--objects", "invoice"], source => new GatedSource(source, gate, rowsBeforeGate: 10_000));
        using var http = new HttpClient { BaseAddress = serve.Url };
        var started = JsonNode.Parse(await (await http.PostAsync("connectors/default/runs", null)).Content.ReadAsStringAsync())!["runId"]!.GetValue<string>();
        await gate.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        var staging = Path.Combine(serve.Home, "staging");
        Assert.NotEmpty(Directory.GetFiles(staging, "*", SearchOption.AllDirectories));
        Assert.True(EmbeddedConnector.SyncIsRunning(new EmbeddedSettings { Home = serve.Home }));

        Assert.Equal(0, await serve.StopAsync());

        var status = JsonNode.Parse((await serve.CliAsync("status", "--json")).Output)!;
        var run = status["runs"]![0]!;
        Assert.Equal((started, "FAILED"), (run["run"]!["runId"]!.GetValue<string>(), run["run"]!["status"]!.GetValue<string>()));
        Assert.Contains("interrupted", run["objects"]![0]!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(staging, "*", SearchOption.AllDirectories));
        Assert.False(EmbeddedConnector.SyncIsRunning(new EmbeddedSettings { Home = serve.Home }));
    }
}
