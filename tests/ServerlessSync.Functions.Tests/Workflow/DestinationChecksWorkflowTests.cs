using ServerlessSync.Core.Model;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Functions.Tests.Support;

namespace ServerlessSync.Functions.Tests.Workflow;

/// <summary>
/// The destination checks before a connector's first historical sync, end to end (<see cref="LocalWorkflow"/>: the
/// template's state machine in aws-local-stepfunctions, the real functions against moto and the Data API double, whose
/// database user lacks CREATE on the database as a customer's might).
/// </summary>
public sealed class DestinationChecksWorkflowTests : IAsyncLifetime
{
    private const string Connector = SyncOptions.DefaultConnectorId;
    private static readonly CancellationToken None = CancellationToken.None;

    private LocalWorkflow _workflow = null!;

    public async Task InitializeAsync() =>
        _workflow = await LocalWorkflow.StartAsync(syntheticScale: 300, options: new() { DatabaseUserGrants = ["GRANT TEMPORARY ON DATABASE {database} TO {user}"] });

    public async Task DisposeAsync() => await _workflow.DisposeAsync();

    [Fact]
    public async Task FirstSync_ACheckFails_NothingExtracted_ConnectorStaysInProgressShowingIt_FixedTheNextRunChecksAndLoads_LaterRunsSkipTheChecks()
    {
        var blocked = await _workflow.RunAsync();

        Assert.False(blocked.Succeeded, blocked.ToString());
        Assert.Equal(("DestinationCheckFailed", "DestinationCheckFailed"), (blocked.LastState, blocked.Error));
        Assert.StartsWith("check 4 (database privileges) FAIL: database user sync_loader lacks CREATE on database", blocked.Cause, StringComparison.Ordinal);
        Assert.Empty(blocked.Entered("SyncObjects"));
        Assert.Empty(await _workflow.KeysAsync());
        var connector = await _workflow.Host.Status.GetConnectorAsync(Connector, None);
        Assert.Equal(ConnectorStatus.InProgress, connector!.Status);
        Assert.StartsWith("destination check 4 (database privileges) FAIL", connector.LastError, StringComparison.Ordinal);
        var run = (await _workflow.Host.Status.ListRunsAsync(Connector, 1, None)).Single();
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.All(run.Objects, o => Assert.Equal((RunStatus.Failed, connector.LastError), (o.Status, o.Error)));
        var checks = await _workflow.Host.Status.GetLatestChecksAsync(Connector, None);
        Assert.Equal((DestinationCheckStep.FirstSyncTrigger, run.RunId, false), (checks!.Trigger, checks.RunId, checks.Report.Passed));
        Assert.Equal(Enumerable.Range(1, 7), checks.Report.Checks.Select(c => c.Number));
        var privileges = checks.Report.Checks[3];
        Assert.Equal(CheckOutcome.Fail, privileges.Outcome);
        Assert.Contains($"GRANT CREATE ON DATABASE \"{FunctionsTestHost.Target.Database}\" TO \"sync_loader\";", privileges.Fix, StringComparison.Ordinal);
        Assert.All(checks.Report.Checks.Where(c => c.Number != 4), c => Assert.NotEqual(CheckOutcome.Fail, c.Outcome));

        // The customer runs the GRANT the check named.
        await _workflow.Redshift.QueryAsync($"GRANT CREATE ON DATABASE \"{_workflow.Redshift.DatabaseName}\" TO sync_loader");
        var first = await _workflow.RunAsync();

        Assert.True(first.Succeeded, first.ToString());
        Assert.Single(first.Entered("CheckDestination"));
        var passed = await _workflow.Host.Status.GetLatestChecksAsync(Connector, None);
        Assert.True(passed!.Report.Passed, string.Join("\n", passed.Report.Checks.Select(c => c.Summary)));
        Assert.True(passed.RanAt > checks.RanAt);
        Assert.Equal(ConnectorStatus.Active, (await _workflow.Host.Status.GetConnectorAsync(Connector, None))!.Status);
        Assert.True(await CountAsync("SELECT count(*) FROM zuora.account") > 0);

        await _workflow.AdvanceTenantAsync(TimeSpan.FromDays(1));
        var later = await _workflow.RunAsync();

        Assert.True(later.Succeeded, later.ToString());
        Assert.Empty(later.Entered("CheckDestination"));
        Assert.Equal(passed.RanAt, (await _workflow.Host.Status.GetLatestChecksAsync(Connector, None))!.RanAt);
    }

    private async Task<long> CountAsync(string sql) => Convert.ToInt64((await _workflow.Redshift.QueryAsync(sql)).Single().Values.Single());
}
