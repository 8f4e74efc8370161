using System.Text.Json.Nodes;
using ServerlessSync.Aws.SecretsManager;
using ServerlessSync.Core.Staging;
using ServerlessSync.Functions.Hosting;
using ServerlessSync.Functions.Tests.Support;
using ServerlessSync.Testing;
using ServerlessSync.Testing.Http;
using ServerlessSync.Testing.Zuora;

namespace ServerlessSync.Functions.Tests.Functions;

/// <summary>
/// StartRun and Extract with <c>SOURCE=zuora</c>: the OAuth client comes from a Secrets Manager secret (a local
/// GetSecretValue endpoint), the rows from the fake Zuora, and the load through the Data API double.
/// </summary>
public sealed class ZuoraSourceFunctionTests : IAsyncLifetime
{
    private const string SecretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:zuora-oauth-AbCdEf";
    private readonly ImmediateTimeProvider _clock = new(FunctionsTestHost.SampleTime);
    private readonly FakeZuoraTenant _tenant = FakeZuoraTenant.CreateSample(6, seed: 3, now: FunctionsTestHost.SampleTime.AddMinutes(-5));
    private FakeZuora _zuora = null!;
    private LocalSecretsManager _secrets = null!;
    private FunctionsTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _zuora = await FakeZuora.StartAsync(_tenant, new FakeZuoraOptions { TimeProvider = _clock });
        _secrets = (await LocalSecretsManager.StartAsync()).WithString(SecretArn, """{"clientId": "test-client", "clientSecret": "test-secret"}""");
        _host = await FunctionsTestHost.StartAsync(new FunctionsTestHostOptions
        {
            Clock = _clock,
            Configure = settings => settings with
            {
                Source = FunctionSettings.ZuoraSource,
                SourceSecretArn = SecretArn,
                ZuoraEnvironment = _zuora.Url.ToString(),
                SecretsManagerEndpoint = _secrets.Url,
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
    public async Task StartExtractLoad_ZuoraSource_AccountsReachTheWarehouse()
    {
        var plan = await SampleRun.StartAsync(_host, "account");
        Assert.Equal("account", (string?)plan["objects"]![0]!["objectName"]);

        var extracted = await _host.InvokeAsync("Extract", ExtractInput("account"));
        var manifestKey = StagingKeys.Manifest("default", FunctionsTestHost.SampleRunId, "account");
        await _host.DeliverManifestEventAsync(manifestKey);

        Assert.Equal(_tenant.Records("Account").Count, (long)extracted["rows"]!);
        Assert.Equal(_tenant.Records("Account").Count, await _host.LiveRowCountAsync("account"));
        Assert.Single(_secrets.Authorizations);
        Assert.Contains(_zuora.Requests, r => r.Path.StartsWith("/v1/batch-query", StringComparison.Ordinal) && r.HadBearerToken);
    }

    [Fact]
    public async Task Extract_SecretUnreadableAfterItsMaxAge_GoesOnWithTheCredentialsReadBefore()
    {
        await SampleRun.StartAsync(_host, "account", "contact");
        await _host.InvokeAsync("Extract", ExtractInput("account"));
        _clock.Advance(ZuoraSourceHolder.SecretMaxAge + TimeSpan.FromMinutes(1));
        _secrets.FailNext(50);

        var extracted = await _host.InvokeAsync("Extract", ExtractInput("contact"));

        Assert.Equal(_tenant.Records("Contact").Count, (long)extracted["rows"]!);
        Assert.Contains(_host.LogLines, l => l.Contains("reading the secret again failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartRun_SecretWithoutTheClientSecret_FailsNamingTheSecretButNotItsValue()
    {
        _secrets.WithString(SecretArn, """{"clientId": "test-client", "password": "hunter2-value"}""");

        var error = await Assert.ThrowsAsync<FunctionSettingsException>(() => SampleRun.StartAsync(_host, "account"));

        Assert.Contains(SecretArn, error.Message, StringComparison.Ordinal);
        Assert.Contains("clientSecret", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartRun_SecretDenied_FailsSayingWhichPermissionIsMissing()
    {
        _secrets.Deny(SecretArn);

        var error = await Assert.ThrowsAsync<SecretReadException>(() => SampleRun.StartAsync(_host, "account"));

        Assert.Contains("secretsmanager:GetSecretValue", error.Message, StringComparison.Ordinal);
    }

    private static string ExtractInput(string objectName) => new JsonObject
    {
        ["run"] = new JsonObject { ["connectorId"] = "default", ["runId"] = FunctionsTestHost.SampleRunId, ["startedAt"] = "2026-11-26T21:30:00+00:00" },
        ["object"] = new JsonObject { ["objectName"] = objectName, ["windowStart"] = null, ["windowEnd"] = "2026-11-26T21:30:00+00:00", ["expectedCursor"] = null },
        ["taskToken"] = "token-for-" + objectName,
    }.ToJsonString();
}
