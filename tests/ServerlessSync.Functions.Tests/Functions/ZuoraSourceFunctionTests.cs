using ServerlessSync.Aws.SecretsManager;
using ServerlessSync.Core.Staging;
using ServerlessSync.Functions.Hosting;
using ServerlessSync.Functions.Tests.Support;
using ServerlessSync.Testing;
using ServerlessSync.Testing.Zuora;

namespace ServerlessSync.Functions.Tests.Functions;

/// <summary>
/// StartRun and Extract with <c>SOURCE=zuora</c>: the OAuth client comes from a Secrets Manager secret (a local
/// GetSecretValue endpoint), the rows from the fake Zuora, and the load through the Data API double.
/// </summary>
public sealed class ZuoraSourceFunctionTests : IAsyncLifetime
{
    private readonly ImmediateTimeProvider _clock = new(FunctionsTestHost.SampleTime);
    private readonly FakeZuoraTenant _tenant = FakeZuoraTenant.CreateSample(6, seed: 3, now: FunctionsTestHost.SampleTime.AddMinutes(-5));
    private ZuoraFunctionsStack _stack = null!;

    public async Task InitializeAsync() => _stack = await ZuoraFunctionsStack.StartAsync(_tenant, _clock);

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task StartExtractLoad_ZuoraSource_AccountsReachTheWarehouse()
    {
        var plan = await SampleRun.StartAsync(_stack.Host, "account");
        Assert.Equal("account", (string?)plan["objects"]![0]!["objectName"]);

        var extracted = await _stack.Host.InvokeAsync("Extract", ZuoraFunctionsStack.ExtractInput("account"));
        var manifestKey = StagingKeys.Manifest("default", FunctionsTestHost.SampleRunId, "account");
        await _stack.Host.DeliverManifestEventAsync(manifestKey);

        Assert.Equal(_tenant.Records("Account").Count, (long)extracted["rows"]!);
        Assert.Equal(_tenant.Records("Account").Count, await _stack.Host.LiveRowCountAsync("account"));
        Assert.Single(_stack.Secrets.Authorizations);
        Assert.Contains(_stack.Zuora.Requests, r => r.Path.StartsWith("/v1/batch-query", StringComparison.Ordinal) && r.HadBearerToken);
    }

    [Fact]
    public async Task Extract_SecretUnreadableAfterItsMaxAge_GoesOnWithTheCredentialsReadBefore()
    {
        await SampleRun.StartAsync(_stack.Host, "account", "contact");
        await _stack.Host.InvokeAsync("Extract", ZuoraFunctionsStack.ExtractInput("account"));
        _clock.Advance(ZuoraSourceHolder.SecretMaxAge + TimeSpan.FromMinutes(1));
        _stack.Secrets.FailNext(50);

        var extracted = await _stack.Host.InvokeAsync("Extract", ZuoraFunctionsStack.ExtractInput("contact"));

        Assert.Equal(_tenant.Records("Contact").Count, (long)extracted["rows"]!);
        Assert.Contains(_stack.Host.LogLines, l => l.Contains("reading the secret again failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartRun_SecretWithoutTheClientSecret_FailsNamingTheSecretButNotItsValue()
    {
        _stack.Secrets.WithString(ZuoraFunctionsStack.SecretArn, """{"clientId": "test-client", "password": "hunter2-value"}""");

        var error = await Assert.ThrowsAsync<FunctionSettingsException>(() => SampleRun.StartAsync(_stack.Host, "account"));

        Assert.Contains(ZuoraFunctionsStack.SecretArn, error.Message, StringComparison.Ordinal);
        Assert.Contains("clientSecret", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartRun_SecretDenied_FailsSayingWhichPermissionIsMissing()
    {
        _stack.Secrets.Deny(ZuoraFunctionsStack.SecretArn);

        var error = await Assert.ThrowsAsync<SecretReadException>(() => SampleRun.StartAsync(_stack.Host, "account"));

        Assert.Contains("secretsmanager:GetSecretValue", error.Message, StringComparison.Ordinal);
    }
}
