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
            [.. run.Objects.Select(o => new ObjectPlanMessage { ObjectName = o.ObjectName, WindowStart = o.Window.Start, WindowEnd = o.Window.End, ExpectedCursor = o.ExpectedCursor })])
        {
            CheckDestination = DestinationCheckStep.GatesRun(run),
        };
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

    public static ExportJobsMessage ToMessage(ExportJobs jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        return new ExportJobsMessage(
            jobs.ObjectName,
            jobs.Window.Start,
            jobs.Window.End,
            jobs.Columns,
            [.. jobs.Jobs.Select(j => new ExportJobMessage(j.Kind, j.JobId, j.Completed, j.Results) { Records = j.Records })],
            jobs.SubmittedAt,
            jobs.Deadline,
            jobs.Checks,
            WaitSeconds(jobs.NextCheckAfter));
    }

    public static ExportJobs ToJobs(ExportJobsMessage job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new ExportJobs(
            job.ObjectName,
            new SyncWindow(job.WindowStart, job.WindowEnd),
            job.Columns,
            [.. job.Jobs.Select(j => new ExportJob(j.Kind, j.JobId, j.Completed, j.Results, j.Records))],
            job.SubmittedAt,
            job.Deadline,
            job.Checks,
            TimeSpan.FromSeconds(job.NextCheckSeconds));
    }

    /// <summary>What SubmitExport and CheckExport answer for <paramref name="jobs"/> (null: the source reads without jobs).</summary>
    public static ExportOutput ToOutput(ExportJobs? jobs) => jobs is null
        ? new ExportOutput(false, false, 0)
        : new ExportOutput(true, jobs.Completed, WaitSeconds(jobs.NextCheckAfter)) { Job = ToMessage(jobs) };

    /// <summary>SubmitExport's answer for an object whose historical read runs as <paramref name="slices"/>.</summary>
    public static ExportOutput ToSlicedOutput(IReadOnlyList<ExportSlice> slices)
    {
        ArgumentNullException.ThrowIfNull(slices);
        return new ExportOutput(true, false, 0) { Slices = [.. slices.Select(s => new SliceMessage(s.Index, s.Count, s.Window.Start, s.Window.End))] };
    }

    public static ExportSlice ToSlice(SliceMessage slice)
    {
        ArgumentNullException.ThrowIfNull(slice);
        return new ExportSlice(slice.Index, slice.Count, new SyncWindow(slice.WindowStart, slice.WindowEnd));
    }

    /// <summary>A wait as a Wait state's whole seconds: at least 1.</summary>
    private static int WaitSeconds(TimeSpan wait) => (int)Math.Clamp(Math.Ceiling(wait.TotalSeconds), 1, int.MaxValue);
}
