using System.Text.Json.Nodes;
using ServerlessSync.Core.Model;
using ServerlessSync.Functions.Tests.Support;

namespace ServerlessSync.Functions.Tests.Functions;

/// <summary>The Doctor function against moto (STS, Redshift, S3, DynamoDB) and the Data API double, with the stack's own settings.</summary>
public sealed class DoctorFunctionTests
{
    [Fact]
    [UsesEventSample("doctor.json")]
    public async Task DoctorSample_ChecksTheStacksDestination_KeepsTheResultAsTheLatest_LeavesNoProbeBehind()
    {
        await using var host = await FunctionsTestHost.StartAsync();

        var output = await host.InvokeAsync("Doctor", EventSamples.Load("doctor.json"));

        Assert.True((bool)output["passed"]!, output.ToJsonString());
        Assert.Null(output["failed"]);
        Assert.Equal("default", (string?)output["connectorId"]);
        var latest = await host.Status.GetLatestChecksAsync("default", CancellationToken.None);
        Assert.Equal(("api", (string?)null, FunctionsTestHost.SampleTime), (latest!.Trigger, latest.RunId, latest.RanAt));
        Assert.Equal(Enumerable.Range(1, 7), latest.Report.Checks.Select(c => c.Number));
        Assert.Equal(CheckOutcome.Skip, latest.Report.Checks[0].Outcome); // no customer role
        Assert.All(latest.Report.Checks.Where(c => c.Number is not (1 or 6)), c => Assert.True(c.Outcome == CheckOutcome.Pass, c.Summary));
        // The double's NULL AS matches quoted fields (as Redshift may): noted, the loader does not depend on it.
        Assert.Equal(CheckOutcome.Warn, latest.Report.Checks[5].Outcome);
        Assert.StartsWith("COPY read every probe value as staged", latest.Report.Checks[5].Message, StringComparison.Ordinal);
        Assert.Contains("sync_loader", latest.Report.Checks[1].Message, StringComparison.Ordinal);
        Assert.Empty(await host.KeysAsync(""));
    }

    [Fact]
    public async Task Doctor_ACheckFails_AnswersItInOneLine_AndKeepsEveryCheckWithItsFix()
    {
        await using var host = await FunctionsTestHost.StartAsync(new FunctionsTestHostOptions { DatabaseUserGrants = ["REVOKE TEMPORARY ON DATABASE {database} FROM PUBLIC", "GRANT CREATE ON DATABASE {database} TO {user}"] });

        var output = await host.InvokeAsync("Doctor", new JsonObject { ["connectorId"] = "tenant-7", ["trigger"] = "api" }.ToJsonString());

        Assert.False((bool)output["passed"]!);
        Assert.StartsWith("check 4 (database privileges) FAIL: database user sync_loader lacks TEMPORARY on database dev", (string?)output["failed"], StringComparison.Ordinal);
        var latest = await host.Status.GetLatestChecksAsync("tenant-7", CancellationToken.None);
        var privileges = latest!.Report.Checks[3];
        Assert.Equal(CheckOutcome.Fail, privileges.Outcome);
        Assert.Contains("GRANT TEMPORARY ON DATABASE \"dev\" TO \"sync_loader\";", privileges.Fix, StringComparison.Ordinal);
        Assert.Null(await host.Status.GetLatestChecksAsync("default", CancellationToken.None));
    }
}
