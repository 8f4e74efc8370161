using System.Text.Json.Nodes;
using ServerlessSync.Functions.Hosting;
using ServerlessSync.Testing.Http;
using ServerlessSync.Testing.Zuora;

namespace ServerlessSync.Functions.Tests.Support;

/// <summary>
/// The functions with <c>SOURCE=zuora</c>: a fake Zuora over a tenant, a local Secrets Manager holding
/// the fake's OAuth client at <see cref="SecretArn"/>, and a <see cref="FunctionsTestHost"/> configured for both.
/// </summary>
internal sealed class ZuoraFunctionsStack(FakeZuora zuora, LocalSecretsManager secrets, FunctionsTestHost host) : IAsyncDisposable
{
    public const string SecretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:zuora-oauth-AbCdEf";

    public FakeZuora Zuora { get; } = zuora;

    public LocalSecretsManager Secrets { get; } = secrets;

    public FunctionsTestHost Host { get; } = host;

    /// <param name="tenant">the fake's tenant</param>
    /// <param name="clock">the pipeline's clock (null: the host's default fake clock); the fake Zuora keeps real time</param>
    /// <param name="configure">further changes to the settings, after the Zuora ones</param>
    /// <param name="zuoraOptions">the fake Zuora's options (its clock is <paramref name="clock"/> when given)</param>
    public static async Task<ZuoraFunctionsStack> StartAsync(FakeZuoraTenant tenant, TimeProvider? clock = null, Func<FunctionSettings, FunctionSettings>? configure = null, FakeZuoraOptions? zuoraOptions = null)
    {
        var fakeOptions = clock is null ? zuoraOptions : (zuoraOptions ?? new FakeZuoraOptions()) with { TimeProvider = clock };
        var zuora = await FakeZuora.StartAsync(tenant, fakeOptions);
        var secrets = (await LocalSecretsManager.StartAsync()).WithString(SecretArn, """{"clientId": "test-client", "clientSecret": "test-secret"}""");
        var host = await FunctionsTestHost.StartAsync(new FunctionsTestHostOptions
        {
            Clock = clock,
            Configure = settings =>
            {
                var zuoraSettings = settings with
                {
                    Source = FunctionSettings.ZuoraSource,
                    SourceSecretArn = SecretArn,
                    ZuoraEnvironment = zuora.Url.ToString(),
                    SecretsManagerEndpoint = secrets.Url,
                };
                return configure is null ? zuoraSettings : configure(zuoraSettings);
            },
        });
        return new ZuoraFunctionsStack(zuora, secrets, host);
    }

    /// <summary>Extract's input for <paramref name="objectName"/> in the samples' run, historical up to its start.</summary>
    public static string ExtractInput(string objectName) => new JsonObject
    {
        ["run"] = new JsonObject { ["connectorId"] = "default", ["runId"] = FunctionsTestHost.SampleRunId, ["startedAt"] = "2026-11-26T21:30:00+00:00" },
        ["object"] = new JsonObject { ["objectName"] = objectName, ["windowStart"] = null, ["windowEnd"] = "2026-11-26T21:30:00+00:00", ["expectedCursor"] = null },
        ["taskToken"] = "token-for-" + objectName,
    }.ToJsonString();

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Secrets.DisposeAsync();
        await Zuora.DisposeAsync();
    }
}
