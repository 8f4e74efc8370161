using ServerlessSync.Core.Staging;

namespace ServerlessSync.Testing.Pipeline;

/// <summary>
/// A staging store that calls <paramref name="onManifestCommitted"/> right after a manifest is committed, before the
/// load reads it: where a test disturbs staged files the way a real failure would (a corrupt part, a bad row). Writes
/// the callback makes should go to the inner store.
/// </summary>
public sealed class ManifestCommitTap(IStagingStore inner, Func<string, CancellationToken, Task> onManifestCommitted) : IStagingStore
{
    public async Task<IStagedObjectWriter> OpenWriteAsync(string key, CancellationToken cancellationToken) =>
        new Writer(await inner.OpenWriteAsync(key, cancellationToken), key, onManifestCommitted);

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) => inner.OpenReadAsync(key, cancellationToken);

    public IAsyncEnumerable<StagedObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    public Task DeleteAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken) => inner.DeleteAsync(keys, cancellationToken);

    public string LocationOf(string key) => inner.LocationOf(key);

    private sealed class Writer(IStagedObjectWriter inner, string key, Func<string, CancellationToken, Task> onManifestCommitted) : IStagedObjectWriter
    {
        public Stream Body => inner.Body;

        public async Task CommitAsync(CancellationToken cancellationToken)
        {
            await inner.CommitAsync(cancellationToken);
            if (StagingKeys.IsManifest(key))
            {
                await onManifestCommitted(key, cancellationToken);
            }
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
