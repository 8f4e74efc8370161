using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Core.Pipeline;

/// <summary>Step 4: deletes a committed load's parts and manifest. Never called for a failed load, whose files stay for the retry.</summary>
public sealed class CleanupStep(IStagingStore store)
{
    public async Task<int> CleanupAsync(string manifestKey, StagedManifest manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var keys = manifest.Parts.Select(p => p.Key).Append(manifestKey).ToList();
        await store.DeleteAsync(keys, cancellationToken);
        return keys.Count;
    }
}
