using System.Text.Json.Serialization;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Core.Status;

/// <summary>
/// The read model a status view serves (the HTTP API, a Status tab): a connector with its objects, a page of its
/// runs, one run in detail. Built from the status store only; knows nothing of HTTP. Every query answers null for a
/// connector or run the store does not know.
/// </summary>
/// <param name="status">Where the connector, its objects and its runs are read.</param>
/// <param name="clock">The clock a running run's progress is reckoned on when its runner records none (the system's when null).</param>
public sealed class StatusQueries(IStatusStore status, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>The runs a page holds when the caller does not say.</summary>
    public const int DefaultRunsPerPage = 20;

    /// <summary>The most runs one page holds.</summary>
    public const int MaxRunsPerPage = 100;

    /// <summary>
    /// The connector, its objects (the selected ones in load order, each with its cursor and totals or none yet, then
    /// any no longer selected that have a state) and its last run's status; null when the connector is unknown.
    /// </summary>
    public async Task<ConnectorView?> GetConnectorAsync(string connectorId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        if (await status.GetConnectorAsync(connectorId, cancellationToken) is not { } connector)
        {
            return null;
        }

        var states = (await status.GetObjectsAsync(connectorId, cancellationToken)).ToDictionary(o => o.ObjectName, StringComparer.Ordinal);
        var selected = new HashSet<string>(connector.SelectedObjects, StringComparer.Ordinal);
        var objects = connector.SelectedObjects
            .Select(name => ObjectView.Of(name, states.GetValueOrDefault(name), selected: true))
            .Concat(states.Values.Where(s => !selected.Contains(s.ObjectName)).OrderBy(s => s.ObjectName, StringComparer.Ordinal).Select(s => ObjectView.Of(s.ObjectName, s, selected: false)))
            .ToList();
        var lastRun = connector.LastRunId is { } lastRunId ? await status.GetRunAsync(connectorId, lastRunId, cancellationToken) : null;
        return new ConnectorView
        {
            ConnectorId = connector.ConnectorId,
            Source = connector.Source,
            Status = connector.Status,
            LastGoodDataAt = connector.LastGoodDataAt,
            LastError = connector.LastError,
            LastRunId = connector.LastRunId,
            LastRunStatus = lastRun?.Status,
            CreatedAt = connector.CreatedAt,
            UpdatedAt = connector.UpdatedAt,
            Objects = objects,
        };
    }

    /// <summary>
    /// The connector (as <see cref="GetConnectorAsync"/>) with its <paramref name="runs"/> newest runs in detail (each as
    /// <see cref="GetRunAsync"/>): what a local status view shows at once; null when the connector is unknown.
    /// </summary>
    public async Task<ConnectorStatusView?> GetStatusAsync(string connectorId, int runs, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        if (await GetConnectorAsync(connectorId, cancellationToken) is not { } connector)
        {
            return null;
        }

        var recent = await status.ListRunsAsync(connectorId, runs, cancellationToken);
        return new ConnectorStatusView(connector, [.. recent.Select(run => RunView.Of(connectorId, run, _clock.GetUtcNow()))]);
    }

    /// <summary>
    /// A page of the connector's runs, newest first, each summed up; null when the connector is unknown.
    /// <paramref name="pageToken"/> is the <see cref="RunsPageView.NextToken"/> of the page before (null: the newest).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is not within 1..<see cref="MaxRunsPerPage"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="pageToken"/> is not a token given for this connector.</exception>
    public async Task<RunsPageView?> ListRunsAsync(string connectorId, int limit, string? pageToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxRunsPerPage);
        if (await status.GetConnectorAsync(connectorId, cancellationToken) is null)
        {
            return null;
        }

        var page = await status.ListRunsPageAsync(connectorId, limit, pageToken, cancellationToken);
        return new RunsPageView(connectorId, [.. page.Runs.Select(RunSummaryView.Of)], page.NextPageToken);
    }

    /// <summary>The run with every object's details and the errors it met; null when the connector or the run is unknown.</summary>
    public async Task<RunView?> GetRunAsync(string connectorId, string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        ArgumentNullException.ThrowIfNull(runId);
        if (await status.GetRunAsync(connectorId, runId, cancellationToken) is not { } run)
        {
            return null;
        }

        return RunView.Of(connectorId, run, _clock.GetUtcNow());
    }
}

/// <summary>A connector as a status view shows it.</summary>
public sealed record ConnectorView
{
    public required string ConnectorId { get; init; }

    public required string Source { get; init; }

    public required ConnectorStatus Status { get; init; }

    /// <summary>Data is complete up to here (the window end of the last run in which every selected object loaded); null until then.</summary>
    public DateTimeOffset? LastGoodDataAt { get; init; }

    public string? LastError { get; init; }

    public string? LastRunId { get; init; }

    /// <summary>The status of the run <see cref="LastRunId"/> names, or null when there is none.</summary>
    public RunStatus? LastRunStatus { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public IReadOnlyList<ObjectView> Objects { get; init; } = [];
}

/// <summary>One object of a connector: where its next incremental window starts and what has been loaded so far.</summary>
public sealed record ObjectView
{
    public required string ObjectName { get; init; }

    /// <summary>False for an object that was synced before but is no longer selected.</summary>
    public required bool Selected { get; init; }

    public bool HistoricalComplete { get; init; }

    /// <summary>The end of the last committed window; null until the historical sync committed.</summary>
    public DateTimeOffset? Cursor { get; init; }

    public DateTimeOffset? LastLoadedAt { get; init; }

    public long TotalInserted { get; init; }

    public long TotalUpdated { get; init; }

    public long TotalDeleted { get; init; }

    /// <summary>The window end of the last committed historical (full) read; null when none is recorded.</summary>
    public DateTimeOffset? LastFullSyncAt { get; init; }

    internal static ObjectView Of(string name, ObjectState? state, bool selected) => new()
    {
        ObjectName = name,
        Selected = selected,
        HistoricalComplete = state?.HistoricalComplete ?? false,
        Cursor = state?.Cursor,
        LastLoadedAt = state?.LastLoadedAt,
        TotalInserted = state?.TotalInserted ?? 0,
        TotalUpdated = state?.TotalUpdated ?? 0,
        TotalDeleted = state?.TotalDeleted ?? 0,
        LastFullSyncAt = state?.LastFullSyncAt,
    };
}

/// <summary>A page of runs, newest first; <see cref="NextToken"/> asks for the next (older) page and is null on the last.</summary>
public sealed record RunsPageView(string ConnectorId, IReadOnlyList<RunSummaryView> Runs, string? NextToken);

/// <summary>A run summed up over its objects.</summary>
public sealed record RunSummaryView
{
    public required string RunId { get; init; }

    public required RunMode Mode { get; init; }

    public required RunStatus Status { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>From start to end; null while running.</summary>
    public long? DurationMilliseconds { get; init; }

    public string? Error { get; init; }

    public int Objects { get; init; }

    /// <summary>The objects whose part failed, in the run's object order.</summary>
    public IReadOnlyList<string> FailedObjects { get; init; } = [];

    public long RowsExtracted { get; init; }

    public long RowsInserted { get; init; }

    public long RowsUpdated { get; init; }

    public long RowsDeleted { get; init; }

    public long Bytes { get; init; }

    internal static RunSummaryView Of(RunRecord run) => new()
    {
        RunId = run.RunId,
        Mode = run.Mode,
        Status = run.Status,
        StartedAt = run.StartedAt,
        EndedAt = run.EndedAt,
        DurationMilliseconds = run.EndedAt is { } ended ? (long)(ended - run.StartedAt).TotalMilliseconds : null,
        Error = run.Error,
        Objects = run.Objects.Count,
        FailedObjects = [.. run.Objects.Where(o => o.Status == RunStatus.Failed).Select(o => o.ObjectName)],
        RowsExtracted = run.Objects.Sum(o => o.RowsExtracted),
        RowsInserted = run.Objects.Sum(o => o.RowsInserted),
        RowsUpdated = run.Objects.Sum(o => o.RowsUpdated),
        RowsDeleted = run.Objects.Sum(o => o.RowsDeleted),
        Bytes = run.Objects.Sum(o => o.Bytes),
    };
}

/// <summary>One run in detail: its summary, each object's part (by object name) and every error met.</summary>
public sealed record RunView(
    string ConnectorId,
    RunSummaryView Run,
    IReadOnlyList<ObjectRunRecord> Objects,
    IReadOnlyList<RunErrorView> Errors,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ProgressView? Progress = null)
{
    internal static RunView Of(string connectorId, RunRecord run, DateTimeOffset now)
    {
        var errors = run.Objects
            .Where(o => o.Error is not null)
            .Select(o => new RunErrorView(o.ObjectName, o.Error!))
            .Prepend(run.Error is null ? null : new RunErrorView(null, run.Error))
            .OfType<RunErrorView>()
            .ToList();
        var progress = run switch
        {
            { Status: not RunStatus.Running } => null,
            { Progress: { } recorded } => ProgressView.Of(recorded),
            _ => ProgressView.FromObjects(run, now),
        };
        return new RunView(connectorId, RunSummaryView.Of(run), run.Objects, errors, progress);
    }
}

/// <summary>
/// A running run's live progress (present only while the run is RUNNING): object k of n, its phase, rows and bytes so
/// far, the rows per second, and the run's seconds left estimated from the objects done so far (null before the first
/// is done). The in-process runner records it (<see cref="Of"/>, as of <see cref="RunProgress.UpdatedAt"/>); for a run
/// whose runner records none, it is reckoned from the objects' records (<see cref="FromObjects"/>).
/// </summary>
public sealed record ProgressView(
    int ObjectIndex,
    int ObjectCount,
    string ObjectName,
    string Phase,
    long Rows,
    long Bytes,
    DateTimeOffset ObjectStartedAt,
    DateTimeOffset UpdatedAt,
    double? RowsPerSecond,
    double? SecondsLeft)
{
    /// <summary>How the phase of an object waiting for its jobs names the source (<see cref="ObjectRunRecord.WaitingText"/>), which a run's records do not name.</summary>
    public const string WaitingSourceTitle = "export";

    /// <summary>
    /// The progress of a run whose runner records none (the cloud's, whose objects run at once in a Map), reckoned from
    /// its objects' records as of <paramref name="now"/>: object k of n with k − 1 objects ended; the object shown is a
    /// running one, loading before waiting (its phase the record's waiting text) before extracting; rows and bytes are those staged so far, the rate is per
    /// second of the run, and the time left is the run's time per ended object times those not ended. Null when the run
    /// has no object records.
    /// </summary>
    internal static ProgressView? FromObjects(RunRecord run, DateTimeOffset now)
    {
        if (run.Objects.Count == 0)
        {
            return null;
        }

        var ended = run.Objects.Count(o => o.Status != RunStatus.Running);
        var running = run.Objects.Where(o => o.Status == RunStatus.Running).ToList();
        var loading = running.FirstOrDefault(o => o.ManifestKey is not null);
        var waiting = running.Select(o => (Record: o, Text: o.WaitingText(now, WaitingSourceTitle))).FirstOrDefault(w => w.Text is not null);
        var (shown, phase) = loading is not null ? (loading, "loading")
            : waiting.Text is not null ? (waiting.Record, waiting.Text)
            : running.FirstOrDefault() is { } extracting ? (extracting, "extracting")
            : (run.Objects[^1], "finishing");
        var seconds = Math.Max(0, (now - run.StartedAt).TotalSeconds);
        var rows = run.Objects.Sum(o => o.RowsExtracted);
        double? rate = seconds < 0.5 ? null : Math.Round(rows / seconds, 1);
        double? left = ended == 0 ? null : Math.Round(seconds / ended * (run.Objects.Count - ended), 1);
        return new ProgressView(
            Math.Min(ended + 1, run.Objects.Count),
            run.Objects.Count,
            shown.ObjectName,
            phase,
            rows,
            run.Objects.Sum(o => o.Bytes),
            shown.JobsSubmittedAt ?? run.StartedAt,
            now,
            rate,
            left);
    }

    internal static ProgressView Of(RunProgress p)
    {
        var objectSeconds = Math.Max(0, (p.UpdatedAt - p.ObjectStartedAt).TotalSeconds);
        var done = p.ObjectIndex - 1;
        double? left = done <= 0
            ? null
            : Math.Round(Math.Max(0, ((p.ObjectStartedAt - p.RunStartedAt).TotalSeconds / done * (p.ObjectCount - done)) - objectSeconds), 1);
        double? rate = objectSeconds < 0.5 ? null : Math.Round(p.Rows / objectSeconds, 1);
        return new ProgressView(p.ObjectIndex, p.ObjectCount, p.ObjectName, p.Phase, p.Rows, p.Bytes, p.ObjectStartedAt, p.UpdatedAt, rate, left);
    }
}

public sealed record ConnectorStatusView(ConnectorView Connector, IReadOnlyList<RunView> Runs);

/// <summary>An error a run met: the run's own (<see cref="ObjectName"/> null) or one object's.</summary>
public sealed record RunErrorView(string? ObjectName, string Error);
