using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Core.Pipeline;

/// <summary>
/// Step 4: deletes a committed load's staged files: its parts, its manifest and anything a warehouse staged
/// beside them (Redshift's COPY manifest), i.e. everything under the object's staging prefix. Never called for
/// a failed load, whose files stay for the retry.
/// </summary>
public sealed class CleanupStep(IStagingStore store)
{
    public async Task<int> CleanupAsync(string manifestKey, StagedManifest manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var keys = new HashSet<string>(manifest.Parts.Select(p => p.Key), StringComparer.Ordinal) { manifestKey };
        await foreach (var item in store.ListAsync(StagingKeys.ObjectPrefix(manifest.ConnectorId, manifest.RunId, manifest.ObjectName), cancellationToken))
        {
            keys.Add(item.Key);
        }

        await store.DeleteAsync(keys, cancellationToken);
        return keys.Count;
    }
}
