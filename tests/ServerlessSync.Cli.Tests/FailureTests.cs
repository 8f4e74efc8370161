using ServerlessSync.Core.Model;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Staging;
using ServerlessSync.Testing.Pipeline;

namespace ServerlessSync.Cli.Tests;

/// <summary>Loads that fail keep their staged files and cursors; the next sync converges.</summary>
public class FailureTests
{
    [Fact]
    public async Task Sync_LoadFailsMidway_KeepsStagedFilesAndCursor_NextSyncConverges()
    {
        using var cli = new CliHarness();
        var settings = new EmbeddedSettings { Home = cli.Home, Scale = 3000, PartSizeBytes = 4 * 1024 };
        string failedManifest;
        await using (var embedded = EmbeddedConnector.Open(settings, cli.Clock))
        {
            var corrupting = new CorruptSecondPart(embedded.Staging, "invoiceitem");
            var runner = (embedded.Pipeline with { Staging = new ManifestCommitTap(embedded.Staging, corrupting.OnManifestCommittedAsync) }).CreateRunner();

            var run = await runner.RunAsync(settings.Sync, null, CancellationToken.None);

            Assert.Equal(Core.Model.RunStatus.Failed, run.Status);
            var failed = Assert.Single(run.Objects, o => o.Status != Core.Model.RunStatus.Succeeded);
            Assert.Equal("invoiceitem", failed.ObjectName);
            Assert.True(failed.Error!.Contains("part-00001.csv.zst", StringComparison.Ordinal), failed.Error);
            Assert.True(corrupting.Corrupted);
            failedManifest = failed.ManifestKey!;
            var invoiceItem = (await embedded.Status.GetObjectsAsync("default", CancellationToken.None)).SingleOrDefault(o => o.ObjectName == "invoiceitem");
            Assert.Null(invoiceItem?.Cursor);
        }

        // The failed load left the warehouse untouched (its first part was not half-merged) and kept its files.
        Assert.Equal(0, cli.Scalar("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'zuora' AND table_name = 'invoiceitem'"));
        Assert.Contains(cli.StagedFiles(), f => f.EndsWith(Path.GetFileName(failedManifest), StringComparison.Ordinal));
        Assert.True(cli.StagedFiles().Count(f => f.Contains("invoiceitem", StringComparison.Ordinal) && f.EndsWith(".csv.zst", StringComparison.Ordinal)) >= 2);
        var status = await SyncEndToEndTests.StatusAsync(cli);
        Assert.Equal("FAILED", status.GetProperty("connector").GetProperty("status").GetString());
        Assert.Contains("invoiceitem", status.GetProperty("connector").GetProperty("lastError").GetString(), StringComparison.Ordinal);

        var retry = await cli.RunAsync("sync");

        Assert.True(retry.ExitCode == 0, retry.ToString());
        Assert.Equal("ACTIVE", (await SyncEndToEndTests.StatusAsync(cli)).GetProperty("connector").GetProperty("status").GetString());
        var verify = await cli.RunAsync("verify");
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }

    [Fact]
    public async Task Sync_DestinationColumnTypeConflicts_FailsNamingTableColumnTypesAndKeepsCursor()
    {
        using var cli = new CliHarness();
        Assert.Equal(0, (await cli.RunAsync("sync", "--scale", "2000", "--objects", "account")).ExitCode);
        var cursorBefore = (await SyncEndToEndTests.StatusAsync(cli)).GetProperty("connector").GetProperty("objects")[0].GetProperty("cursor").GetString();
        cli.Execute("ALTER TABLE zuora.account ALTER COLUMN balance TYPE VARCHAR");
        Assert.Equal(0, (await cli.RunAsync("tenant", "advance")).ExitCode);

        var result = await cli.RunAsync("sync");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("zuora.account", line, StringComparison.Ordinal);
        Assert.Contains("balance", line, StringComparison.Ordinal);
        Assert.Contains("varchar", line, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("decimal(18,2)", line, StringComparison.OrdinalIgnoreCase);
        var status = await SyncEndToEndTests.StatusAsync(cli);
        Assert.Equal(cursorBefore, status.GetProperty("connector").GetProperty("objects")[0].GetProperty("cursor").GetString());
        Assert.Contains(cli.StagedFiles(), f => f.EndsWith("account.manifest.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Load_SameManifestTwice_SecondIsReplayAndChangesNothing()
    {
        using var cli = new CliHarness();
        var manifestKey = await SyncAccountsKeepingStagedFilesAsync(cli);
        var rows = cli.Scalar("SELECT count(*) FROM zuora.account");
        var synced = cli.Scalar("SELECT epoch_us(max(_synced_at)) FROM zuora.account");

        cli.Clock.Advance(TimeSpan.FromMinutes(5));
        await using (var embedded = EmbeddedConnector.Open(new EmbeddedSettings { Home = cli.Home }, cli.Clock))
        {
            // Straight to the warehouse, past the load claims: its own ledger makes the second load a no-op.
            var manifest = await StagedManifests.ReadAsync(embedded.Staging, manifestKey, CancellationToken.None);
            var parts = manifest.Parts.Select(p => embedded.Staging.LocationOf(p.Key)).ToList();

            var submission = await embedded.Warehouse.SubmitLoadAsync(manifest, parts, cli.Clock.GetUtcNow(), "replay", CancellationToken.None);

            Assert.Null(submission.StatementId);
            Assert.True(submission.Completion!.Outcome.AlreadyLoaded);
        }

        Assert.Equal(rows, cli.Scalar("SELECT count(*) FROM zuora.account"));
        Assert.Equal(synced, cli.Scalar("SELECT epoch_us(max(_synced_at)) FROM zuora.account"));
    }

    [Fact]
    public async Task ManifestNotification_Replayed_FindsTheClaimAndReportsTheFirstOutcome_WithoutLoading()
    {
        using var cli = new CliHarness();
        var manifestKey = await SyncAccountsKeepingStagedFilesAsync(cli);
        var rows = cli.Scalar("SELECT count(*) FROM zuora.account");

        cli.Clock.Advance(TimeSpan.FromMinutes(5));
        await using var embedded = EmbeddedConnector.Open(new EmbeddedSettings { Home = cli.Home }, cli.Clock);
        var load = embedded.Pipeline.CreateLoadStep();

        var replay = await load.OnManifestCreatedAsync(manifestKey, CancellationToken.None);

        Assert.Equal(LoadStartResult.AlreadyLoaded, replay.Result);
        var report = replay.Report!;
        Assert.True(report.Outcome.AlreadyLoaded);
        Assert.Equal(rows, report.Outcome.Inserted);
        Assert.Equal(0, report.LoadMilliseconds);
        Assert.Equal(rows, cli.Scalar("SELECT count(*) FROM zuora.account"));
    }

    /// <summary>Syncs the account object, keeps its staged files and returns its manifest key.</summary>
    private static async Task<string> SyncAccountsKeepingStagedFilesAsync(CliHarness cli)
    {
        Assert.Equal(0, (await cli.RunAsync("sync", "--scale", "1000", "--objects", "account", "--keep-staged")).ExitCode);
        return Path.GetRelativePath(cli.StagingPath, cli.StagedFiles().Single(f => f.EndsWith(StagingKeys.ManifestSuffix, StringComparison.Ordinal))).Replace('\\', '/');
    }

    /// <summary>Flips bytes inside the second part of one object's manifest before the real load reads it:
    /// same size (so the part check passes), broken gzip, so the load fails midway through its parts.</summary>
    private sealed class CorruptSecondPart(IStagingStore store, string objectName)
    {
        public bool Corrupted { get; private set; }

        public async Task OnManifestCommittedAsync(string manifestKey, CancellationToken cancellationToken)
        {
            if (manifestKey.Contains($"/{objectName}/", StringComparison.Ordinal))
            {
                var manifest = await StagedManifests.ReadAsync(store, manifestKey, cancellationToken);
                Assert.True(manifest.Parts.Count >= 2, $"{objectName} needs two parts, has {manifest.Parts.Count}");
                var path = store.LocationOf(manifest.Parts[1].Key);
                var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
                for (var i = bytes.Length / 3; i < bytes.Length / 3 + 64; i++)
                {
                    bytes[i] ^= 0x5A;
                }

                await File.WriteAllBytesAsync(path, bytes, cancellationToken);
                Corrupted = true;
            }
        }
    }
}

public class AbandonedRunTests
{
    [Fact]
    public async Task Sync_PreviousRunLeftRunning_ClosesItAsFailedThenSyncs()
    {
        using var cli = new CliHarness();
        var settings = new EmbeddedSettings { Home = cli.Home, Scale = 500 };
        string abandonedRunId;
        await using (var embedded = EmbeddedConnector.Open(settings, cli.Clock))
        {
            // A process that started a run and died: the run record says RUNNING, nothing was extracted.
            var plan = await new StartRunStep(embedded.Status, embedded.Source, embedded.Clock)
                .StartAsync(new SyncOptions { Objects = ["account"] }, CancellationToken.None);
            abandonedRunId = plan.RunId;
        }

        cli.Clock.Advance(TimeSpan.FromMinutes(1));
        var result = await cli.RunAsync("sync");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(abandonedRunId, result.Error, StringComparison.Ordinal);
        var runs = (await SyncEndToEndTests.StatusAsync(cli)).GetProperty("runs").EnumerateArray().ToList();
        var abandoned = runs.Single(r => r.GetProperty("run").GetProperty("runId").GetString() == abandonedRunId);
        Assert.Equal("FAILED", abandoned.GetProperty("run").GetProperty("status").GetString());
        Assert.Contains("abandoned", abandoned.GetProperty("objects")[0].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("SUCCEEDED", runs[0].GetProperty("run").GetProperty("status").GetString());
        Assert.Equal("ACTIVE", (await SyncEndToEndTests.StatusAsync(cli)).GetProperty("connector").GetProperty("status").GetString());
    }
}

/// <summary>A full disk while a run records an object and then while it closes: the first failure is what the caller hears.</summary>
public class DiskFullTests
{
    [Fact]
    public async Task Sync_DiskFillsWhileRecordingThenClosing_TheFirstFailureLeads_NextSyncClosesTheRunAndConverges()
    {
        using var cli = new CliHarness();
        var settings = new EmbeddedSettings { Home = cli.Home, Scale = 2000 };
        await using (var embedded = EmbeddedConnector.Open(settings, cli.Clock))
        {
            var full = new FillsUpWhenRecording(embedded.Status, "invoice");
            var runner = (embedded.Pipeline with { Status = full }).CreateRunner();

            var e = await Assert.ThrowsAsync<RunNotClosedException>(() => runner.RunAsync(settings.Sync, null, CancellationToken.None));

            Assert.StartsWith("invoice: No space left on device (recording invoice)", e.Message, StringComparison.Ordinal);
            Assert.Contains("could not be closed either", e.Message, StringComparison.Ordinal);
            Assert.True(HomeErrors.IsDiskFull(e));
            Assert.Contains("the disk is full", HomeErrors.Explain(e, cli.Home)!.Value.Message, StringComparison.Ordinal);
        }

        var next = await cli.RunAsync("sync");

        Assert.True(next.ExitCode == 0, next.ToString());
        Assert.Contains("was left running by a process that ended", next.Error, StringComparison.Ordinal);
        Assert.Empty(cli.StagedFiles());
        Assert.Equal(0, (await cli.RunAsync("verify")).ExitCode);
    }

    /// <summary>The status store of a disk that fills up when the run records <c>objectName</c>: every later write fails.</summary>
    private sealed class FillsUpWhenRecording(IStatusStore inner, string objectName) : IStatusStore
    {
        private bool _full;

        public Task<ConnectorState?> GetConnectorAsync(string connectorId, CancellationToken cancellationToken) => inner.GetConnectorAsync(connectorId, cancellationToken);

        public Task PutConnectorAsync(ConnectorState state, CancellationToken cancellationToken) => Write(() => inner.PutConnectorAsync(state, cancellationToken));

        public Task<IReadOnlyList<ObjectState>> GetObjectsAsync(string connectorId, CancellationToken cancellationToken) => inner.GetObjectsAsync(connectorId, cancellationToken);

        public Task<bool> TryAdvanceCursorAsync(string connectorId, string name, DateTimeOffset? expectedCursor, DateTimeOffset newCursor, LoadOutcome outcome, DateTimeOffset loadedAt, bool fullSync, CancellationToken cancellationToken)
        {
            if (name == objectName)
            {
                _full = true;
                throw new IOException($"No space left on device (recording {name})", 28);
            }

            return _full ? Task.FromException<bool>(new IOException("No space left on device", 28)) : inner.TryAdvanceCursorAsync(connectorId, name, expectedCursor, newCursor, outcome, loadedAt, fullSync, cancellationToken);
        }

        public Task PutRunAsync(RunRecord run, CancellationToken cancellationToken) => Write(() => inner.PutRunAsync(run, cancellationToken));

        public Task PutObjectRunAsync(string connectorId, ObjectRunRecord record, CancellationToken cancellationToken) => Write(() => inner.PutObjectRunAsync(connectorId, record, cancellationToken));

        public Task PutSliceJobsAsync(string connectorId, string runId, string name, string jobs, bool running, int? slicesDone, CancellationToken cancellationToken) =>
            Write(() => inner.PutSliceJobsAsync(connectorId, runId, name, jobs, running, slicesDone, cancellationToken));

        public Task PutRunProgressAsync(string connectorId, string runId, RunProgress progress, CancellationToken cancellationToken) => Write(() => inner.PutRunProgressAsync(connectorId, runId, progress, cancellationToken));

        public Task<RunRecord?> GetRunAsync(string connectorId, string runId, CancellationToken cancellationToken) => inner.GetRunAsync(connectorId, runId, cancellationToken);

        public Task<IReadOnlyList<RunRecord>> ListRunsAsync(string connectorId, int limit, CancellationToken cancellationToken) => inner.ListRunsAsync(connectorId, limit, cancellationToken);

        public Task<RunPage> ListRunsPageAsync(string connectorId, int limit, string? pageToken, CancellationToken cancellationToken) => inner.ListRunsPageAsync(connectorId, limit, pageToken, cancellationToken);

        private Task Write(Func<Task> write) => _full ? Task.FromException(new IOException("No space left on device", 28)) : write();
    }
}
