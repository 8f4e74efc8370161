using System.Text.Json.Nodes;
using ServerlessSync.Functions.Hosting;
using ServerlessSync.Functions.Tests.Support;
using ServerlessSync.Testing.Http;
using ServerlessSync.Testing.Zuora;

namespace ServerlessSync.Functions.Tests.Functions;

/// <summary>
/// An Extract whose read outlasts <see cref="FunctionSettings.ExtractTimeLimit"/>: here a Zuora export that never ends
/// (the pipeline's fake clock never lets a poll's wait pass), stopped after one real second.
/// </summary>
public sealed class ExtractTimeLimitTests : IAsyncLifetime
{
    private const string SecretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:zuora-oauth-AbCdEf";
    private readonly FakeZuoraTenant _tenant = FakeZuoraTenant.CreateSample(3, seed: 9, now: FunctionsTestHost.SampleTime.AddMinutes(-5));
    private FakeZuora _zuora = null!;
    private LocalSecretsManager _secrets = null!;
    private FunctionsTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _zuora = await FakeZuora.StartAsync(_tenant);
        _secrets = (await LocalSecretsManager.StartAsync()).WithString(SecretArn, """{"clientId": "test-client", "clientSecret": "test-secret"}""");
        _host = await FunctionsTestHost.StartAsync(new FunctionsTestHostOptions
        {
            Configure = settings => settings with
            {
                Source = FunctionSettings.ZuoraSource,
                SourceSecretArn = SecretArn,
                ZuoraEnvironment = _zuora.Url.ToString(),
                SecretsManagerEndpoint = _secrets.Url,
                ExtractTimeLimit = TimeSpan.FromSeconds(1),
            },
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _secrets.DisposeAsync();
        await _zuora.DisposeAsync();
    }

    [Fact]
    public async Task Extract_ReadOutlastingTheLimit_FailsWithItsOwnErrorAndCancelsTheZuoraJob()
    {
        await SampleRun.StartAsync(_host, "account");

        var error = await Assert.ThrowsAsync<ExtractTimeLimitException>(() => _host.InvokeAsync("Extract", new JsonObject
        {
            ["run"] = new JsonObject { ["connectorId"] = "default", ["runId"] = FunctionsTestHost.SampleRunId, ["startedAt"] = "2026-11-26T21:30:00+00:00" },
            ["object"] = new JsonObject { ["objectName"] = "account", ["windowStart"] = null, ["windowEnd"] = "2026-11-26T21:30:00+00:00", ["expectedCursor"] = null },
            ["taskToken"] = "token-for-account",
        }.ToJsonString()));

        Assert.Contains("extracting account", error.Message, StringComparison.Ordinal);
        Assert.Contains("did not finish within 1 s", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, _zuora.JobsSubmitted);
        Assert.Equal(1, _zuora.JobsCancelled);
        Assert.Empty(await _host.KeysAsync("runs/default/" + FunctionsTestHost.SampleRunId + "/account/account.manifest.json"));
    }
}
