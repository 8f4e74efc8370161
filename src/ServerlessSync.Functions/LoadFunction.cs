using ServerlessSync.Aws.S3;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Staging;
using ServerlessSync.Functions.Events;
using ServerlessSync.Functions.Hosting;

namespace ServerlessSync.Functions;

/// <summary>
/// Load, on the staging bucket's S3 notification: for every <c>ObjectCreated</c> record of a manifest key, claims the
/// manifest and submits its load (<c>{"manifests":[{"manifestKey","result","statementId"?,"error"?}]}</c>); other keys
/// and events are skipped. A load that fails is reported to the manifest's task token and listed as <c>Failed</c>. A
/// record that cannot be handled at all (another bucket, an unreadable manifest, hence no token to report to) fails
/// the invocation, naming each such key, after the other records were handled; a retry finds those claimed.
/// </summary>
public sealed class LoadFunction : LambdaFunction
{
    public const string Name = "Load";

    public LoadFunction()
        : base(null)
    {
    }

    internal LoadFunction(FunctionHost host)
        : base(host ?? throw new ArgumentNullException(nameof(host)))
    {
    }

    public async Task<Stream> HandleAsync(Stream input) =>
        await Host.InvokeAsync(Name, input, Json.S3Notification, Json.LoadOutput, LoadAsync);

    private async Task<LoadOutput> LoadAsync(S3Notification notification, FunctionLog log, CancellationToken cancellationToken)
    {
        var step = Host.LoadStep();
        var results = new List<ManifestLoadMessage>();
        var unhandled = new List<string>();
        foreach (var record in notification.Records)
        {
            var key = S3EventKeys.Decode(record.S3.Object.Key);
            if (!record.IsObjectCreated || !StagingKeys.IsManifest(key))
            {
                log.Info($"skipped {record.EventName} of {key}: only a created manifest starts a load");
                continue;
            }

            if (record.S3.Bucket.Name != Host.Settings.StagingBucket)
            {
                unhandled.Add($"{key}: bucket '{record.S3.Bucket.Name}' is not the staging bucket '{Host.Settings.StagingBucket}'");
                continue;
            }

            try
            {
                var start = await step.OnManifestCreatedAsync(key, cancellationToken);
                results.Add(ToMessage(start));
                if (start.Error is null || start.Result == LoadStartResult.NoLongerStaged)
                {
                    log.Info($"{key}: {start.Result}{(start.StatementId is null ? "" : $" as statement {start.StatementId}")}{(start.Error is null ? "" : $": {start.Error}")}");
                }
                else
                {
                    log.Warn($"{key}: {start.Result}: {start.Error}");
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.Error($"{key}: cannot be loaded", e);
                unhandled.Add($"{key}: {e.Message}");
            }
        }

        if (unhandled.Count > 0)
        {
            throw new ManifestEventException($"{unhandled.Count} manifest event(s) could not be handled: {string.Join("; ", unhandled)}");
        }

        return new LoadOutput(results);
    }

    private static ManifestLoadMessage ToMessage(LoadStart start) =>
        new(start.ManifestKey, start.Result switch
        {
            LoadStartResult.Submitted => ManifestLoadResult.Submitted,
            LoadStartResult.Loaded => ManifestLoadResult.Loaded,
            LoadStartResult.AlreadyLoaded => ManifestLoadResult.AlreadyLoaded,
            LoadStartResult.HeldByAnother => ManifestLoadResult.HeldByAnother,
            LoadStartResult.NoLongerStaged => ManifestLoadResult.NoLongerStaged,
            _ => ManifestLoadResult.Failed,
        })
        {
            StatementId = start.StatementId,
            Error = start.Error,
        };
}

/// <summary>Manifest events the load function could not act on; the message names each key and why.</summary>
public sealed class ManifestEventException(string message) : Exception(message);
