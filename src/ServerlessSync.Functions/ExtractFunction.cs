using ServerlessSync.Functions.Events;
using ServerlessSync.Functions.Hosting;

namespace ServerlessSync.Functions;

/// <summary>
/// Extract: <c>{"run","object","taskToken"}</c> → <c>{"manifestKey","rows","files","bytes"}</c>. Stages the object's window as
/// gzip CSV parts and, last, its manifest carrying the task token; the manifest's S3 event starts the load.
/// </summary>
public sealed class ExtractFunction : LambdaFunction
{
    public const string Name = "Extract";

    public ExtractFunction()
        : base(null)
    {
    }

    internal ExtractFunction(FunctionHost host)
        : base(host ?? throw new ArgumentNullException(nameof(host)))
    {
    }

    public async Task<Stream> HandleAsync(Stream input) =>
        await Host.InvokeAsync(Name, input, Json.ExtractInput, Json.ExtractOutput, ExtractAsync);

    private async Task<ExtractOutput> ExtractAsync(ExtractInput request, FunctionLog log, CancellationToken cancellationToken)
    {
        var (run, plan) = Messages.ToPlan(request.Run, request.Object);
        log.About(run.ConnectorId, run.RunId, plan.ObjectName).Info($"extracting ({plan.Window.Mode}, window end {plan.Window.End:O})");
        var step = await Host.ExtractStepAsync(cancellationToken);
        var result = await step.ExtractAsync(run, plan, request.TaskToken, null, cancellationToken);
        log.Info($"staged {result.Rows} rows in {result.Files} parts ({result.Bytes} bytes); manifest {result.ManifestKey}");
        return new ExtractOutput(result.ManifestKey, result.Rows, result.Files, result.Bytes);
    }
}
