using ServerlessSync.Functions.Events;
using ServerlessSync.Functions.Hosting;

namespace ServerlessSync.Functions;

/// <summary>
/// CheckExport: <c>{"run","object","job"}</c> → <c>{"submitted","completed","waitSeconds","job"}</c>. Asks the source once
/// about the object's jobs. A job the source reports failed throws its error (the others cancelled); jobs still running
/// at their deadline are cancelled and throw <c>ExportJobTimeoutException</c>. Nothing here waits.
/// </summary>
public sealed class CheckExportFunction : LambdaFunction
{
    public const string Name = "CheckExport";

    public CheckExportFunction()
        : base(null)
    {
    }

    internal CheckExportFunction(FunctionHost host)
        : base(host ?? throw new ArgumentNullException(nameof(host)))
    {
    }

    public async Task<Stream> HandleAsync(Stream input) =>
        await Host.InvokeAsync(Name, input, Json.CheckExportInput, Json.ExportOutput, CheckAsync);

    private async Task<ExportOutput> CheckAsync(CheckExportInput request, FunctionLog log, CancellationToken cancellationToken)
    {
        var (run, plan) = Messages.ToPlan(request.Run, request.Object);
        log.About(run.ConnectorId, run.RunId, plan.ObjectName);
        var step = await Host.ExportJobStepAsync(cancellationToken)
            ?? throw new MalformedEventException($"{Name} was given jobs of {plan.ObjectName}, but SOURCE={Host.Settings.Source} reads without jobs; only SubmitExport's answer for a job source is checked");
        var jobs = await step.CheckAsync(plan, Messages.ToJobs(request.Job), cancellationToken);
        var running = jobs.Jobs.Count(j => !j.Completed);
        log.Info(running == 0
            ? $"job(s) completed after {jobs.Checks} checks"
            : $"waiting for Zuora job(s) ({(Host.Clock.GetUtcNow() - jobs.SubmittedAt).TotalMinutes:0} minutes, {running} running, check {jobs.Checks})");
        return Messages.ToOutput(jobs);
    }
}
