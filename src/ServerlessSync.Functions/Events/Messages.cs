using ServerlessSync.Core.Model;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Functions.Events;

/// <summary>Between the core's records and the workflow's messages.</summary>
public static class Messages
{
    public static RunMessage ToMessage(RunPlan run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new RunMessage(
            run.ConnectorId,
            run.RunId,
            run.StartedAt,
            [.. run.Objects.Select(o => new ObjectPlanMessage { ObjectName = o.ObjectName, WindowStart = o.Window.Start, WindowEnd = o.Window.End, ExpectedCursor = o.ExpectedCursor })]);
    }

    /// <summary>The run as a step that handles one object sees it: the run with that object's plan only.</summary>
    public static (RunPlan Run, ObjectPlan Object) ToPlan(RunReference run, ObjectPlanMessage plan)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(plan);
        var objectPlan = new ObjectPlan(plan.ObjectName, new SyncWindow(plan.WindowStart, plan.WindowEnd), plan.ExpectedCursor);
        return (new RunPlan(run.ConnectorId, run.RunId, run.StartedAt, [objectPlan]), objectPlan);
    }

    public static LoadReport ToReport(LoadReportMessage load)
    {
        ArgumentNullException.ThrowIfNull(load);
        return new LoadReport(
            load.ManifestKey,
            load.ObjectName,
            new LoadOutcome(load.Inserted, load.Updated, load.Deleted, load.Unchanged, load.AlreadyLoaded),
            load.LoadMilliseconds);
    }
}
