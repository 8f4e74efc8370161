using ServerlessSync.Core.Staging;

namespace ServerlessSync.Core.Ports;

/// <summary>
/// A warehouse whose loads run on after the submitting call returns, and announce their end as an event
/// (Redshift through the Data API with <c>WithEvent</c>: the completion arrives on EventBridge). The load is the
/// same transaction <see cref="IWarehouse.LoadAsync"/> runs; only the waiting moves out of the caller.
/// </summary>
public interface IDeferredLoadWarehouse
{
    /// <summary>
    /// Prepares the destination (schema, table, new columns; a type change throws <see cref="SchemaChangeException"/>)
    /// and submits the manifest's load under <paramref name="submissionName"/>, which the completion event carries
    /// back. Submitting the same manifest again while its load runs is the same load, not a second one.
    /// </summary>
    Task<LoadSubmission> SubmitLoadAsync(StagedManifest manifest, IReadOnlyList<string> partLocations, DateTimeOffset syncedAt, string submissionName, CancellationToken cancellationToken);

    /// <summary>
    /// What the ended submission <paramref name="statementId"/> did: the outcome of a committed load, or, for a failed
    /// one, an exception naming why (for a failed COPY: file, line, column and message). Throws
    /// <see cref="LoadNotEndedException"/> while the load still runs.
    /// </summary>
    Task<LoadCompletion> ReadCompletionAsync(StagedManifest manifest, IReadOnlyList<string> partLocations, string statementId, CancellationToken cancellationToken);
}

/// <summary>A submitted load: the statement whose end the completion event announces, or, when the manifest had been
/// loaded before this submission, that load's outcome (then no event follows).</summary>
public sealed record LoadSubmission(string? StatementId, LoadOutcome? CommittedEarlier)
{
    public static LoadSubmission Running(string statementId) => new(statementId, null);

    public static LoadSubmission AlreadyCommitted(LoadOutcome outcome) => new(null, outcome);
}

/// <summary>A committed load's outcome and how long the warehouse took.</summary>
public sealed record LoadCompletion(LoadOutcome Outcome, long LoadMilliseconds);

/// <summary>A completion was read for a load that has not ended yet (an event read too early, or a forged one).</summary>
public sealed class LoadNotEndedException(string statementId, string state)
    : Exception($"load statement {statementId} has not ended (it is {state})")
{
    public string StatementId { get; } = statementId;
}
