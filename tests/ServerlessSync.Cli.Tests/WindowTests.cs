using System.Text.Json;

namespace ServerlessSync.Cli.Tests;

/// <summary>Windows and cursors as runs see them, driven by the (fake) clock under the tenant's clock.</summary>
public class WindowTests
{
    [Fact]
    public async Task Sync_Windows_HistoricalThenCursorMinusLookbackToNow()
    {
        using var cli = new CliHarness();
        Assert.Equal(0, (await cli.RunAsync("sync", "--scale", "500", "--objects", "account")).ExitCode);
        var first = await LastObjectRunAsync(cli);
        Assert.Equal(JsonValueKind.Null, first.GetProperty("windowStart").ValueKind);
        var firstEnd = first.GetProperty("windowEnd").GetDateTimeOffset();
        var cursor = (await SyncEndToEndTests.StatusAsync(cli)).GetProperty("connector").GetProperty("objects")[0].GetProperty("cursor").GetDateTimeOffset();
        Assert.Equal(firstEnd, cursor);

        cli.Clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(0, (await cli.RunAsync("sync")).ExitCode);
        var second = await LastObjectRunAsync(cli);

        Assert.Equal(firstEnd.AddMinutes(-5), second.GetProperty("windowStart").GetDateTimeOffset());
        Assert.Equal(firstEnd.AddMinutes(30), second.GetProperty("windowEnd").GetDateTimeOffset());

        cli.Clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(0, (await cli.RunAsync("sync", "--lookback-minutes", "0")).ExitCode);
        var third = await LastObjectRunAsync(cli);

        Assert.Equal(second.GetProperty("windowEnd").GetDateTimeOffset(), third.GetProperty("windowStart").GetDateTimeOffset());
    }

    [Fact]
    public async Task Sync_AfterTenantAdvance_WindowEndFollowsTenantClock()
    {
        using var cli = new CliHarness();
        Assert.Equal(0, (await cli.RunAsync("sync", "--scale", "500", "--objects", "account")).ExitCode);
        var firstEnd = (await LastObjectRunAsync(cli)).GetProperty("windowEnd").GetDateTimeOffset();

        Assert.Equal(0, (await cli.RunAsync("tenant", "advance", "--days", "2")).ExitCode);
        Assert.Equal(0, (await cli.RunAsync("sync")).ExitCode);

        Assert.Equal(firstEnd.AddDays(2), (await LastObjectRunAsync(cli)).GetProperty("windowEnd").GetDateTimeOffset());
    }

    private static async Task<JsonElement> LastObjectRunAsync(CliHarness cli) =>
        (await SyncEndToEndTests.StatusAsync(cli)).GetProperty("runs")[0].GetProperty("objects")[0];
}
