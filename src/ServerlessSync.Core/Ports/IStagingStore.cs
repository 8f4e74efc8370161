namespace ServerlessSync.Core.Ports;

/// <summary>A staged object: its key, size and (when the store knows it) its last-modified time.</summary>
public sealed record StagedObjectInfo(string Key, long Bytes);

/// <summary>
/// Where extracted parts and manifests wait for the load (a local directory, an S3 bucket). Keys use
/// <c>/</c> separators. In the cloud, a committed key that ends in <c>.manifest.json</c> raises S3's object-created
/// event, which starts the load; in process, the runner calls the load step itself once the manifest is committed.
/// </summary>
public interface IStagingStore
{
    /// <summary>Starts a streamed write. Nothing is visible under <paramref name="key"/> until
    /// <see cref="IStagedObjectWriter.CommitAsync"/>; disposing without committing discards the data.</summary>
    Task<IStagedObjectWriter> OpenWriteAsync(string key, CancellationToken cancellationToken);

    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken);

    IAsyncEnumerable<StagedObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Deletes the keys; keys already gone are not an error.</summary>
    Task DeleteAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken);

    /// <summary>Where a warehouse reads the object from: a file path, or <c>s3://bucket/key</c>.</summary>
    string LocationOf(string key);
}

public interface IStagedObjectWriter : IAsyncDisposable
{
    /// <summary>The body to write to. Do not dispose it; commit or dispose the writer.</summary>
    Stream Body { get; }

    /// <summary>Makes the object visible.</summary>
    Task CommitAsync(CancellationToken cancellationToken);
}
