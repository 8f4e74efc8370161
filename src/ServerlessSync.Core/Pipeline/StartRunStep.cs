using System.Globalization;
using System.Security.Cryptography;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Core.Pipeline;

/// <summary>
/// Step 1: records the run and plans each selected object: historical when it has no cursor yet,
/// otherwise the half-open window <c>[cursor − lookback, now)</c>.
/// With a <paramref name="guard"/>, the run first takes its connector's lock, so that two runs never overlap: a
/// start while another run holds it throws <see cref="RunInProgressException"/> and records nothing. A lock taken
/// over from a run whose lease ended, or from the dead run <see cref="SyncOptions.TakeOverFrom"/> names, closes that
/// run as abandoned first.
/// </summary>
public sealed class StartRunStep(IStatusStore status, ISource source, TimeProvider time, RunGuard? guard = null)
{
    public async Task<RunPlan> StartAsync(SyncOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var now = time.GetUtcNow();
        var runId = options.RunId ?? NewRunId(now);

        // What the request itself gets wrong fails before the lock is taken: nothing is held or recorded then.
        var resync = FullResyncSchedule.ForSource(options.FullResyncEvery, source);
        var (connector, selected) = await ReadConnectorAsync(options, cancellationToken);
        if (guard is not null)
        {
            var held = await guard.Lock.TryAcquireAsync(options.ConnectorId, runId, now, guard.Lease, cancellationToken);
            if (!held.Acquired && options.TakeOverFrom is { } dead && held.HolderRunId == dead)
            {
                // The dead run's workflow ended without releasing: release it as its holder, then take the lock.
                await guard.Lock.ReleaseAsync(options.ConnectorId, dead, cancellationToken);
                held = await guard.Lock.TryAcquireAsync(options.ConnectorId, runId, now, guard.Lease, cancellationToken);
                held = held with { TakenOverRunId = held.Acquired ? dead : null };
            }

            if (!held.Acquired)
            {
                throw new RunInProgressException(options.ConnectorId, held.HolderRunId, held.ExpiresAt);
            }

            if (held.TakenOverRunId is not null)
            {
                await new FinishRunStep(status, time).CloseAbandonedAsync(options.ConnectorId, cancellationToken);
            }

            // Read again under the lock: the run that held it may have finished (or been closed) since the first read,
            // and this run writes the connector back.
            (connector, selected) = await ReadConnectorAsync(options, cancellationToken);
        }

        var states = (await status.GetObjectsAsync(options.ConnectorId, cancellationToken))
            .ToDictionary(o => o.ObjectName, StringComparer.Ordinal);

        var plans = selected.Select(name => Plan(name, states.GetValueOrDefault(name), resync, now, options.Lookback)).ToList();

        var anyHistorical = plans.Any(p => p.Window.Mode == SyncMode.Historical);

        // Only a first historical sync makes the connector IN_PROGRESS: a full re-sync leaves an ACTIVE one ACTIVE.
        var anyFirstHistorical = plans.Any(p => p.Window.Mode == SyncMode.Historical && !p.FullResync);
        var allHistorical = plans.All(p => p.Window.Mode == SyncMode.Historical);

        var state = connector is null
            ? new ConnectorState
            {
                ConnectorId = options.ConnectorId,
                Source = source.Name,
                Status = ConnectorStatus.InProgress,
                SelectedObjects = selected,
                CreatedAt = now,
                UpdatedAt = now,
                LastRunId = runId,
            }
            : connector with
            {
                Source = source.Name,
                SelectedObjects = selected,
                Status = anyFirstHistorical && connector.Status != ConnectorStatus.Failed ? ConnectorStatus.InProgress : connector.Status,
                UpdatedAt = now,
                LastRunId = runId,
            };
        await status.PutConnectorAsync(state, cancellationToken);
        await status.PutRunAsync(
            new RunRecord
            {
                RunId = runId,
                ConnectorId = options.ConnectorId,
                Mode = allHistorical ? RunMode.Historical : anyHistorical ? RunMode.Mixed : RunMode.Incremental,
                Status = RunStatus.Running,
                StartedAt = now,
            },
            cancellationToken);
        foreach (var plan in plans)
        {
            await status.PutObjectRunAsync(options.ConnectorId, ObjectRuns.Pending(runId, plan), cancellationToken);
        }

        return new RunPlan(options.ConnectorId, runId, now, plans);
    }

    /// <summary>
    /// Historical without a cursor; historical again when the object's full re-sync is due (its interval has passed
    /// since <see cref="ObjectState.LastFullSyncAt"/>, or none is recorded); otherwise the incremental window.
    /// </summary>
    private static ObjectPlan Plan(string name, ObjectState? state, FullResyncSchedule resync, DateTimeOffset now, TimeSpan lookback)
    {
        var cursor = state?.Cursor;
        var due = cursor is not null && resync.IntervalOf(name) is { } every && (state!.LastFullSyncAt is not { } last || now - last >= every);
        return new ObjectPlan(name, due ? SyncWindow.Historical(now) : SyncWindow.For(cursor, now, lookback), cursor);
    }

    /// <summary>The connector as stored (null before its first run) and the objects this run syncs; refuses another source.</summary>
    private async Task<(ConnectorState? Connector, List<string> Selected)> ReadConnectorAsync(SyncOptions options, CancellationToken cancellationToken)
    {
        var connector = await status.GetConnectorAsync(options.ConnectorId, cancellationToken);
        ConnectorSourceMismatchException.ThrowIfAnother(connector, source);

        return (connector, SelectObjects(options.Objects ?? connector?.SelectedObjects ?? source.Objects));
    }

    private List<string> SelectObjects(IReadOnlyList<string> requested)
    {
        UnknownObjectException.ThrowIfUnknown(source.Name, requested, source.Objects);

        if (requested.Count == 0)
        {
            throw new ArgumentException("no objects selected");
        }

        // Keep the source's dependency order (parents first), whatever order the user typed.
        var wanted = new HashSet<string>(requested, StringComparer.Ordinal);
        return [.. source.Objects.Where(wanted.Contains)];
    }

    /// <summary>A new run id: the start time to the second, then six random hex digits (sorts by start).</summary>
    public static string NewRunId(DateTimeOffset now) =>
        string.Create(CultureInfo.InvariantCulture, $"{now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}");
}

/// <summary>The connector lock a run holds from start to finish, and how long one run may hold it at most.</summary>
public sealed record RunGuard(IRunLock Lock, TimeSpan Lease);

/// <summary>Builds the object-run records the steps write, so every step fills them the same way.</summary>
public static class ObjectRuns
{
    public static ObjectRunRecord Pending(string runId, ObjectPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new ObjectRunRecord
        {
            RunId = runId,
            ObjectName = plan.ObjectName,
            Mode = plan.Window.Mode,
            WindowStart = plan.Window.Start,
            WindowEnd = plan.Window.End,
            Status = RunStatus.Running,
            FullResync = plan.FullResync,
        };
    }

    /// <summary>The object waiting for its source's jobs since <paramref name="since"/> (<paramref name="jobs"/>: the latest jobs' kinds and ids); sliced: <paramref name="slicesDone"/> of <paramref name="slicesTotal"/> staged.</summary>
    public static ObjectRunRecord Waiting(string runId, ObjectPlan plan, DateTimeOffset since, ExportJobs? jobs, int slicesDone, int slicesTotal) =>
        Pending(runId, plan) with
        {
            JobsSubmittedAt = since,
            Jobs = jobs is null ? null : JobsText(jobs),
            SlicesDone = slicesDone,
            SlicesTotal = slicesTotal,
        };

    /// <summary>The kinds and ids of <paramref name="jobs"/> as <see cref="ObjectRunRecord.Jobs"/> lists them ("aqua 8a1f…, deletes 2c3…").</summary>
    public static string JobsText(ExportJobs jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        return string.Join(", ", jobs.Jobs.Select(j => $"{j.Kind} {j.JobId}"));
    }

    /// <summary>
    /// <paramref name="listed"/> (an <see cref="ObjectRunRecord.Jobs"/> text) with the jobs of <paramref name="jobs"/> added
    /// (<paramref name="running"/>, each once) or taken away; null when none is left.
    /// </summary>
    public static string? WithSliceJobs(string? listed, string jobs, bool running)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var current = (listed ?? "").Split(", ", StringSplitOptions.RemoveEmptyEntries).ToList();
        var slice = jobs.Split(", ", StringSplitOptions.RemoveEmptyEntries);
        var next = running ? current.Concat(slice.Where(j => !current.Contains(j, StringComparer.Ordinal))) : current.Where(j => !slice.Contains(j, StringComparer.Ordinal));
        var text = string.Join(", ", next);
        return text.Length == 0 ? null : text;
    }

    public static ObjectRunRecord Extracted(string runId, ObjectPlan plan, ExtractResult extract)
    {
        ArgumentNullException.ThrowIfNull(extract);
        return Pending(runId, plan) with
        {
            RowsExtracted = extract.Rows,
            Files = extract.Files,
            Bytes = extract.Bytes,
            ExtractMilliseconds = extract.ExtractMilliseconds,
            ManifestKey = extract.ManifestKey,
        };
    }
}
