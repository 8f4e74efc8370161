using System.Text.Json;

namespace ServerlessSync.Cli.Tests;

/// <summary>A connector remembers what it was synced with; each command's help lists its own options with an example; --json gives one document.</summary>
public class SettingsTests
{
    [Fact]
    public async Task FilesSource_Remembered_LaterCommandsNeedNoSource()
    {
        using var cli = new CliHarness();
        var dir = Path.Combine(cli.Home, "exports");
        Directory.CreateDirectory(dir);
        await File.WriteAllLinesAsync(Path.Combine(dir, "account.jsonl"), ["""{"id":"a1","updateddate":"2026-11-01T10:00:00Z","name":"one"}"""]);
        Assert.Equal(0, (await cli.RunAsync("sync", "--source", $"files:{dir}")).ExitCode);
        cli.Clock.Advance(TimeSpan.FromHours(1));
        await File.AppendAllLinesAsync(Path.Combine(dir, "account.jsonl"), ["""{"id":"a2","updateddate":"2026-11-26T21:30:00Z","name":"two"}"""]);

        var again = await cli.RunAsync("sync");
        var verify = await cli.RunAsync("verify");
        var doctor = await cli.RunAsync("doctor");

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("files", again.Output, StringComparison.Ordinal);
        Assert.Equal(2, cli.Scalar("SELECT count(*) FROM zuora.account"));
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.True(doctor.ExitCode == 0, doctor.ToString());
    }

    [Fact]
    public async Task DestinationSettings_AFormerDestinationFile_MovesIntoTheConnectorsOneSettingsFile_WhichASyncKeeps()
    {
        using var cli = new CliHarness();
        var former = Path.Combine(cli.Home, "default.destination.json");
        var unified = Path.Combine(cli.Home, "connector-default.json");
        await File.WriteAllTextAsync(former, """{"REDSHIFT_CLUSTER_ID": "analytics", "REDSHIFT_DATABASE": "dev", "REDSHIFT_DB_USER": "loader"}""");
        var region = new Dictionary<string, string> { ["AWS_REGION"] = "eu-west-1" };

        var migrated = await cli.RunWithAsync(region, new Amazon.Runtime.AnonymousAWSCredentials(), TimeProvider.System, "setup", "print");

        Assert.True(migrated.ExitCode == 0, migrated.ToString());
        Assert.Contains("dbuser:analytics/loader", migrated.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(former));
        Assert.Equal("analytics", Redshift(unified).GetProperty("REDSHIFT_CLUSTER_ID").GetString());

        var sync = await cli.RunAsync("sync", "--scale", "200", "--objects", "account");
        Assert.True(sync.ExitCode == 0, sync.ToString());
        var again = await cli.RunWithAsync(region, new Amazon.Runtime.AnonymousAWSCredentials(), TimeProvider.System, "setup", "print");

        using (var saved = JsonDocument.Parse(await File.ReadAllTextAsync(unified)))
        {
            Assert.Equal("synthetic", saved.RootElement.GetProperty("source").GetString());
        }

        Assert.Equal(["REDSHIFT_CLUSTER_ID", "REDSHIFT_DATABASE", "REDSHIFT_DB_USER"], Redshift(unified).EnumerateObject().Select(p => p.Name));
        Assert.Contains("dbuser:analytics/loader", again.Output, StringComparison.Ordinal);
        Assert.Equal(["connector-default.json"], Directory.EnumerateFiles(cli.Home, "*default*.json").Select(Path.GetFileName));
    }

    private static JsonElement Redshift(string settingsFile)
    {
        using var saved = JsonDocument.Parse(File.ReadAllText(settingsFile));
        return saved.RootElement.GetProperty("redshift").Clone();
    }

    [Fact]
    public async Task ObjectsAll_SelectsEveryObjectAgain()
    {
        using var cli = new CliHarness();
        Assert.Equal(0, (await cli.RunAsync("sync", "--scale", "500", "--objects", "account")).ExitCode);
        Assert.Equal(0, (await cli.RunAsync("sync")).ExitCode);
        Assert.Single(Selected(await SyncEndToEndTests.StatusAsync(cli)));

        var all = await cli.RunAsync("sync", "--objects", "all");

        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Equal(13, Selected(await SyncEndToEndTests.StatusAsync(cli)).Count);
    }

    private static List<string> Selected(JsonElement status) =>
        [.. status.GetProperty("connector").GetProperty("objects").EnumerateArray().Where(o => o.GetProperty("selected").GetBoolean()).Select(o => o.GetProperty("objectName").GetString()!)];

    [Theory]
    [InlineData("status", "--connector", "--scale")]
    [InlineData("verify", "--objects", "--part-size-mb")]
    [InlineData("sync", "--part-size-mb", "--days")]
    [InlineData("doctor", "--zuora-env", "--full-resync")]
    public async Task Help_ListsOnlyTheCommandsOptions_WithAnExample(string command, string listed, string notListed)
    {
        using var cli = new CliHarness();

        var help = await cli.RunAsync(command, "--help");

        Assert.Equal(0, help.ExitCode);
        Assert.Contains(listed, help.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(notListed, help.Output, StringComparison.Ordinal);
        Assert.Contains($"serverless-sync {command}", help.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_SyncVerifyDoctorAndStatusBeforeTheFirstSync_OneDocumentEach()
    {
        using var cli = new CliHarness();
        var fresh = Path.Combine(cli.Home, "fresh");

        var before = await cli.RunWithHomeAsync(fresh, "status", "--json");
        var sync = await cli.RunAsync("sync", "--scale", "500", "--objects", "account", "--json");
        var verify = await cli.RunAsync("verify", "--json");
        var doctor = await cli.RunAsync("doctor", "--json");

        Assert.Equal(0, before.ExitCode);
        using (var document = JsonDocument.Parse(before.Output))
        {
            Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("connector").ValueKind);
            Assert.Equal(0, document.RootElement.GetProperty("runs").GetArrayLength());
        }

        Assert.False(Directory.Exists(fresh));
        Assert.True(sync.ExitCode == 0, sync.ToString());
        using (var document = JsonDocument.Parse(sync.Output))
        {
            Assert.Equal("SUCCEEDED", document.RootElement.GetProperty("run").GetProperty("status").GetString());
            Assert.Equal("account", document.RootElement.GetProperty("objects")[0].GetProperty("objectName").GetString());
        }

        Assert.True(verify.ExitCode == 0, verify.ToString());
        using (var document = JsonDocument.Parse(verify.Output))
        {
            Assert.True(document.RootElement.GetProperty("matches").GetBoolean());
            Assert.Equal("account", document.RootElement.GetProperty("objects")[0].GetProperty("objectName").GetString());
        }

        Assert.True(doctor.ExitCode == 0, doctor.ToString());
        using (var document = JsonDocument.Parse(doctor.Output))
        {
            Assert.True(document.RootElement.GetProperty("passed").GetBoolean());
            Assert.Equal("synthetic", document.RootElement.GetProperty("source").GetString());
        }
    }
}
