using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Testing.Warehouse;

/// <summary>
/// A whole load through <see cref="IWarehouse"/>'s port, as the load step drives it but without claims or callbacks:
/// submit, and for a load that answers running, wait for its end (what the Data API's event tells) and read the
/// completion. Failures throw what the warehouse explains.
/// </summary>
public static class WarehouseLoads
{
    /// <summary>The submission name the tests' loads carry.</summary>
    public const string SubmissionName = "serverless-sync test-load";

    /// <summary>Loads <paramref name="manifest"/> from <paramref name="partLocations"/>; <paramref name="loadEnds"/> is where a
    /// running load's end is heard, required for a warehouse that answers running.</summary>
    public static async Task<LoadOutcome> LoadAsync(this IWarehouse warehouse, StagedManifest manifest, IReadOnlyList<string> partLocations, DateTimeOffset syncedAt, CancellationToken cancellationToken, ILoadEndSignal? loadEnds = null) =>
        (await CompleteAsync(warehouse, manifest, partLocations, syncedAt, cancellationToken, loadEnds)).Outcome;

    /// <summary>As <see cref="LoadAsync"/>, with the time the warehouse took.</summary>
    public static async Task<LoadCompletion> CompleteAsync(this IWarehouse warehouse, StagedManifest manifest, IReadOnlyList<string> partLocations, DateTimeOffset syncedAt, CancellationToken cancellationToken, ILoadEndSignal? loadEnds = null)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        var submission = await warehouse.SubmitLoadAsync(manifest, partLocations, syncedAt, SubmissionName, cancellationToken);
        if (submission.Completion is { } completed)
        {
            return completed;
        }

        if (loadEnds is null)
        {
            throw new InvalidOperationException($"the warehouse answered statement {submission.StatementId} running: pass the signal of its end");
        }

        await loadEnds.WaitForEndAsync(submission.StatementId!, cancellationToken);
        return await warehouse.ReadCompletionAsync(manifest, partLocations, submission.StatementId!, cancellationToken);
    }
}
