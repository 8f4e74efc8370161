using ServerlessSync.Core.Staging;
using ServerlessSync.Functions.Events;
using ServerlessSync.Functions.Hosting;

namespace ServerlessSync.Functions;

/// <summary>
/// Cleanup: <c>{"manifestKey"}</c> → <c>{"manifestKey","deleted"}</c>. Deletes a committed load's staged files (parts,
/// manifest, COPY manifest). A manifest already gone (a retried cleanup) deletes nothing and is not an error.
/// </summary>
public sealed class CleanupFunction : LambdaFunction
{
    public const string Name = "Cleanup";

    public CleanupFunction()
        : base(null)
    {
    }

    internal CleanupFunction(FunctionHost host)
        : base(host ?? throw new ArgumentNullException(nameof(host)))
    {
    }

    public async Task<Stream> HandleAsync(Stream input) =>
        await Host.InvokeAsync(Name, input, Json.CleanupInput, Json.CleanupOutput, CleanupAsync);

    private async Task<CleanupOutput> CleanupAsync(CleanupInput request, FunctionLog log, CancellationToken cancellationToken)
    {
        if (!StagingKeys.IsManifest(request.ManifestKey))
        {
            throw new MalformedEventException($"{Name}: '{request.ManifestKey}' is not a manifest key (…/{{object}}{StagingKeys.ManifestSuffix})");
        }

        StagedManifest manifest;
        try
        {
            manifest = await StagedManifests.ReadAsync(Host.Staging, request.ManifestKey, cancellationToken);
        }
        catch (FileNotFoundException)
        {
            log.Warn($"{request.ManifestKey} is gone already: nothing to delete");
            return new CleanupOutput(request.ManifestKey, 0);
        }

        log.About(manifest.ConnectorId, manifest.RunId, manifest.ObjectName);
        var deleted = await Host.CleanupStep().CleanupAsync(request.ManifestKey, manifest, cancellationToken);
        log.Info($"deleted {deleted} staged files");
        return new CleanupOutput(request.ManifestKey, deleted);
    }
}
