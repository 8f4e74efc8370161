using System.Text.Json.Nodes;
using ServerlessSync.Cli;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Embedded.Sqlite;
using ServerlessSync.Testing;

namespace ServerlessSync.Functions.Tests.Api;

/// <summary>
/// The CLI's <c>status --json</c> (SQLite status file) and the status API (DynamoDB status table) serve one JSON
/// contract: for the same status, the CLI's connector is the API's connector document and each of its runs the API's
/// run document.
/// </summary>
public sealed class StatusJsonParityTests : IAsyncLifetime
{
    private const string Connector = SyncOptions.DefaultConnectorId;

    private readonly ApiHarness _api = new();

    private readonly string _home = Path.Combine(Path.GetTempPath(), "ssync-parity-" + Guid.NewGuid().ToString("N"));

    public Task InitializeAsync() => _api.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    [Fact]
    public async Task StatusJson_SameStatusAsTheApi_EqualsTheApisDocuments()
    {
        Directory.CreateDirectory(_home);
        await StatusSamples.WriteConnectorWithRunsAsync(_api.Status, Connector);
        await using (var file = new SqliteStatusStore(Path.Combine(_home, "status.db")))
        {
            await StatusSamples.WriteConnectorWithRunsAsync(file, Connector);
        }

        var cli = JsonNode.Parse(await CliStatusJsonAsync())!;
        var connector = await _api.InvokeAsync(ApiHarness.Request("GET", $"/connectors/{Connector}"));
        var runs = await _api.InvokeAsync(ApiHarness.Request("GET", $"/connectors/{Connector}/runs"));

        Assert.Equal(200, connector.Status);
        AssertEqualJson(JsonNode.Parse(connector.BodyText), cli["connector"]);
        var runIds = runs.Body.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("runId").GetString()!).ToList();
        Assert.Equal(["run-2", "run-1"], runIds);
        Assert.Equal(runIds.Count, cli["runs"]!.AsArray().Count);
        foreach (var (runId, cliRun) in runIds.Zip(cli["runs"]!.AsArray()))
        {
            var run = await _api.InvokeAsync(ApiHarness.Request("GET", $"/connectors/{Connector}/runs/{runId}"));
            AssertEqualJson(JsonNode.Parse(run.BodyText), cliRun);
        }
    }

    private async Task<string> CliStatusJsonAsync()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(["status", "--json", "--home", _home], output, error, TimeProvider.System, interactive: false);
        Assert.True(code == 0, error.ToString());
        return output.ToString();
    }

    private static void AssertEqualJson(JsonNode? expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected {expected?.ToJsonString()}\n  actual {actual?.ToJsonString()}");
}
