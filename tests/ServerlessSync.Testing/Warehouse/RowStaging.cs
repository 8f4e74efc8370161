using ServerlessSync.Core.Staging;

namespace ServerlessSync.Testing.Warehouse;

/// <summary>Rows staged as extraction stages them (Core's <see cref="ObjectStager"/>: gzip CSV parts, then the manifest), for a warehouse to load.</summary>
public static class RowStaging
{
    /// <summary>The connector the tests' manifests belong to.</summary>
    public const string ConnectorId = "conn";

    /// <summary>
    /// Stages <paramref name="rows"/> of <paramref name="schema"/> into <paramref name="store"/> under <paramref name="runId"/>
    /// for <paramref name="window"/>; <paramref name="clock"/> stamps the manifest, <paramref name="options"/> sizes the parts
    /// (the defaults when null), and <paramref name="cancellationToken"/> stops it.
    /// </summary>
    public static Task<StagedManifest> StageRowsAsync(this IStagingStore store, string runId, ObjectSchema schema, IEnumerable<SourceRow> rows, SyncWindow window, TimeProvider clock, CancellationToken cancellationToken, StagingOptions? options = null) =>
        new ObjectStager(store, options ?? new StagingOptions(), clock)
            .StageAsync(ConnectorId, runId, schema, window, rows.ToAsyncEnumerable(), taskToken: null, progress: null, cancellationToken);

    /// <summary>Where the warehouse reads <paramref name="manifest"/>'s parts from in <paramref name="store"/>, in the manifest's order.</summary>
    public static IReadOnlyList<string> PartLocations(this IStagingStore store, StagedManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(manifest);
        return [.. manifest.Parts.Select(p => store.LocationOf(p.Key))];
    }
}
