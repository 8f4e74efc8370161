using ServerlessSync.Functions.Hosting;
using ServerlessSync.Functions.Tests.Support;

namespace ServerlessSync.Functions.Tests.Functions;

public sealed class CleanupFunctionTests : IAsyncLifetime
{
    private FunctionsTestHost _host = null!;

    public async Task InitializeAsync() => _host = await FunctionsTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    [UsesEventSample("cleanup.json")]
    public async Task CleanupSample_DeletesTheObjectsStagedFiles_AndOnlyThose()
    {
        await SampleRun.ExtractAsync(_host);
        var prefix = $"runs/default/{FunctionsTestHost.SampleRunId}/account/";
        var staged = await _host.KeysAsync(prefix);

        var output = await _host.InvokeAsync("Cleanup", EventSamples.Load("cleanup.json"));

        Assert.Equal(SampleRun.ManifestKey, (string?)output["manifestKey"]);
        Assert.Equal(staged.Count, (int)output["deleted"]!);
        Assert.Empty(await _host.KeysAsync(prefix));
        Assert.Equal(["tenant/synthetic-tenant.json"], await _host.KeysAsync());
    }

    [Fact]
    public async Task ARetriedCleanup_FindsNothingLeft_AndIsNotAnError()
    {
        await SampleRun.ExtractAsync(_host);
        await _host.InvokeAsync("Cleanup", EventSamples.Load("cleanup.json"));

        var again = await _host.InvokeAsync("Cleanup", EventSamples.Load("cleanup.json"));

        Assert.Equal(0, (int)again["deleted"]!);
    }

    [Fact]
    public async Task AKeyThatIsNotAManifest_IsRefused()
    {
        var error = await Assert.ThrowsAsync<MalformedEventException>(() => _host.InvokeAsync("Cleanup", """{"manifestKey":"tenant/synthetic-tenant.json"}"""));

        Assert.StartsWith("Cleanup: 'tenant/synthetic-tenant.json' is not a manifest key", error.Message, StringComparison.Ordinal);
    }
}
