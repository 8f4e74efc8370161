using Microsoft.Extensions.Time.Testing;
using ServerlessSync.Aws.Redshift;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Aws.Tests.Pipeline;

/// <summary>
/// The load cut in two as the cloud runs it: the manifest event submits the batch (WithEvent, named after the
/// claimant and the manifest) and returns; the Data API's completion event reads the outcome, records the load and
/// answers the task token. Against moto (S3, and DynamoDB for the claims) and the Data API double.
/// </summary>
public sealed class LoadStepTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;

    private static readonly ObjectSchema Plan = new("plan",
    [
        new ColumnSchema("id", ColumnType.String),
        new ColumnSchema("updateddate", ColumnType.Timestamp),
        new ColumnSchema("name", ColumnType.String),
    ]);

    private readonly FakeTimeProvider _clock = new(T0);
    private readonly RecordingCallbacks _callbacks = new();
    private CloudPipeline _pipeline = null!;
    private int _runs;

    public async Task InitializeAsync() => _pipeline = await CloudPipeline.StartAsync(_clock);

    public async Task DisposeAsync() => await _pipeline.DisposeAsync();

    [Fact]
    public async Task ManifestEvent_SubmitsWithEventAndName_CompletionEvent_RecordsTheLoadAndAnswersTheToken()
    {
        var key = await StageAsync([Row("a", "a1"), Row("b", "b1")]);

        var start = await Step("loader-1").OnManifestCreatedAsync(key, None);

        Assert.Equal(LoadStartResult.Submitted, start.Result);
        var submit = Assert.Single(_pipeline.Redshift.Requests, r => r.Operation == "BatchExecuteStatement" && r.WithEvent == true);
        Assert.Equal(LoadSubmissionName.Format("loader-1", key), submit.StatementName);
        Assert.Empty(_callbacks.Sent);

        var end = await EndAsync(submit.StatementName!, start.StatementId!);

        Assert.Null(end!.Error);
        Assert.Equal(new LoadOutcome(2, 0, 0, 0, false), end.Report!.Outcome);
        Assert.Equal(["success token-1 plan 2"], _callbacks.Sent);
        Assert.Equal(2, await LiveRowCountAsync());
        var claim = await _pipeline.Status.TryClaimAsync("conn", LoadIdOf(key), "someone-else", _clock.GetUtcNow(), TimeSpan.FromMinutes(5), None);
        Assert.Equal(LoadClaimResult.AlreadyLoaded, claim.Result);
    }

    [Fact]
    public async Task HistoricalSnapshotLackingRows_CompletionCountsThemDeleted_AndTheyAreMarkedDeleted()
    {
        var first = await StageAsync([Row("a", "a1"), Row("b", "b1"), Row("c", "c1")], historicalEnd: T0.AddHours(1));
        var firstStart = await Step("loader-1").OnManifestCreatedAsync(first, None);
        await EndAsync(LoadSubmissionName.Format("loader-1", first), firstStart.StatementId!);

        var snapshot = await StageAsync([Row("b", "b1")], historicalEnd: T0.AddHours(2));
        var start = await Step("loader-1").OnManifestCreatedAsync(snapshot, None);
        var end = await EndAsync(LoadSubmissionName.Format("loader-1", snapshot), start.StatementId!);

        Assert.Null(end!.Error);
        Assert.Equal(new LoadOutcome(0, 0, 2, 1, false), end.Report!.Outcome);
        Assert.Equal(1, await LiveRowCountAsync());
    }

    [Fact]
    public async Task DuplicateManifestEvents_WhileRunningAndAfter_SubmitNothingNew_AndLoadOnce()
    {
        var key = await StageAsync([Row("a", "a1")]);
        var start = await Step("loader-1").OnManifestCreatedAsync(key, None);

        var whileRunning = await Step("loader-2").OnManifestCreatedAsync(key, None);
        Assert.Equal(LoadStartResult.HeldByAnother, whileRunning.Result);

        await EndAsync(LoadSubmissionName.Format("loader-1", key), start.StatementId!);
        var afterwards = await Step("loader-3").OnManifestCreatedAsync(key, None);

        Assert.Equal(LoadStartResult.AlreadyLoaded, afterwards.Result);
        Assert.True(afterwards.Report!.Outcome.AlreadyLoaded);
        Assert.Single(_pipeline.Redshift.Requests, r => r.Operation == "BatchExecuteStatement" && r.WithEvent == true);
        Assert.Equal(1, await LiveRowCountAsync());
        // The replay answers the token again; Step Functions ignores a second answer for a closed token.
        Assert.Equal(2, _callbacks.Sent.Count);
    }

    [Fact]
    public async Task ManifestEventRepeatedLater_ByTheSameLoader_SendsTheSameSqlUnderTheSameClientToken()
    {
        var key = await StageAsync([Row("a", "a1")]);
        var first = await Step("loader-1").OnManifestCreatedAsync(key, None);

        _clock.Advance(TimeSpan.FromMinutes(3));
        var again = await Step("loader-1").OnManifestCreatedAsync(key, None);

        Assert.Equal(first.StatementId, again.StatementId);
        var submits = _pipeline.Redshift.Requests.Where(r => r.Operation == "BatchExecuteStatement" && r.WithEvent == true).ToList();
        Assert.Equal(2, submits.Count);
        Assert.Equal(submits[0].ClientToken, submits[1].ClientToken);
        // A token stands for one request: the text must not change with the time of the submission.
        Assert.Equal(submits[0].Sqls, submits[1].Sqls);
    }

    [Fact]
    public async Task ManifestEventRepeatedAfterCleanup_FindsNothingToLoad_WithoutFailing()
    {
        var key = await StageAsync([Row("a", "a1")]);
        var start = await Step("loader-1").OnManifestCreatedAsync(key, None);
        await EndAsync(LoadSubmissionName.Format("loader-1", key), start.StatementId!);
        var manifest = await StagedManifests.ReadAsync(_pipeline.Staging, key, None);
        await new CleanupStep(_pipeline.Staging).CleanupAsync(key, manifest, None);

        var late = await Step("loader-2").OnManifestCreatedAsync(key, None);

        Assert.Equal(LoadStartResult.NoLongerStaged, late.Result);
        Assert.Contains("no longer staged", late.Error, StringComparison.Ordinal);
        Assert.Single(_callbacks.Sent);
        Assert.Equal(1, await LiveRowCountAsync());
    }

    [Fact]
    public async Task DuplicateCompletionEvent_RecordsTheFirstOutcomeOnly()
    {
        var key = await StageAsync([Row("a", "a1")]);
        var start = await Step("loader-1").OnManifestCreatedAsync(key, None);
        var name = LoadSubmissionName.Format("loader-1", key);

        await EndAsync(name, start.StatementId!);
        var again = await Step("loader-1").OnLoadEndedAsync(name, start.StatementId!, None);

        Assert.Equal(new LoadOutcome(1, 0, 0, 0, false), again!.Report!.Outcome);
        Assert.Equal(1, await LiveRowCountAsync());
        var claim = await _pipeline.Status.TryClaimAsync("conn", LoadIdOf(key), "someone-else", _clock.GetUtcNow(), TimeSpan.FromMinutes(5), None);
        Assert.Equal(new LoadOutcome(1, 0, 0, 0, false), claim.Outcome);
    }

    [Fact]
    public async Task FailedCopy_CompletionEvent_ReportsFileLineAndColumn_ReleasesTheClaim_KeepsTheFiles()
    {
        var key = await StageAsync([Row("a", "fine"), Row("b", new string('x', RedshiftSql.MaxVarcharBytes + 1))]);
        var start = await Step("loader-1").OnManifestCreatedAsync(key, None);

        var end = await EndAsync(LoadSubmissionName.Format("loader-1", key), start.StatementId!);

        Assert.Null(end!.Report);
        Assert.Contains("line 2, column name", end.Error, StringComparison.Ordinal);
        var sent = Assert.Single(_callbacks.Sent);
        Assert.StartsWith("failure token-1 RedshiftLoadException", sent, StringComparison.Ordinal);
        Assert.Contains("line 2, column name", sent, StringComparison.Ordinal);
        Assert.Contains(key, await _pipeline.KeysAsync());
        Assert.Equal(0, await LiveRowCountAsync());
        var retry = await _pipeline.Status.TryClaimAsync("conn", LoadIdOf(key), "retry", _clock.GetUtcNow(), TimeSpan.FromMinutes(5), None);
        Assert.Equal(LoadClaimResult.Claimed, retry.Result);
    }

    [Fact]
    public async Task MissingPart_FailsAtSubmit_NamingThePart_ReleasesTheClaim()
    {
        var key = await StageAsync([Row("a", "a1")]);
        var manifest = await StagedManifests.ReadAsync(_pipeline.Staging, key, None);
        await _pipeline.Staging.DeleteAsync([manifest.Parts[0].Key], None);

        var start = await Step("loader-1").OnManifestCreatedAsync(key, None);

        Assert.Equal(LoadStartResult.Failed, start.Result);
        Assert.Contains(manifest.Parts[0].Key, start.Error, StringComparison.Ordinal);
        Assert.StartsWith("failure token-1 InvalidDataException", Assert.Single(_callbacks.Sent), StringComparison.Ordinal);
        Assert.DoesNotContain(_pipeline.Redshift.Requests, r => r.Operation == "BatchExecuteStatement" && r.WithEvent == true);
        var retry = await _pipeline.Status.TryClaimAsync("conn", LoadIdOf(key), "retry", _clock.GetUtcNow(), TimeSpan.FromMinutes(5), None);
        Assert.Equal(LoadClaimResult.Claimed, retry.Result);
    }

    [Theory]
    [InlineData("some other application's statement")]
    [InlineData("serverless-sync load ")]
    [InlineData("serverless-sync load claimant-without-key")]
    public async Task CompletionOfAStatementThisPipelineDidNotName_IsIgnored(string name) =>
        Assert.Null(await Step("loader-1").OnLoadEndedAsync(name, "statement-1", None));

    [Fact]
    public void SubmissionName_RoundTrips_KeysWithSpaces()
    {
        var name = LoadSubmissionName.Format("4f1c-req", "runs/c/r/my object/my object.manifest.json");

        Assert.True(LoadSubmissionName.TryParse(name, out var claimant, out var key));
        Assert.Equal(("4f1c-req", "runs/c/r/my object/my object.manifest.json"), (claimant, key));
        Assert.Throws<ArgumentException>(() => LoadSubmissionName.Format("has space", "k"));
    }

    private LoadStep Step(string claimant) =>
        new(_pipeline.Staging, _pipeline.Warehouse, _pipeline.Status, _callbacks, _clock, new LoadStepOptions(claimant, TimeSpan.FromMinutes(20)));

    /// <summary>Waits for the statement as EventBridge would before delivering its event, then delivers it.</summary>
    private async Task<LoadEnd?> EndAsync(string statementName, string statementId)
    {
        try
        {
            await _pipeline.DataApi.WaitForStatementAsync(statementId, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(1), None);
        }
        catch (ServerlessSync.Aws.RedshiftData.RedshiftStatementFailedException)
        {
            // A failed load ends too; its event says FAILED.
        }

        return await Step("completion").OnLoadEndedAsync(statementName, statementId, None);
    }

    private static string LoadIdOf(string manifestKey)
    {
        var parts = manifestKey.Split('/');
        return $"{parts[1]}/{parts[2]}/{parts[3]}";
    }

    private async Task<string> StageAsync(IEnumerable<SourceRow> rows, DateTimeOffset? historicalEnd = null)
    {
        var runId = $"run-{Interlocked.Increment(ref _runs):D4}";
        var stager = new ObjectStager(_pipeline.Staging, new StagingOptions(), _clock);
        var manifest = await stager.StagePartsAsync("conn", runId, Plan, SyncWindow.Historical(historicalEnd ?? T0), ToAsync(rows), "token-1", null, None);
        await stager.WriteManifestAsync(manifest, None);
        return StagingKeys.Manifest("conn", runId, Plan.Name);
    }

    private async Task<long> LiveRowCountAsync()
    {
        var rows = await _pipeline.Redshift.QueryAsync($"SELECT count(*) AS n FROM \"{CloudPipeline.Schema}\".\"plan\" WHERE NOT _deleted");
        return Convert.ToInt64(rows[0]["n"], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static SourceRow Row(string id, string? name) => new([id, T0, name], false);

    private static async IAsyncEnumerable<SourceRow> ToAsync(IEnumerable<SourceRow> rows)
    {
        foreach (var row in rows)
        {
            yield return row;
        }

        await Task.CompletedTask;
    }

    /// <summary>The task-token port as the workflow sees it: every answer, in order.</summary>
    private sealed class RecordingCallbacks : ITaskCallbacks
    {
        public List<string> Sent { get; } = [];

        public Task SendSuccessAsync(string taskToken, LoadReport report, CancellationToken cancellationToken)
        {
            lock (Sent)
            {
                Sent.Add($"success {taskToken} {report.ObjectName} {report.Outcome.Inserted}");
            }

            return Task.CompletedTask;
        }

        public Task SendFailureAsync(string taskToken, string error, string cause, CancellationToken cancellationToken)
        {
            lock (Sent)
            {
                Sent.Add($"failure {taskToken} {error} {cause}");
            }

            return Task.CompletedTask;
        }
    }
}
