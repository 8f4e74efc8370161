using ServerlessSync.Core.Model;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Core.Ports;

/// <summary>What one load did to the target table.</summary>
public sealed record LoadOutcome(long Inserted, long Updated, long Deleted, long Unchanged, bool AlreadyLoaded)
{
    public static LoadOutcome Replayed { get; } = new(0, 0, 0, 0, true);
}

/// <summary>The destination (the embedded DuckDB file, Redshift).</summary>
public interface IWarehouse
{
    /// <summary>
    /// Loads a staged manifest in one transaction: creates the schema and table on first use, adds new
    /// columns (any other change throws <see cref="SchemaChangeException"/>), loads the parts, merges by
    /// <c>id</c> with the newest <c>updateddate</c> winning, keeps deleted rows with <c>_deleted = true</c>,
    /// stamps <c>_synced_at</c> with <paramref name="syncedAt"/> and records the manifest, so that loading
    /// the same manifest again returns <see cref="LoadOutcome.Replayed"/> and changes nothing.
    /// </summary>
    Task<LoadOutcome> LoadAsync(StagedManifest manifest, IReadOnlyList<string> partLocations, DateTimeOffset syncedAt, CancellationToken cancellationToken);

    /// <summary>The destination's columns for <paramref name="objectName"/> in source form, or null when the table does not exist.</summary>
    Task<ObjectSchema?> DescribeAsync(string objectName, CancellationToken cancellationToken);

    /// <summary>Streams the live (not soft-deleted) rows, values typed as <see cref="SourceRow"/> values, in <paramref name="schema"/>'s column order.</summary>
    IAsyncEnumerable<object?[]> ReadLiveRowsAsync(ObjectSchema schema, CancellationToken cancellationToken);
}

/// <summary>A source schema change the destination cannot follow by adding a column.</summary>
public sealed class SchemaChangeException(string table, string column, string oldType, string newType)
    : Exception($"table {table}: column '{column}' changed type from {oldType} to {newType}; only new columns are applied automatically. Alter or drop the column in the destination, or declare the old type for the source.")
{
    public string Table { get; } = table;
    public string Column { get; } = column;
    public string OldType { get; } = oldType;
    public string NewType { get; } = newType;
}
