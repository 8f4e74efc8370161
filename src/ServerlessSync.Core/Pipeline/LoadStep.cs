using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Core.Pipeline;

/// <summary>
/// Step 3, triggered by a manifest's arrival in the staging store: checks the parts are all there, loads
/// them into the warehouse (one transaction: schema, staging table, merge, ledger) and reports the outcome
/// to the manifest's task token. Without a token (a manual load) the outcome is returned and errors throw.
/// </summary>
public sealed class LoadStep(IStagingStore store, IWarehouse warehouse, ITaskCallbacks callbacks, TimeProvider time) : IManifestArrivalHandler
{
    public async Task OnManifestCreatedAsync(string manifestKey, CancellationToken cancellationToken)
    {
        StagedManifest manifest;
        try
        {
            manifest = await ReadManifestAsync(manifestKey, cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException)
        {
            // Without a readable manifest there is no token to report to: the notification fails loudly.
            throw new InvalidDataException($"cannot load {manifestKey}: {e.Message}", e);
        }

        if (manifest.TaskToken is null)
        {
            await LoadAsync(manifestKey, manifest, cancellationToken);
            return;
        }

        LoadReport report;
        try
        {
            report = await LoadAsync(manifestKey, manifest, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await callbacks.SendFailureAsync(manifest.TaskToken, e.GetType().Name, e.Message, cancellationToken);
            return;
        }

        await callbacks.SendSuccessAsync(manifest.TaskToken, report, cancellationToken);
    }

    public async Task<LoadReport> LoadAsync(string manifestKey, StagedManifest manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var started = time.GetTimestamp();
        await CheckPartsAsync(manifestKey, manifest, cancellationToken);
        var outcome = await warehouse.LoadAsync(manifest, [.. manifest.Parts.Select(p => store.LocationOf(p.Key))], time.GetUtcNow(), cancellationToken);
        return new LoadReport(manifestKey, manifest.ObjectName, outcome, (long)time.GetElapsedTime(started).TotalMilliseconds);
    }

    public async Task<StagedManifest> ReadManifestAsync(string manifestKey, CancellationToken cancellationToken)
    {
        await using var stream = await store.OpenReadAsync(manifestKey, cancellationToken);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return StagedManifest.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), manifestKey);
    }

    private async Task CheckPartsAsync(string manifestKey, StagedManifest manifest, CancellationToken cancellationToken)
    {
        var present = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var item in store.ListAsync(StagingKeys.ObjectPrefix(manifest.ConnectorId, manifest.RunId, manifest.ObjectName), cancellationToken))
        {
            present[item.Key] = item.Bytes;
        }

        foreach (var part in manifest.Parts)
        {
            if (!present.TryGetValue(part.Key, out var bytes))
            {
                throw new InvalidDataException($"manifest {manifestKey} lists part {part.Key}, which is not in the staging store");
            }

            if (bytes != part.Bytes)
            {
                throw new InvalidDataException($"part {part.Key} has {bytes} bytes; manifest {manifestKey} says {part.Bytes}");
            }
        }
    }
}
