using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Functions.Hosting;
using ServerlessSync.Functions.Tests.Support;
using ServerlessSync.Testing.Zuora;

namespace ServerlessSync.Functions.Tests.Workflow;

/// <summary>
/// The state machine with <c>SOURCE=zuora</c>, run by aws-local-stepfunctions against the fake Zuora, whose jobs
/// complete only after <see cref="JobDuration"/> on the injected clock: the state machine waits for them (SubmitExport,
/// then WaitForExport and CheckExport in a loop, then Extract stages the completed result). Wait states pass at once
/// here; before each CheckExport the clock moves by the wait the state machine was asked to make, so Zuora sees the
/// time pass that the cloud's Wait would have let pass.
/// </summary>
public sealed class ZuoraWorkflowTests : IAsyncLifetime
{
    private static readonly TimeSpan JobDuration = TimeSpan.FromHours(2);
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly FakeTimeProvider _clock = new(FunctionsTestHost.SampleTime);
    private readonly FakeZuoraTenant _tenant = FakeZuoraTenant.CreateSample(6, seed: 3, now: FunctionsTestHost.SampleTime.AddMinutes(-5));
    private readonly List<string> _tasks = [];
    private readonly List<(string State, ObjectRunRecord Record, DateTimeOffset At)> _seen = [];
    private ZuoraFunctionsStack _stack = null!;
    private LocalWorkflow _workflow = null!;

    public Task InitializeAsync() => StartAsync((TimeSpan?)null);

    public async Task DisposeAsync()
    {
        if (_workflow is not null)
        {
            await _workflow.DisposeAsync();
        }
    }

    [Fact]
    public async Task HistoricalRun_JobsCompleteAfterTwoSimulatedHours_StateMachineWaits_RunSucceedsWithEveryRow()
    {
        var outcome = await _workflow.RunAsync(Objects("account", "invoice"));

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Equal(_tenant.Records("Account").Count, await _stack.Host.LiveRowCountAsync("account"));
        Assert.Equal(_tenant.Records("Invoice").Count, await _stack.Host.LiveRowCountAsync("invoice"));
        var checks = _tasks.Count(t => t == "CheckExport");
        // Both objects' loops move the one clock, so together they pass the two hours: at waits of at most 5 minutes that is more than 24 checks.
        Assert.True(checks > 24, $"the state machine checked the jobs {checks} times");
        Assert.Equal(checks, _stack.Zuora.Requests.Count(r => r.Method == "GET" && r.Path.StartsWith("/v1/batch-query/jobs/", StringComparison.Ordinal)));
        Assert.Equal(checks, outcome.Entered("WaitForExport").Count());
        Assert.True(_clock.GetUtcNow() - FunctionsTestHost.SampleTime >= JobDuration, $"the clock moved only to {_clock.GetUtcNow():O}");
        Assert.Equal(2, _tasks.Count(t => t == "StageAndLoad"));
        Assert.DoesNotContain("ExtractAndLoad", _tasks);
        // An hour into the wait the run shows the object waiting for its job, with the job's id and the minutes waited.
        var (_, waiting, at) = _seen.First(s => s.Record.ObjectName == "account" && s.At - FunctionsTestHost.SampleTime >= TimeSpan.FromHours(1));
        Assert.StartsWith("aqua ", waiting.Jobs, StringComparison.Ordinal);
        Assert.Equal($"waiting for Zuora job {waiting.Jobs} ({(int)(at - waiting.JobsSubmittedAt!.Value).TotalMinutes} minutes)", waiting.WaitingText(at, "Zuora"));
        Assert.True((at - waiting.JobsSubmittedAt!.Value).TotalMinutes >= 59, waiting.WaitingText(at, "Zuora"));
        Assert.Equal(0, _stack.Zuora.RunningJobs);
        Assert.Equal(0, _stack.Zuora.JobsCancelled);
        var run = await RunOfAsync();
        Assert.Equal(RunStatus.Succeeded, run.Status);
        var cursors = await _stack.Host.Host.Status.GetObjectsAsync(SyncOptions.DefaultConnectorId, None);
        Assert.All(run.Objects, o => Assert.Equal(o.WindowEnd, cursors.Single(c => c.ObjectName == o.ObjectName).Cursor));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public async Task HistoricalRun_OneJobFails_ItsObjectFailsWithZuorasCodeAndMessage_NothingOfItLoaded_CursorUnmoved_OtherObjectLoads(int slices)
    {
        if (slices > 1)
        {
            // One slice's job fails: the other slices finish, the object loads nothing.
            await RestartSlicedAsync();
        }

        _stack.Zuora.FailNextAquaJob("Query failed: the tenant is being maintained", "Account", errorCode: "90004");

        var outcome = await _workflow.RunAsync(Objects("account", "invoice"));

        Assert.False(outcome.Succeeded, outcome.ToString());
        var run = await RunOfAsync();
        var account = run.Objects.Single(o => o.ObjectName == "account");
        Assert.Equal(RunStatus.Failed, account.Status);
        Assert.Contains("Query failed: the tenant is being maintained", account.Error, StringComparison.Ordinal);
        Assert.Contains("90004", account.Error, StringComparison.Ordinal);
        Assert.True(slices == 1 || account.Error!.Contains($"of {slices} failed", StringComparison.Ordinal), account.Error);
        Assert.Equal(0, await _stack.Host.LiveRowCountAsync("account"));
        Assert.Equal(RunStatus.Succeeded, run.Objects.Single(o => o.ObjectName == "invoice").Status);
        Assert.Equal(_tenant.Records("Invoice").Count, await _stack.Host.LiveRowCountAsync("invoice"));
        var cursors = await _stack.Host.Host.Status.GetObjectsAsync(SyncOptions.DefaultConnectorId, None);
        Assert.Null(cursors.SingleOrDefault(c => c.ObjectName == "account")?.Cursor);
        Assert.Equal(0, _stack.Zuora.RunningJobs);
    }

    [Fact]
    public async Task HistoricalRun_JobStillRunningAtZuoraJobTimeout_JobCancelled_ObjectFailsSayingWhatToRaise_CursorUnmoved()
    {
        await _workflow.DisposeAsync();
        _workflow = null!;
        await StartAsync(TimeSpan.FromMinutes(60));

        var outcome = await _workflow.RunAsync(Objects("account"));

        Assert.False(outcome.Succeeded, outcome.ToString());
        var account = (await RunOfAsync()).Objects.Single();
        Assert.Equal(RunStatus.Failed, account.Status);
        Assert.Contains("not completed within 01:00:00", account.Error, StringComparison.Ordinal);
        Assert.Contains("ZuoraJobTimeoutMinutes", account.Error, StringComparison.Ordinal);
        Assert.Equal(1, _stack.Zuora.JobsCancelled);
        Assert.Equal(0, _stack.Zuora.RunningJobs);
        Assert.DoesNotContain("StageAndLoad", _tasks);
        Assert.Equal(0, await _stack.Host.LiveRowCountAsync("account"));
        var cursors = await _stack.Host.Host.Status.GetObjectsAsync(SyncOptions.DefaultConnectorId, None);
        Assert.Null(cursors.SingleOrDefault(c => c.ObjectName == "account")?.Cursor);
    }

    [Fact]
    public async Task IncrementalRun_ExportAndDeletesJobsBothWaitedFor_EveryEventDeliveredTwice_LoadsOnce()
    {
        var first = await _workflow.RunAsync(Objects("account"));
        Assert.True(first.Succeeded, first.ToString());
        var gone = _tenant.Records("Account")[0].Id;
        _tenant.Delete("Account", gone, _clock.GetUtcNow().AddMinutes(-1));
        _tenant.Put("Account", "acct-new", _clock.GetUtcNow().AddMinutes(-1));
        _workflow.S3NotificationCopies = 2;
        _workflow.DataApiEventCopies = 2;
        var dataQueryPollsBefore = DataQueryPolls();

        var second = await _workflow.RunAsync(Objects("account"));

        Assert.True(second.Succeeded, second.ToString());
        Assert.True(DataQueryPolls() - dataQueryPollsBefore > 10, $"the deleted records' Data Query job was checked {DataQueryPolls() - dataQueryPollsBefore} times in two simulated hours");
        Assert.Equal(_tenant.Records("Account").Count, await _stack.Host.LiveRowCountAsync("account"));
        var rows = await _stack.Host.Redshift.QueryAsync("SELECT id, _deleted FROM zuora.account");
        Assert.Equal(rows.Count, rows.Select(r => (string)r["id"]!).Distinct().Count());
        Assert.True((bool)rows.Single(r => (string)r["id"]! == gone)["_deleted"]!);
        Assert.Contains(rows, r => (string)r["id"]! == "acct-new");
        var loads = await _stack.Host.Redshift.QueryAsync("SELECT run_id FROM zuora._serverless_sync_loads WHERE object = 'account'");
        Assert.Equal(2, loads.Count);
        Assert.Equal(0, _stack.Zuora.RunningJobs);
    }

    [Fact]
    public async Task HistoricalRun_EightSlices_EachSliceWaitsForItsOwnJob_ObjectLoadsOnceWithExactlyTheRowsOfTheWholeRead()
    {
        await RestartSlicedAsync();

        var outcome = await _workflow.RunAsync(Objects("invoice"));

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Equal(8, _tasks.Count(t => t == "SubmitSlice"));
        Assert.Equal(8, _tasks.Count(t => t == "StageSlice"));
        Assert.Equal(1, _tasks.Count(t => t == "LoadSlices"));
        Assert.DoesNotContain("StageAndLoad", _tasks);
        // While the slices wait the run shows slices done of total; when LoadSlices starts, every slice is staged.
        var firstCheck = _seen.First(s => s.State == "CheckSlice").Record;
        Assert.Equal((0, 8), (firstCheck.SlicesDone, firstCheck.SlicesTotal));
        Assert.StartsWith("waiting for Zuora jobs aqua ", firstCheck.WaitingText(_clock.GetUtcNow(), "Zuora"), StringComparison.Ordinal);
        // Each slice's job was listed in the record while the slice waited for it; once all are staged, none is left.
        Assert.Equal(8, _seen.Where(s => s.State == "CheckSlice").SelectMany(s => s.Record.Jobs!.Split(", ")).Distinct().Count());
        Assert.Null(_seen.Single(s => s.State == "LoadSlices").Record.Jobs);
        Assert.EndsWith("slices 0 of 8", firstCheck.WaitingText(_clock.GetUtcNow(), "Zuora"), StringComparison.Ordinal);
        var beforeLoad = _seen.Single(s => s.State == "LoadSlices").Record;
        Assert.Equal(8, beforeLoad.SlicesTotal);
        // Each StageSlice counts the staged slices' lists; concurrent ones may record their counts out of order.
        Assert.InRange(beforeLoad.SlicesDone, 1, 8);
        // Eight AQuA jobs, one per slice, whose windows meet end to end; each ran its own two simulated hours.
        var zoql = AquaQueries("Invoice");
        Assert.Equal(8, zoql.Count);
        Assert.Single(zoql, q => !q.Contains("UpdatedDate >=", StringComparison.Ordinal));
        Assert.True(_clock.GetUtcNow() - FunctionsTestHost.SampleTime >= JobDuration);
        var expected = _tenant.Records("Invoice").Select(r => r.Id).Order(StringComparer.Ordinal).ToList();
        var rows = await _stack.Host.Redshift.QueryAsync("SELECT id, _deleted FROM zuora.invoice");
        Assert.Equal(expected, rows.Select(r => (string)r["id"]!).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.False((bool)r["_deleted"]!));
        // One manifest, one load: the ledger has the object once.
        Assert.Single(await _stack.Host.Redshift.QueryAsync("SELECT run_id FROM zuora._serverless_sync_loads WHERE object = 'invoice'"));
        var invoice = (await RunOfAsync()).Objects.Single();
        Assert.Equal(RunStatus.Succeeded, invoice.Status);
        Assert.Equal(((long)expected.Count, (long)expected.Count), (invoice.RowsExtracted, invoice.RowsInserted));
        Assert.Equal((8, 8), (invoice.SlicesDone, invoice.SlicesTotal));
        var cursors = await _stack.Host.Host.Status.GetObjectsAsync(SyncOptions.DefaultConnectorId, None);
        Assert.Equal(invoice.WindowEnd, cursors.Single(c => c.ObjectName == "invoice").Cursor);
        Assert.Equal(0, _stack.Zuora.RunningJobs);
        // Both Maps are Distributed: the slices' dozens of checks are events of the slices' own executions; the run's
        // and the object's executions record the same few states however long the jobs wait (the emulator runs the
        // Maps inline; each event is counted in the execution Step Functions would record it in).
        var executionOf = Template.StateMachineDefinition.ExecutionOfEachState(JsonNode.Parse(_workflow.StateMachine.DefinitionJson)!.AsObject());
        var events = outcome.History.GroupBy(e => executionOf[e.State]).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var sliceChecks = outcome.Entered("CheckSlice").Count();
        var counts = string.Join(", ", events.Select(e => $"{e.Key} {e.Value}"));
        Assert.True(sliceChecks > 24, $"the slices checked their jobs {sliceChecks} times");
        Assert.True(events["run"] <= 30, counts);
        Assert.True(events["SyncObjects"] <= 30, counts);
        Assert.True(events["ExportSlices"] > 2 * sliceChecks, counts);
    }

    [Fact]
    public async Task HistoricalRun_SlicedByRecordCount_ObjectOverRowsPerSliceReadInThatManySlices_SmallerObjectWhole_ExactlyTheRowsOfTheWholeRead()
    {
        // More invoices, updated over the two years the slices span; the accounts are exactly one slice's worth.
        for (var i = 0; i < 14; i++)
        {
            _tenant.Put("Invoice", $"extra-invoice-{i:D2}", FunctionsTestHost.SampleTime.AddDays(-700 + (50 * i)));
        }

        var invoices = _tenant.Records("Invoice").Count;
        var accounts = _tenant.Records("Account").Count;
        var rowsPerSlice = accounts;
        var slices = ExportSlices.CountFor(invoices, rowsPerSlice);
        Assert.True(slices >= 4 && ExportSlices.CountFor(accounts, rowsPerSlice) == 1, $"{invoices} invoices and {accounts} accounts at {rowsPerSlice} rows per slice");
        await _workflow.DisposeAsync();
        _workflow = null!;
        await StartAsync(settings => settings with { HistoricalSlices = 1, HistoricalSliceRows = rowsPerSlice, HistoricalSliceFrom = FunctionsTestHost.SampleTime.AddYears(-2) });

        var outcome = await _workflow.RunAsync(Objects("account", "invoice"));

        Assert.True(outcome.Succeeded, outcome.ToString());
        // SubmitExport counted each object once (one query action asking for one record), then sliced only the invoices.
        Assert.Equal(
            ["select Id from Account where UpdatedDate < '", "select Id from Invoice where UpdatedDate < '"],
            _stack.Zuora.ActionQueries.Select(q => q[..q.IndexOf('\'', StringComparison.Ordinal)] + "'").Order(StringComparer.Ordinal));
        Assert.Equal(slices, _tasks.Count(t => t == "SubmitSlice"));
        Assert.Equal(slices, _tasks.Count(t => t == "StageSlice"));
        Assert.Equal(slices, AquaQueries("Invoice").Count);
        Assert.Single(AquaQueries("Account"));
        Assert.Equal(1, _tasks.Count(t => t == "StageAndLoad"));
        Assert.Equal(1, _tasks.Count(t => t == "LoadSlices"));
        var expected = _tenant.Records("Invoice").Select(r => r.Id).Order(StringComparer.Ordinal).ToList();
        var rows = await _stack.Host.Redshift.QueryAsync("SELECT id, _deleted FROM zuora.invoice");
        Assert.Equal(expected, rows.Select(r => (string)r["id"]!).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.False((bool)r["_deleted"]!));
        Assert.Equal(accounts, await _stack.Host.LiveRowCountAsync("account"));
        Assert.Single(await _stack.Host.Redshift.QueryAsync("SELECT run_id FROM zuora._serverless_sync_loads WHERE object = 'invoice'"));
        var invoice = (await RunOfAsync()).Objects.Single(o => o.ObjectName == "invoice");
        Assert.Equal((slices, slices), (invoice.SlicesDone, invoice.SlicesTotal));
        Assert.Equal(((long)invoices, (long)invoices), (invoice.RowsExtracted, invoice.RowsInserted));
    }

    [Fact]
    public async Task HistoricalRun_Sliced_EveryEventDeliveredTwice_LoadsOnce()
    {
        await RestartSlicedAsync();
        _workflow.S3NotificationCopies = 2;
        _workflow.DataApiEventCopies = 2;

        var outcome = await _workflow.RunAsync(Objects("account"));

        Assert.True(outcome.Succeeded, outcome.ToString());
        var rows = await _stack.Host.Redshift.QueryAsync("SELECT id FROM zuora.account");
        Assert.Equal(_tenant.Records("Account").Count, rows.Count);
        Assert.Equal(rows.Count, rows.Select(r => (string)r["id"]!).Distinct().Count());
        Assert.Single(await _stack.Host.Redshift.QueryAsync("SELECT run_id FROM zuora._serverless_sync_loads WHERE object = 'account'"));
    }

    [Fact]
    public async Task FinishRun_WorkflowFailedAroundAWaitingObject_CancelsTheJobItRecorded()
    {
        // The functions as FinishRunAfterError reaches them: the object waits for its job when the workflow fails around it.
        await SampleRun.StartAsync(_stack.Host, "account");
        var submitInput = JsonNode.Parse(ZuoraFunctionsStack.ExtractInput("account"))!.AsObject();
        submitInput.Remove("taskToken");
        var submitted = await _stack.Host.InvokeAsync("SubmitExport", submitInput.ToJsonString());
        var jobId = (string)submitted["job"]!["jobs"]![0]!["jobId"]!;
        Assert.Equal(1, _stack.Zuora.RunningJobs);
        var finishInput = new JsonObject
        {
            ["connectorId"] = "default",
            ["runId"] = FunctionsTestHost.SampleRunId,
            ["error"] = new JsonObject { ["Error"] = "States.Runtime", ["Cause"] = "the Map failed" },
        };

        await _stack.Host.InvokeAsync("FinishRun", finishInput.ToJsonString());

        Assert.Equal((0, 1), (_stack.Zuora.RunningJobs, _stack.Zuora.JobsCancelled));
        Assert.Contains(_stack.Zuora.Requests, r => r.Method == "DELETE" && r.Path.EndsWith(jobId, StringComparison.Ordinal));
        var account = Assert.Single((await _stack.Host.Host.Status.GetRunAsync("default", FunctionsTestHost.SampleRunId, CancellationToken.None))!.Objects);
        Assert.Equal((Core.Model.RunStatus.Failed, $"aqua {jobId}"), (account.Status, account.Jobs));
    }

    [Theory]
    [InlineData("ABORTED", "(stopped)")]
    [InlineData("TIMED_OUT", "timed out")]
    public async Task ExecutionStoppedWhileAnObjectWaits_RunStoppedRuleHasFinishRunCloseTheRunAndCancelTheJob(string status, string said)
    {
        // A stopped or timed-out execution runs no Catch: only the template's RunStoppedRule reaches FinishRun.
        await SampleRun.StartAsync(_stack.Host, "account");
        var submitInput = JsonNode.Parse(ZuoraFunctionsStack.ExtractInput("account"))!.AsObject();
        submitInput.Remove("taskToken");
        var submitted = await _stack.Host.InvokeAsync("SubmitExport", submitInput.ToJsonString());
        var jobId = (string)submitted["job"]!["jobs"]![0]!["jobId"]!;
        var template = Template.SamTemplate.Load();
        const string StateMachineArn = "arn:aws:states:us-east-1:123456789012:stateMachine:serverless-sync";
        var statusChange = Template.RunFailedRule.StatusChangeEvent(StateMachineArn, FunctionsTestHost.SampleRunId, status, null, null);
        Assert.Null(Template.RunFailedRule.StoppedRunInput(template, Template.RunFailedRule.StatusChangeEvent(StateMachineArn, FunctionsTestHost.SampleRunId, "FAILED", "SyncRunFailed", "x"), StateMachineArn, "default"));
        var finishInput = Template.RunFailedRule.StoppedRunInput(template, statusChange, StateMachineArn, "default");
        Assert.NotNull(finishInput);
        // The object's child execution (the object Map is a Distributed Map) is stopped with the run: not a run of its own.
        Assert.Null(Template.RunFailedRule.StoppedRunInput(template, Template.RunFailedRule.ChildStatusChangeEvent(StateMachineArn, "SyncObjects", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", status, labelledStateMachineArn: false), StateMachineArn, "default"));

        await _stack.Host.InvokeAsync("FinishRun", finishInput.ToJsonString());

        Assert.Equal((0, 1), (_stack.Zuora.RunningJobs, _stack.Zuora.JobsCancelled));
        Assert.Contains(_stack.Zuora.Requests, r => r.Method == "DELETE" && r.Path.EndsWith(jobId, StringComparison.Ordinal));
        var run = (await _stack.Host.Host.Status.GetRunAsync("default", FunctionsTestHost.SampleRunId, CancellationToken.None))!;
        Assert.Equal(Core.Model.RunStatus.Failed, run.Status);
        Assert.Contains(said, Assert.Single(run.Objects).Error, StringComparison.Ordinal);
        Assert.Equal(Core.Model.ConnectorStatus.Failed, (await _stack.Host.Host.Status.GetConnectorAsync("default", CancellationToken.None))!.Status);

        // EventBridge may deliver it again: the closed run is left as it is.
        await _stack.Host.InvokeAsync("FinishRun", finishInput.ToJsonString());
        var again = (await _stack.Host.Host.Status.GetRunAsync("default", FunctionsTestHost.SampleRunId, CancellationToken.None))!;
        Assert.Equal((run.Status, run.EndedAt, run.Error), (again.Status, again.EndedAt, again.Error));
        Assert.Equal(run.Objects, again.Objects);
        Assert.Equal(1, _stack.Zuora.JobsCancelled);

        // The run lock was given up: the next run starts (StartRun throws RunInProgressException while the lock is held).
        var next = await _stack.Host.InvokeAsync("StartRun", new JsonObject
        {
            ["input"] = new JsonObject { ["objects"] = new JsonArray("account") },
            ["executionName"] = "next-run",
        }.ToJsonString());
        Assert.Equal("next-run", (string?)next["runId"]);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(3, 3)]
    public async Task SubmitExport_ZuoraRefusesTheCount_FallsBackToHistoricalSlices_SubmitsNothingWhenSliced(int fixedSlices, int expectedSlices)
    {
        await _workflow.DisposeAsync();
        _workflow = null!;
        await StartAsync(settings => settings with { HistoricalSlices = fixedSlices, HistoricalSliceRows = 1, HistoricalSliceFrom = FunctionsTestHost.SampleTime.AddYears(-2) });
        await SampleRun.StartAsync(_stack.Host, "invoice");
        var submitInput = JsonNode.Parse(ZuoraFunctionsStack.ExtractInput("invoice"))!.AsObject();
        submitInput.Remove("taskToken");
        // The next call to Zuora after the token, the count, is refused.
        _stack.Zuora.FailNext(1, 400);

        var answer = await _stack.Host.InvokeAsync("SubmitExport", submitInput.ToJsonString());

        Assert.Equal(expectedSlices, answer["slices"]!.AsArray().Count);
        Assert.Equal(expectedSlices == 0, answer["job"] is not null);
        Assert.Equal(expectedSlices == 0 ? 1 : 0, _stack.Zuora.JobsSubmitted);
        Assert.Single(_stack.Zuora.Requests, r => r.Path == "/v1/action/query");
    }

    [Fact]
    public async Task FinishRun_WorkflowFailedAroundASlicedObjectWaiting_CancelsEverySlicesJob()
    {
        // The functions as the ExportSlices Map and then FinishRunAfterError reach them: the eight slices submit at once
        // and wait for their jobs when the workflow fails around the object.
        await RestartSlicedAsync();
        await SampleRun.StartAsync(_stack.Host, "invoice");
        var submitInput = JsonNode.Parse(ZuoraFunctionsStack.ExtractInput("invoice"))!.AsObject();
        submitInput.Remove("taskToken");
        var sliced = await _stack.Host.InvokeAsync("SubmitExport", submitInput.ToJsonString());
        var slices = sliced["slices"]!.AsArray();
        Assert.Equal(8, slices.Count);
        var submitted = await Task.WhenAll(slices.Select(slice =>
        {
            var input = submitInput.DeepClone().AsObject();
            input["slice"] = slice!.DeepClone();
            return _stack.Host.InvokeAsync("SubmitExport", input.ToJsonString());
        }));
        var jobIds = submitted.Select(s => (string)s["job"]!["jobs"]![0]!["jobId"]!).ToList();
        Assert.Equal(8, _stack.Zuora.RunningJobs);
        var waiting = Assert.Single((await RunOfAsync()).Objects);
        var finishInput = new JsonObject
        {
            ["connectorId"] = "default",
            ["runId"] = FunctionsTestHost.SampleRunId,
            ["error"] = new JsonObject { ["Error"] = "States.Runtime", ["Cause"] = "the Map failed" },
        };

        await _stack.Host.InvokeAsync("FinishRun", finishInput.ToJsonString());

        // While they ran, the run's record listed every slice's job; the failure cancelled each of them.
        Assert.Equal(jobIds.Select(id => $"aqua {id}").Order(StringComparer.Ordinal), waiting.Jobs!.Split(", ").Order(StringComparer.Ordinal));
        Assert.Equal((0, 8), (_stack.Zuora.RunningJobs, _stack.Zuora.JobsCancelled));
        Assert.All(jobIds, id => Assert.Contains(_stack.Zuora.Requests, r => r.Method == "DELETE" && r.Path.EndsWith(id, StringComparison.Ordinal)));
        var invoice = Assert.Single((await RunOfAsync()).Objects);
        Assert.Equal(RunStatus.Failed, invoice.Status);
    }

    /// <summary>The ZOQL of every AQuA job submitted for <paramref name="zuoraObject"/>.</summary>
    private List<string> AquaQueries(string zuoraObject) =>
        [.. _stack.Zuora.Requests
            .Where(r => r.Method == "POST" && r.Path.TrimEnd('/') == "/v1/batch-query")
            .Select(r => (string)JsonNode.Parse(r.Body)!["queries"]![0]!["query"]!)
            .Where(q => q.Contains($" from {zuoraObject} ", StringComparison.Ordinal))];

    /// <summary>The stack again, with historical reads in 8 slices over the sample tenant's two years.</summary>
    private async Task RestartSlicedAsync()
    {
        await _workflow.DisposeAsync();
        _workflow = null!;
        await StartAsync(settings => settings with { HistoricalSlices = 8, HistoricalSliceRows = 0, HistoricalSliceFrom = FunctionsTestHost.SampleTime.AddYears(-2) });
    }

    private int DataQueryPolls() => _stack.Zuora.Requests.Count(r => r.Method == "GET" && r.Path.StartsWith("/query/jobs/", StringComparison.Ordinal));

    private Task StartAsync(TimeSpan? jobTimeout) =>
        StartAsync(jobTimeout is { } timeout ? settings => settings with { ZuoraJobTimeout = timeout } : null);

    private async Task StartAsync(Func<FunctionSettings, FunctionSettings>? configure)
    {
        _stack = await ZuoraFunctionsStack.StartAsync(
            _tenant,
            _clock,
            configure,
            new FakeZuoraOptions { JobDuration = JobDuration });
        _workflow = await LocalWorkflow.StartAsync(_stack);
        _workflow.BeforeTask = async (state, payload) =>
        {
            lock (_tasks)
            {
                _tasks.Add(state);
                if (state is "CheckExport" or "CheckSlice")
                {
                    // The Wait state before this check waited what the job's last answer asked for.
                    _clock.Advance(TimeSpan.FromSeconds((int)payload["job"]!["nextCheckSeconds"]!));
                }
            }

            if (state is "CheckExport" or "CheckSlice" or "LoadSlices")
            {
                // What the status API and `status` show for the object while it waits.
                var run = await _stack.Host.Host.Status.GetRunAsync(SyncOptions.DefaultConnectorId, (string)payload["run"]!["runId"]!, None);
                var record = run!.Objects.Single(o => o.ObjectName == (string)payload["object"]!["objectName"]!);
                lock (_tasks)
                {
                    _seen.Add((state, record, _clock.GetUtcNow()));
                }
            }
        };
    }

    private async Task<RunRecord> RunOfAsync()
    {
        var runId = (await _stack.Host.Host.Status.ListRunsAsync(SyncOptions.DefaultConnectorId, 1, None)).Single().RunId;
        return await _stack.Host.Host.Status.GetRunAsync(SyncOptions.DefaultConnectorId, runId, None)
            ?? throw new InvalidOperationException($"run {runId} is not in the status table");
    }

    private static JsonObject Objects(params string[] names) => new() { ["objects"] = new JsonArray([.. names.Select(n => (JsonNode)n)]) };
}
