using ServerlessSync.Core.Model;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Cli.Serve;

/// <summary>
/// Starts runs of the home's connector for <c>serve</c>: the embedded pipeline in the background, one at a time. A start
/// takes the home's sync lock (the one <c>sync</c> takes) before it answers, so a start while this server's run or a
/// <c>sync</c> in another process runs is a conflict (409); the lock is held until the run has ended. The run records
/// its live progress in the status file, closes a run an ended process left RUNNING first, and after a committed run
/// removes what earlier runs left staged — as <c>sync</c> does.
/// </summary>
internal sealed class EmbeddedRunStarter(EmbeddedSettings settings, TimeProvider systemClock, TextWriter log, CancellationToken stopping) : IRunStarter
{
    private readonly Lock _gate = new();
    private Task _current = Task.CompletedTask;
    private string? _runningRunId;

    /// <summary>The run started last (completed when it has ended, whatever its outcome); a completed task before the first.</summary>
    public Task Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    public Task<RunStartResult> StartAsync(RunStartRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var connectorId = settings.Sync.ConnectorId;
        if (request.ConnectorId != connectorId)
        {
            throw new RunStartRefusedException($"this server syncs connector '{connectorId}' only; to sync '{request.ConnectorId}', run serve --connector {request.ConnectorId}");
        }

        lock (_gate)
        {
            if (_runningRunId is { } running)
            {
                return Task.FromResult<RunStartResult>(RunStartConflict.Running(connectorId, running));
            }

            FileStream syncLock;
            try
            {
                Directory.CreateDirectory(settings.HomePath);
                syncLock = EmbeddedConnector.AcquireSyncLock(settings);
            }
            catch (SyncRunningException)
            {
                return Task.FromResult<RunStartResult>(new RunStartConflict($"a sync of connector '{connectorId}' is running with --home {settings.HomePath}; start another run when it has finished"));
            }
            catch (Exception e) when (e is UsageException or IOException or UnauthorizedAccessException)
            {
                throw new RunStartRefusedException($"the run did not start: {CliApp.OneLine(e.Message)}", e);
            }

            EmbeddedConnector embedded;
            try
            {
                var runSettings = settings with { Sync = settings.Sync with { RunId = request.RunId, Objects = request.Objects ?? settings.Sync.Objects } };
                embedded = EmbeddedConnector.Open(runSettings, systemClock, log);
            }
            catch (Exception e)
            {
                syncLock.Dispose();
                throw new RunStartRefusedException($"the run did not start: {CliApp.OneLine(e.Message)}", e);
            }

            _runningRunId = request.RunId;
            _current = Task.Run(() => RunAsync(embedded, syncLock, request.RunId), CancellationToken.None);
            return Task.FromResult<RunStartResult>(new RunStarted(request.RunId, $"embedded:{settings.HomePath}#{request.RunId}"));
        }
    }

    private async Task RunAsync(EmbeddedConnector embedded, FileStream syncLock, string runId)
    {
        var connectorId = embedded.Settings.Sync.ConnectorId;
        try
        {
            await using (embedded)
            {
                if (await embedded.CloseAbandonedRunAsync(stopping) is { } abandoned)
                {
                    await log.WriteLineAsync($"warning: run {abandoned.RunId} was left running by a process that ended; marked FAILED");
                }

                var progress = new ProgressRecorder(embedded.Status, systemClock);
                var run = await embedded.Pipeline.CreateRunner(keepStagedFiles: false).RunAsync(embedded.Settings.Sync, progress, stopping);
                await progress.FlushAsync();
                SavedSettings.Of(embedded.Settings).Save(embedded.Settings.HomePath, connectorId);
                if (run.Status == RunStatus.Succeeded)
                {
                    // With the home's lock held no other run is active: whatever earlier runs left staged is of no use now.
                    embedded.Staging.RemoveRunsOtherThan(connectorId, run.RunId);
                }

                await log.WriteLineAsync($"run {run.RunId} {WireText.Of(run.Status)}{(run.Error is null ? "" : $": {CliApp.OneLine(run.Error)}")}");
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            embedded.Staging.RemoveRun(connectorId, runId);
            await log.WriteLineAsync($"interrupted: run {runId} was stopped and marked FAILED (interrupted), its staged files removed");
        }
        catch (Exception e)
        {
            await log.WriteLineAsync($"run {runId} failed: {CliApp.OneLine(e.Message)}");
        }
        finally
        {
            await syncLock.DisposeAsync();
            lock (_gate)
            {
                _runningRunId = null;
            }
        }
    }
}
