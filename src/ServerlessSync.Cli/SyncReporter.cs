using System.Globalization;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Pipeline;

namespace ServerlessSync.Cli;

/// <summary>
/// Shows a run as it goes, each object as "k/n": on a terminal one line per object that updates in place while rows
/// stream (rows, rate, the run's estimated time left) and says when the object is loading; when output is redirected,
/// plain lines only (start, loading and result per object). Rates and times are the machine's (<paramref name="clock"/>).
/// </summary>
internal sealed class SyncReporter(TextWriter output, bool interactive, TimeProvider clock) : IProgress<SyncEvent>
{
    private int _lastLength;
    private int _objectsDone;
    private RunPlan? _plan;

    private int ObjectCount => _plan?.Objects.Count ?? 0;
    private long _runStarted;
    private long _objectStarted;

    /// <summary>An object run's mode as the text outputs show it: <c>historical</c>, <c>incremental</c> or <c>full resync</c>.</summary>
    public static string ModeText(ObjectRunRecord record) => record.FullResync ? "full resync" : record.Mode.ToString().ToLowerInvariant();

    public void Header(EmbeddedConnector connector)
    {
        output.WriteLine($"ServerlessSync: {connector.Source.Name} → {connector.Settings.WarehousePath} (schema {connector.Settings.DestinationSchema})");
    }

    public void Report(SyncEvent value)
    {
        switch (value)
        {
            case SyncEvent.RunStarted s:
                _plan = s.Plan;
                _runStarted = clock.GetTimestamp();
                var historical = s.Plan.Objects.Count(o => o.Window.Mode == SyncMode.Historical);
                var resyncs = s.Plan.Objects.Count(o => o.FullResync);
                output.WriteLine($"run {s.Plan.RunId}: {s.Plan.Objects.Count} objects ({historical} historical{(resyncs > 0 ? $" of which {resyncs} full re-sync" : "")}, {s.Plan.Objects.Count - historical} incremental)");
                break;
            case SyncEvent.ObjectStarted s:
                _objectStarted = clock.GetTimestamp();
                var window = s.Plan.Window.Start is null
                    ? $"{(s.Plan.FullResync ? "full re-sync" : "historical")}, up to {s.Plan.Window.End:u}"
                    : $"incremental, {s.Plan.Window.Start:u} → {s.Plan.Window.End:u}";
                if (interactive)
                {
                    Overwrite($"  {Position(s.Plan.ObjectName)} {s.Plan.ObjectName,-24} extracting ({window}){TimeLeft()}");
                }
                else
                {
                    output.WriteLine($"  {Position(s.Plan.ObjectName)} {s.Plan.ObjectName}: extracting ({window})");
                }

                break;
            case SyncEvent.Extracting e when interactive:
                Overwrite($"  {Position(e.Progress.ObjectName)} {e.Progress.ObjectName,-24} extracting {e.Progress.Rows,12:N0} rows {Bytes(e.Progress.CompressedBytes),10}{Rate(e.Progress.Rows)}{TimeLeft()}");
                break;
            case SyncEvent.Loading l:
                if (interactive)
                {
                    Overwrite($"  {Position(l.ObjectName)} {l.ObjectName,-24} loading    {l.Rows,12:N0} rows {Bytes(l.Bytes),10}{TimeLeft()}");
                }
                else
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {Position(l.ObjectName)} {l.ObjectName}: loading {l.Rows:N0} rows"));
                }

                break;
            case SyncEvent.ObjectFinished f:
                _objectsDone++;
                var r = f.Record;
                var line = r.Status == RunStatus.Succeeded
                    ? $"  {r.ObjectName,-24} {ModeText(r),-11} {r.RowsExtracted,10:N0} rows {r.Files,3} files {Bytes(r.Bytes),10}  +{r.RowsInserted:N0} ~{r.RowsUpdated:N0} -{r.RowsDeleted:N0}  extract {Seconds(r.ExtractMilliseconds)} load {Seconds(r.LoadMilliseconds)}{(r.Error is null ? "" : $"  ({r.Error})")}"
                    : $"  {r.ObjectName,-24} FAILED: {CliApp.OneLine(r.Error)}";
                if (interactive)
                {
                    Overwrite(line);
                    output.WriteLine();
                    _lastLength = 0;
                }
                else
                {
                    output.WriteLine(line);
                }

                break;
        }
    }

    public void Summary(RunRecord run, ConnectorState? state)
    {
        var duration = run.EndedAt is { } end ? Seconds((long)(end - run.StartedAt).TotalMilliseconds) : "?";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"run {run.RunId} {WireText.Of(run.Status)} ({WireText.Of(run.Mode).ToLowerInvariant()}) in {duration}: {run.Objects.Sum(o => o.RowsExtracted):N0} rows extracted, {run.Objects.Sum(o => o.RowsInserted):N0} inserted, {run.Objects.Sum(o => o.RowsUpdated):N0} updated, {run.Objects.Sum(o => o.RowsDeleted):N0} deleted"));
        if (state is not null)
        {
            output.WriteLine($"connector {state.ConnectorId}: {WireText.Of(state.Status)}{(state.LastGoodDataAt is { } good ? $", data good as of {good:u}" : "")}");
        }
    }

    // An object's k/n is its place in the run's plan: with objects overlapping, the object loading is not the one extracting.
    private string Position(string objectName) =>
        string.Create(CultureInfo.InvariantCulture, $"{_plan?.PositionOf(objectName)}/{ObjectCount}");

    private string Rate(long rows)
    {
        var seconds = clock.GetElapsedTime(_objectStarted).TotalSeconds;
        return seconds < 0.5 ? "" : string.Create(CultureInfo.InvariantCulture, $"  {rows / seconds,9:N0} rows/s");
    }

    // The run's time left, from the objects finished so far (their mean time); unknown before the first.
    private string TimeLeft()
    {
        if (_objectsDone == 0)
        {
            return "";
        }

        var perObject = clock.GetElapsedTime(_runStarted).TotalSeconds / _objectsDone;
        var left = Math.Max(0, (ObjectCount - _objectsDone) * perObject - clock.GetElapsedTime(_objectStarted).TotalSeconds);
        return string.Create(CultureInfo.InvariantCulture, $"  about {left:F0}s left");
    }

    private void Overwrite(string text)
    {
        var padding = _lastLength > text.Length ? new string(' ', _lastLength - text.Length) : "";
        output.Write($"\r{text}{padding}");
        _lastLength = text.Length;
    }

    internal static string Bytes(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F1} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):F1} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):F2} GiB"),
    };

    internal static string Seconds(long milliseconds) => string.Create(CultureInfo.InvariantCulture, $"{milliseconds / 1000.0:F1}s");
}
