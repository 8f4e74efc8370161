using ServerlessSync.Core.Model;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Core.Ports;

/// <summary>What one load did to the target table.</summary>
public sealed record LoadOutcome(long Inserted, long Updated, long Deleted, long Unchanged, bool AlreadyLoaded)
{
    public static LoadOutcome Replayed { get; } = new(0, 0, 0, 0, true);
}

/// <summary>
/// The destination (the embedded DuckDB file, Redshift through the Data API). A load is one transaction: it creates
/// the schema and table on first use, adds new columns (any other change throws <see cref="SchemaChangeException"/>),
/// loads the parts, merges by <c>id</c> with the newest <c>updateddate</c> winning, keeps deleted rows with
/// <c>_deleted = true</c>, stamps <c>_synced_at</c> and records the manifest in a ledger, so that loading the same
/// manifest again changes nothing and answers <see cref="LoadOutcome.Replayed"/>.
/// <para>
/// Submitting answers either <see cref="LoadSubmission.Running"/> (a statement that ends later and announces its end
/// as an event: Redshift, whose completion the Data API's EventBridge event brings to <see cref="ReadCompletionAsync"/>)
/// or <see cref="LoadSubmission.Completed"/> (the outcome at once: DuckDB). The load step handles both the same way.
/// </para>
/// </summary>
public interface IWarehouse
{
    /// <summary>
    /// Prepares the destination (schema, table, new columns; a type change throws <see cref="SchemaChangeException"/>)
    /// and submits the manifest's load under <paramref name="submissionName"/>, which a running load's completion event
    /// carries back. Submitting the same manifest again while its load runs is the same load, not a second one; after a
    /// committed load it completes at once with <see cref="LoadOutcome.Replayed"/>.
    /// </summary>
    Task<LoadSubmission> SubmitLoadAsync(StagedManifest manifest, IReadOnlyList<string> partLocations, DateTimeOffset syncedAt, string submissionName, CancellationToken cancellationToken);

    /// <summary>
    /// What the ended load statement <paramref name="statementId"/> (from <see cref="LoadSubmission.Running"/>) did: the
    /// outcome of a committed load, or, for a failed one, an exception naming why (for a failed COPY: file, line, column
    /// and message). Throws <see cref="LoadNotEndedException"/> while the load still runs.
    /// </summary>
    Task<LoadCompletion> ReadCompletionAsync(StagedManifest manifest, IReadOnlyList<string> partLocations, string statementId, CancellationToken cancellationToken);

    /// <summary>The destination's columns for <paramref name="objectName"/> in source form, or null when the table does not exist.</summary>
    Task<ObjectSchema?> DescribeAsync(string objectName, CancellationToken cancellationToken);

    /// <summary>
    /// One page of the live (not soft-deleted) rows whose <c>id</c> sorts after <paramref name="afterId"/> (from the
    /// first when null), at most <paramref name="pageSize"/>, in <c>id</c> order; values typed as source values, in
    /// <paramref name="schema"/>'s column order (which must include <c>id</c>). Empty when the table does not exist.
    /// <see cref="WarehouseReads.ReadLiveRowsAsync"/> pages through a whole table.
    /// </summary>
    Task<LiveRowsPage> ReadLiveRowsAsync(ObjectSchema schema, string? afterId, int pageSize, CancellationToken cancellationToken);
}

/// <summary>A submitted load: still running as <see cref="StatementId"/> (its end comes as an event), or already
/// <see cref="Completion"/> (the warehouse loaded at once, or the manifest had been loaded before).</summary>
public sealed record LoadSubmission
{
    private LoadSubmission(string? statementId, LoadCompletion? completion) => (StatementId, Completion) = (statementId, completion);

    /// <summary>The running load's statement, whose end the completion event announces; null when completed.</summary>
    public string? StatementId { get; }

    /// <summary>The committed load's outcome; null while it runs.</summary>
    public LoadCompletion? Completion { get; }

    public static LoadSubmission Running(string statementId)
    {
        ArgumentException.ThrowIfNullOrEmpty(statementId);
        return new(statementId, null);
    }

    public static LoadSubmission Completed(LoadCompletion completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        return new(null, completion);
    }
}

/// <summary>A committed load's outcome and how long the warehouse took.</summary>
public sealed record LoadCompletion(LoadOutcome Outcome, long LoadMilliseconds);

/// <summary>A completion was read for a load that has not ended yet (an event read too early, or a forged one).</summary>
public sealed class LoadNotEndedException(string statementId, string state)
    : Exception($"load statement {statementId} has not ended (it is {state})")
{
    public string StatementId { get; } = statementId;
}

/// <summary>One page of live rows; <see cref="NextAfterId"/> continues after it, null when this was the last page.</summary>
public sealed record LiveRowsPage(IReadOnlyList<object?[]> Rows, string? NextAfterId)
{
    public static LiveRowsPage Empty { get; } = new([], null);
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
