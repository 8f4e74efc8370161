using System.Text.Json.Nodes;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Verification;
using ServerlessSync.Functions.Tests.Template;

namespace ServerlessSync.Functions.Tests.Workflow;

/// <summary>
/// The state machine of <c>template.yaml</c> executed end to end (<see cref="LocalWorkflow"/>): aws-local-stepfunctions
/// runs the ASL, its Lambda tasks run the real function classes against moto (S3, DynamoDB) and the Data API double, and
/// the cloud's events between them are played. What is asserted is what a user would see: the execution's end, rows
/// in the warehouse (the double's PostgreSQL) equal to the synthetic source, the staging bucket, and the status items.
/// </summary>
public sealed class SyncStateMachineTests : IAsyncLifetime
{
    private const string Connector = SyncOptions.DefaultConnectorId;
    private const string Ledger = "zuora._serverless_sync_loads";
    private static readonly CancellationToken None = CancellationToken.None;

    private LocalWorkflow _workflow = null!;

    public async Task InitializeAsync() => _workflow = await LocalWorkflow.StartAsync();

    public async Task DisposeAsync() => await _workflow.DisposeAsync();

    [Fact]
    public async Task HistoricalRun_Succeeds_WarehouseEqualsSource_BucketEmptied_ConnectorActive_CursorsAtWindowEnd()
    {
        var outcome = await _workflow.RunAsync();

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Equal("RunSucceeded", outcome.LastState);
        var run = await RunOfAsync(outcome);
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(RunMode.Historical, run.Mode);
        var tenant = await _workflow.TenantAsync();
        Assert.Equal(tenant.Source.Objects.Order(StringComparer.Ordinal), run.Objects.Select(o => o.ObjectName).Order(StringComparer.Ordinal));
        await AssertWarehouseEqualsSourceAsync();
        Assert.Empty(await _workflow.KeysAsync());
        var connector = await _workflow.Host.Status.GetConnectorAsync(Connector, None);
        Assert.Equal(ConnectorStatus.Active, connector!.Status);
        var cursors = await _workflow.Host.Status.GetObjectsAsync(Connector, None);
        Assert.All(run.Objects, o => Assert.Equal(o.WindowEnd, cursors.Single(c => c.ObjectName == o.ObjectName).Cursor));
        Assert.Equal(run.Objects.Count, await CountAsync($"SELECT count(*) FROM {Ledger}"));
        Assert.Equal(run.Objects.Count, _workflow.StepFunctions.Calls.Count(c => c is { Operation: "SendTaskSuccess", Accepted: true }));
        Assert.Empty(_workflow.DeliveryErrors);
    }

    [Fact]
    public async Task FirstRun_ObjectsLoadingAtTheSameTime_EachCreatesItsTable_AndAllSucceed()
    {
        // The Map runs ObjectConcurrency (the template's default) objects at once: hold each manifest's event until that
        // many are staged, so the first loads (which create the schema, the ledger and their tables) start together.
        var concurrency = int.Parse(_workflow.StateMachine.Substitutions["ObjectConcurrency"], System.Globalization.CultureInfo.InvariantCulture);
        var objects = new[] { "account", "contact", "invoice", "payment", "product", "refund" }.Take(concurrency).ToArray();
        var staged = 0;
        var together = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _workflow.BeforeManifestEvent = async _ =>
        {
            if (Interlocked.Increment(ref staged) == objects.Length)
            {
                together.SetResult();
            }

            await together.Task;
        };

        ExecutionOutcome outcome;
        try
        {
            outcome = await _workflow.RunAsync(new JsonObject { ["objects"] = new JsonArray([.. objects.Select(o => (JsonNode)o)]) });
        }
        finally
        {
            together.TrySetResult();
        }

        Assert.True(outcome.Succeeded, outcome.ToString());
        await AssertWarehouseEqualsSourceAsync(objects);
    }

    [Fact]
    public async Task IncrementalRun_AfterTenantAdvance_LoadsOnlyTheChanges_WithMergeCountsMatchingTheWarehouse()
    {
        var first = await _workflow.RunAsync();
        Assert.True(first.Succeeded, first.ToString());
        var historical = await RunOfAsync(first);
        var before = await SnapshotAsync(historical.Objects.Select(o => o.ObjectName));

        await _workflow.AdvanceTenantAsync(TimeSpan.FromDays(2));
        var second = await _workflow.RunAsync();

        Assert.True(second.Succeeded, second.ToString());
        var incremental = await RunOfAsync(second);
        Assert.Equal(RunMode.Incremental, incremental.Mode);
        await AssertWarehouseEqualsSourceAsync();
        var after = await SnapshotAsync(incremental.Objects.Select(o => o.ObjectName));
        foreach (var o in incremental.Objects)
        {
            var was = before[o.ObjectName];
            var now = after[o.ObjectName];
            var inserted = now.Keys.Count(id => !was.ContainsKey(id));
            var deleted = now.Count(r => r.Value.Deleted && was.TryGetValue(r.Key, out var old) && !old.Deleted);
            var updated = now.Count(r => was.TryGetValue(r.Key, out var old) && old.SyncedAt != r.Value.SyncedAt && !(r.Value.Deleted && !old.Deleted));
            Assert.True((inserted, updated, deleted) == (o.RowsInserted, o.RowsUpdated, o.RowsDeleted),
                $"{o.ObjectName}: the warehouse changed by {inserted} inserted, {updated} updated, {deleted} deleted; the run recorded {o.RowsInserted}, {o.RowsUpdated}, {o.RowsDeleted}");
        }

        var rowsBefore = before.Values.Sum(rows => rows.Count);
        Assert.True(incremental.Objects.Sum(o => o.RowsExtracted) < rowsBefore / 4, $"the incremental run extracted {incremental.Objects.Sum(o => o.RowsExtracted)} rows; the warehouse had {rowsBefore}");

        Assert.True(incremental.Objects.Sum(o => o.RowsInserted) > 0, "the advance created rows");
        Assert.True(incremental.Objects.Sum(o => o.RowsUpdated) > 0, "the advance updated rows");
        Assert.True(incremental.Objects.Sum(o => o.RowsDeleted) > 0, "the advance deleted rows");
        Assert.Empty(await _workflow.KeysAsync());
    }

    [Fact]
    public async Task FailingLoad_ExecutionFails_RunFailedNamingFileLineColumn_FilesKept_CursorUnmoved_NextRunConverges()
    {
        (string PartKey, string ManifestKey)? broken = null;
        _workflow.BeforeManifestEvent = async manifestKey =>
        {
            if (broken is null && manifestKey.EndsWith("/account.manifest.json", StringComparison.Ordinal))
            {
                var (partKey, _) = await _workflow.BreakFirstPartAsync(manifestKey);
                broken = (partKey, manifestKey);
            }
        };
        var objects = new JsonObject { ["objects"] = new JsonArray("account", "invoice") };

        var failed = await _workflow.RunAsync(objects);

        Assert.False(failed.Succeeded, failed.ToString());
        Assert.Equal("RunFailed", failed.LastState);
        Assert.Equal("SyncRunFailed", failed.Error);
        Assert.Contains("RecordFailure", failed.History.Select(e => e.State));
        var run = await RunOfAsync(failed);
        Assert.Equal(RunStatus.Failed, run.Status);
        var account = run.Objects.Single(o => o.ObjectName == "account");
        Assert.Equal(RunStatus.Failed, account.Status);
        var (partKey, manifestKey) = broken!.Value;
        var rejected = (await _workflow.Redshift.QueryAsync("SELECT line_number, raw_line FROM sys_load_error_detail")).Single();
        Assert.StartsWith("\"broken-row\",", (string)rejected["raw_line"]!);
        var where = $"s3://{_workflow.Bucket}/{partKey} line {rejected["line_number"]}, column updateddate";
        Assert.True(account.Error!.Contains(where, StringComparison.Ordinal), $"expected '{where}' in: {account.Error}");
        Assert.Contains("account", failed.Cause, StringComparison.Ordinal);
        Assert.Equal(RunStatus.Succeeded, run.Objects.Single(o => o.ObjectName == "invoice").Status);
        var kept = await _workflow.KeysAsync();
        Assert.Contains(partKey, kept);
        Assert.Contains(manifestKey, kept);
        var cursors = await _workflow.Host.Status.GetObjectsAsync(Connector, None);
        Assert.DoesNotContain(cursors, c => c.ObjectName == "account" && c.Cursor is not null);
        Assert.NotNull(cursors.Single(c => c.ObjectName == "invoice").Cursor);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM zuora.account"));
        var connector = await _workflow.Host.Status.GetConnectorAsync(Connector, None);
        Assert.Equal(ConnectorStatus.Failed, connector!.Status);
        var template = SamTemplate.Load();
        var stateMachineArn = $"arn:aws:states:us-east-1:123456789012:stateMachine:{_workflow.StateMachine.Name}";
        var announced = RunFailedRule.Announce(template, RunFailedRule.StatusChangeEvent(stateMachineArn, run.RunId, failed.Status, failed.Error, failed.Cause), stateMachineArn, Connector);
        Assert.NotNull(announced);
        Assert.Equal((Connector, run.RunId, "FAILED", "SyncRunFailed"), ((string?)announced["connectorId"], (string?)announced["runId"], (string?)announced["status"], (string?)announced["error"]));
        Assert.Contains(where, (string)announced["cause"]!, StringComparison.Ordinal);

        _workflow.BeforeManifestEvent = null;
        var retry = await _workflow.RunAsync(objects);
        Assert.Null(RunFailedRule.Announce(template, RunFailedRule.StatusChangeEvent(stateMachineArn, "retry", retry.Status, null, null), stateMachineArn, Connector));
        Assert.Null(RunFailedRule.Announce(template, RunFailedRule.StatusChangeEvent("arn:aws:states:us-east-1:123456789012:stateMachine:another", run.RunId, "FAILED", "SyncRunFailed", "x"), stateMachineArn, Connector));

        Assert.True(retry.Succeeded, retry.ToString());
        await AssertWarehouseEqualsSourceAsync(["account", "invoice"]);
        Assert.Contains(partKey, await _workflow.KeysAsync());
    }

    [Fact]
    public async Task EventsDeliveredTwice_EachManifestLoadsOnce_NoDuplicateRows()
    {
        _workflow.S3NotificationCopies = 2;
        _workflow.DataApiEventCopies = 2;

        var outcome = await _workflow.RunAsync();

        Assert.True(outcome.Succeeded, outcome.ToString());
        var run = await RunOfAsync(outcome);
        await AssertWarehouseEqualsSourceAsync();
        foreach (var o in run.Objects)
        {
            Assert.Equal(await CountAsync($"SELECT count(DISTINCT id) FROM zuora.{o.ObjectName}"), await CountAsync($"SELECT count(*) FROM zuora.{o.ObjectName}"));
            Assert.Equal(1, await CountAsync($"SELECT count(*) FROM {Ledger} WHERE run_id = '{run.RunId}' AND object = '{o.ObjectName}'"));
        }

        // Loads only: the destination checks' COPY probe (before this first sync) is a COPY of its own.
        var copies = _workflow.Redshift.Requests.Count(r => r.Operation == "BatchExecuteStatement" && r.Sqls.Any(s => s.StartsWith("COPY", StringComparison.Ordinal))
            && !r.Sqls.Any(s => s.Contains("serverless_sync_probe", StringComparison.Ordinal)));
        Assert.Equal(run.Objects.Count, copies);
        var answers = _workflow.StepFunctions.Calls.Where(c => c.Operation == "SendTaskSuccess").GroupBy(c => c.TaskToken).ToList();
        Assert.Equal(run.Objects.Count, answers.Count);
        Assert.All(answers, token => Assert.Equal([true, false], token.Select(c => c.Accepted)));
        var totals = await _workflow.Host.Status.GetObjectsAsync(Connector, None);
        Assert.All(run.Objects, o => Assert.Equal(o.RowsInserted, totals.Single(t => t.ObjectName == o.ObjectName).TotalInserted));
    }

    [Fact]
    public async Task SecondStart_WhileARunHoldsTheLock_EndsInAnotherRunInProgress_WithoutTouchingAnything()
    {
        var staged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _workflow.BeforeManifestEvent = async _ =>
        {
            staged.TrySetResult();
            await release.Task;
        };
        var objects = new JsonObject { ["objects"] = new JsonArray("account") };
        var first = _workflow.RunAsync(objects, "holding-run");
        try
        {
            if (await Task.WhenAny(staged.Task, first) == first)
            {
                Assert.Fail($"the first run ended before its manifest was staged: {await first}");
            }

            var keysWhileHeld = await _workflow.KeysAsync();
            var requestsWhileHeld = _workflow.Redshift.Requests.Count;

            var second = await _workflow.RunAsync(objects, "second-start");

            Assert.True(second.Succeeded, second.ToString());
            Assert.Equal("AnotherRunInProgress", second.LastState);
            Assert.Equal(["StartRun", "AnotherRunInProgress"], second.History.Where(e => e.Type == "StateEntered").Select(e => e.State));
            Assert.Null(await _workflow.Host.Status.GetRunAsync(Connector, "second-start", None));
            Assert.Equal(keysWhileHeld, await _workflow.KeysAsync());
            Assert.Equal(requestsWhileHeld, _workflow.Redshift.Requests.Count);
        }
        finally
        {
            // Whatever happened, the held run goes on, so that nothing waits on it after the test.
            release.TrySetResult();
        }

        var held = await first;
        Assert.True(held.Succeeded, held.ToString());
        var runs = await _workflow.Host.Status.ListRunsAsync(Connector, 10, None);
        Assert.Equal(["holding-run"], runs.Select(r => r.RunId));
        await AssertWarehouseEqualsSourceAsync(["account"]);
    }

    private async Task<RunRecord> RunOfAsync(ExecutionOutcome outcome)
    {
        var runId = outcome.Output?["runId"]?.GetValue<string>()
            ?? (await _workflow.Host.Status.ListRunsAsync(Connector, 1, None)).Single().RunId;
        return await _workflow.Host.Status.GetRunAsync(Connector, runId, None)
            ?? throw new InvalidOperationException($"run {runId} is not in the status table");
    }

    private async Task AssertWarehouseEqualsSourceAsync(IReadOnlyList<string>? objects = null)
    {
        var tenant = await _workflow.TenantAsync();
        var results = await new Verifier(tenant.Source, _workflow.Host.Warehouse).VerifyAsync(objects ?? tenant.Source.Objects, None);
        Assert.All(results, r => Assert.True(r.Matches, $"{r.ObjectName}: {r.Problem}"));
        Assert.True(results.Sum(r => r.SourceRows) > 0);
    }

    private async Task<long> CountAsync(string sql) => Convert.ToInt64((await _workflow.Redshift.QueryAsync(sql)).Single().Values.Single());

    /// <summary>Each object's rows in the warehouse: id → (when the pipeline last wrote the row, its deleted flag).</summary>
    private async Task<Dictionary<string, Dictionary<string, (DateTime SyncedAt, bool Deleted)>>> SnapshotAsync(IEnumerable<string> objects)
    {
        var snapshot = new Dictionary<string, Dictionary<string, (DateTime, bool)>>(StringComparer.Ordinal);
        foreach (var name in objects)
        {
            var rows = await _workflow.Redshift.QueryAsync($"SELECT id, _synced_at, _deleted FROM zuora.{name}");
            snapshot[name] = rows.ToDictionary(r => (string)r["id"]!, r => ((DateTime)r["_synced_at"]!, (bool)r["_deleted"]!), StringComparer.Ordinal);
        }

        return snapshot;
    }
}
