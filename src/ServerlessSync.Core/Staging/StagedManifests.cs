using ServerlessSync.Core.Ports;

namespace ServerlessSync.Core.Staging;

/// <summary>Reading a manifest back from the staging store, and checking its parts are there, for the load steps.</summary>
public static class StagedManifests
{
    public static async Task<StagedManifest> ReadAsync(IStagingStore store, string manifestKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var stream = await store.OpenReadAsync(manifestKey, cancellationToken);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return StagedManifest.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), manifestKey);
    }

    /// <summary>
    /// Reads the manifest a notification names. Without a readable manifest there is no task token to report to, so
    /// the notification fails loudly: <see cref="InvalidDataException"/> naming the key and the reason.
    /// </summary>
    public static async Task<StagedManifest> ReadForLoadAsync(IStagingStore store, string manifestKey, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadAsync(store, manifestKey, cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException)
        {
            throw new InvalidDataException($"cannot load {manifestKey}: {e.Message}", e);
        }
    }

    /// <summary>Every part the manifest lists is in the store with the size it says; throws <see cref="InvalidDataException"/> naming the first that is not.</summary>
    public static async Task CheckPartsAsync(IStagingStore store, string manifestKey, StagedManifest manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(manifest);
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
