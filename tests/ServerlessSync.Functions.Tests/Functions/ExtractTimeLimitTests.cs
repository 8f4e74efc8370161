using ServerlessSync.Functions.Tests.Support;
using ServerlessSync.Testing.Zuora;

namespace ServerlessSync.Functions.Tests.Functions;

/// <summary>
/// An Extract whose read outlasts <see cref="Hosting.FunctionSettings.ExtractTimeLimit"/>: here a Zuora export that never
/// ends (the pipeline's fake clock never lets a poll's wait pass), stopped after one real second.
/// </summary>
public sealed class ExtractTimeLimitTests : IAsyncLifetime
{
    private ZuoraFunctionsStack _stack = null!;

    public async Task InitializeAsync() =>
        _stack = await ZuoraFunctionsStack.StartAsync(
            FakeZuoraTenant.CreateSample(3, seed: 9, now: FunctionsTestHost.SampleTime.AddMinutes(-5)),
            configure: settings => settings with { ExtractTimeLimit = TimeSpan.FromSeconds(1) });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Extract_ReadOutlastingTheLimit_FailsWithItsOwnErrorAndCancelsTheZuoraJob()
    {
        await SampleRun.StartAsync(_stack.Host, "account");

        var error = await Assert.ThrowsAsync<ExtractTimeLimitException>(() => _stack.Host.InvokeAsync("Extract", ZuoraFunctionsStack.ExtractInput("account")));

        Assert.Contains("extracting account", error.Message, StringComparison.Ordinal);
        Assert.Contains("did not finish within 1 s", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, _stack.Zuora.JobsSubmitted);
        Assert.Equal(1, _stack.Zuora.JobsCancelled);
        Assert.Empty(await _stack.Host.KeysAsync("runs/default/" + FunctionsTestHost.SampleRunId + "/account/account.manifest.json"));
    }
}
