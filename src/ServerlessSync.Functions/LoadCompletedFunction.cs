using ServerlessSync.Core.Pipeline;
using ServerlessSync.Functions.Events;
using ServerlessSync.Functions.Hosting;

namespace ServerlessSync.Functions;

/// <summary>
/// LoadCompleted, on the Data API's "Redshift Data Statement Status Change" event: for a statement this pipeline named
/// (<see cref="LoadSubmissionName"/>) that ended (FINISHED, FAILED or ABORTED), reads the load's outcome, records it
/// and answers the manifest's task token: <c>{"statementId","manifestKey","objectName","result":"Loaded|Failed","error"?}</c>.
/// Other statements' events, and other states, are <c>Ignored</c>.
/// </summary>
public sealed class LoadCompletedFunction : LambdaFunction
{
    public const string Name = "LoadCompleted";

    public LoadCompletedFunction()
        : base(null)
    {
    }

    internal LoadCompletedFunction(FunctionHost host)
        : base(host ?? throw new ArgumentNullException(nameof(host)))
    {
    }

    public async Task<Stream> HandleAsync(Stream input) =>
        await Host.InvokeAsync(Name, input, Json.DataApiStatusEvent, Json.LoadCompletedOutput, CompleteAsync);

    private async Task<LoadCompletedOutput> CompleteAsync(DataApiStatusEvent statusEvent, FunctionLog log, CancellationToken cancellationToken)
    {
        if (statusEvent.Source != DataApiStatusEvent.ExpectedSource || statusEvent.DetailType != DataApiStatusEvent.ExpectedDetailType)
        {
            throw new MalformedEventException(
                $"{Name} handles '{DataApiStatusEvent.ExpectedDetailType}' events from {DataApiStatusEvent.ExpectedSource}, not '{statusEvent.DetailType}' from {statusEvent.Source}");
        }

        var detail = statusEvent.Detail;
        if (!LoadSubmissionName.TryParse(detail.StatementName, out _, out var manifestKey))
        {
            log.Info($"ignored statement {detail.StatementId} ({detail.State}): its name '{detail.StatementName}' is not a load's");
            return new LoadCompletedOutput(detail.StatementId, LoadCompletedResult.Ignored);
        }

        if (!detail.HasEnded)
        {
            log.Info($"ignored statement {detail.StatementId} of {manifestKey}: state {detail.State} is not an end");
            return new LoadCompletedOutput(detail.StatementId, LoadCompletedResult.Ignored) { ManifestKey = manifestKey };
        }

        var end = await Host.LoadStep().OnLoadEndedAsync(detail.StatementName!, detail.StatementId, cancellationToken);
        if (end is null)
        {
            return new LoadCompletedOutput(detail.StatementId, LoadCompletedResult.Ignored);
        }

        log.About(objectName: end.ObjectName);
        if (end.Report is { } report)
        {
            var outcome = report.Outcome;
            log.Info($"{end.ManifestKey} loaded by {detail.StatementId}: {outcome.Inserted} inserted, {outcome.Updated} updated, {outcome.Deleted} deleted, {outcome.Unchanged} unchanged{(outcome.AlreadyLoaded ? " (loaded before)" : "")}");
            return new LoadCompletedOutput(detail.StatementId, LoadCompletedResult.Loaded) { ManifestKey = end.ManifestKey, ObjectName = end.ObjectName };
        }

        log.Warn($"{end.ManifestKey} failed in statement {detail.StatementId} ({detail.State}): {end.Error}");
        return new LoadCompletedOutput(detail.StatementId, LoadCompletedResult.Failed) { ManifestKey = end.ManifestKey, ObjectName = end.ObjectName, Error = end.Error };
    }
}
