using ServerlessSync.Core.Model;

namespace ServerlessSync.Cli;

/// <summary>What <c>status</c> shows: the connector, its objects and its recent runs.</summary>
internal sealed record StatusView(ConnectorState Connector, IReadOnlyList<ObjectState> Objects, IReadOnlyList<RunRecord> Runs);

/// <summary>Prints the connector the way a Status tab shows it.</summary>
internal static class StatusPrinter
{
    /// <summary>How many of the newest runs <c>status</c> shows.</summary>
    public const int RecentRuns = 10;

    public static void Print(TextWriter output, StatusView view, DateTimeOffset now)
    {
        var c = view.Connector;
        output.WriteLine($"Connector {c.ConnectorId} ({c.Source})");
        output.WriteLine($"  Status:          {WireText.Of(c.Status)}");
        output.WriteLine($"  Data good as of: {(c.LastGoodDataAt is { } good ? $"{good:u} ({Ago(now - good)})" : "not yet: the historical sync has not completed")}");
        if (c.LastError is not null)
        {
            output.WriteLine($"  Last error:      {CliApp.OneLine(c.LastError)}");
        }

        output.WriteLine();
        output.WriteLine($"  {"OBJECT",-24} {"CURSOR",-22} {"INSERTED",12} {"UPDATED",10} {"DELETED",9}");
        var byName = view.Objects.ToDictionary(o => o.ObjectName, StringComparer.Ordinal);
        foreach (var name in c.SelectedObjects)
        {
            if (byName.TryGetValue(name, out var o))
            {
                output.WriteLine($"  {name,-24} {(o.Cursor is { } cursor ? cursor.ToString("u") : "historical pending"),-22} {o.TotalInserted,12:N0} {o.TotalUpdated,10:N0} {o.TotalDeleted,9:N0}");
            }
            else
            {
                output.WriteLine($"  {name,-24} {"historical pending",-22}");
            }
        }

        if (view.Runs.Count > 0)
        {
            var last = view.Runs[0];
            var sourceTitle = c.Source.Length == 0 ? "source" : char.ToUpperInvariant(c.Source[0]) + c.Source[1..];
            output.WriteLine();
            output.WriteLine($"  Last run {last.RunId}: {WireText.Of(last.Status)}, {WireText.Of(last.Mode).ToLowerInvariant()}, {last.StartedAt:u} → {(last.EndedAt is { } ended ? ended.ToString("u") : "running")}");
            output.WriteLine($"  {"OBJECT",-24} {"MODE",-11} {"EXTRACTED",10} {"INSERTED",9} {"UPDATED",8} {"DELETED",8} {"FILES",5} {"BYTES",10} {"EXTRACT",8} {"LOAD",7}  STATUS");
            foreach (var o in last.Objects)
            {
                output.WriteLine($"  {o.ObjectName,-24} {SyncReporter.ModeText(o),-11} {o.RowsExtracted,10:N0} {o.RowsInserted,9:N0} {o.RowsUpdated,8:N0} {o.RowsDeleted,8:N0} {o.Files,5} {SyncReporter.Bytes(o.Bytes),10} {SyncReporter.Seconds(o.ExtractMilliseconds),8} {SyncReporter.Seconds(o.LoadMilliseconds),7}  {WireText.Of(o.Status)}{(o.WaitingText(now, sourceTitle) is { } waiting ? $": {waiting}" : "")}{(o.Error is null ? "" : $": {CliApp.OneLine(o.Error)}")}");
            }
        }

        output.WriteLine();
        output.WriteLine($"  Recent runs (newest first):");
        foreach (var run in view.Runs)
        {
            var duration = run.EndedAt is { } end ? SyncReporter.Seconds((long)(end - run.StartedAt).TotalMilliseconds) : "running";
            output.WriteLine($"  {run.RunId}  {WireText.Of(run.Status),-9} {WireText.Of(run.Mode),-11} started {run.StartedAt:u}  {duration,8}  {run.Objects.Sum(o => o.RowsExtracted),10:N0} rows  +{run.Objects.Sum(o => o.RowsInserted):N0} ~{run.Objects.Sum(o => o.RowsUpdated):N0} -{run.Objects.Sum(o => o.RowsDeleted):N0}");
            foreach (var failed in run.Objects.Where(o => o.Status != RunStatus.Succeeded))
            {
                output.WriteLine($"      {failed.ObjectName}: {WireText.Of(failed.Status)}: {CliApp.OneLine(failed.Error)}");
            }
        }
    }

    private static string Ago(TimeSpan span) => span switch
    {
        { TotalMinutes: < 1 } => "just now",
        { TotalHours: < 1 } => $"{(int)span.TotalMinutes} min ago",
        { TotalDays: < 1 } => $"{(int)span.TotalHours} h ago",
        _ => $"{(int)span.TotalDays} days ago",
    };
}
