using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Core.Pipeline;

/// <summary>
/// Step 3, triggered by a manifest's arrival in the staging store: claims the manifest (so a replayed
/// notification or a second loader does nothing), checks the parts are all there, loads them into the
/// warehouse (one transaction: schema, staging table, merge, ledger) and reports the outcome to the
/// manifest's task token. A failed load releases its claim and keeps the staged files, so a retry converges.
/// Without a token (a manual load) the outcome is returned and errors throw.
/// </summary>
public sealed class LoadStep(IStagingStore store, IWarehouse warehouse, ILoadClaims claims, ITaskCallbacks callbacks, TimeProvider time, LoadStepOptions? options = null) : IManifestArrivalHandler
{
    private readonly LoadStepOptions _options = options ?? new LoadStepOptions();

    public async Task OnManifestCreatedAsync(string manifestKey, CancellationToken cancellationToken)
    {
        var manifest = await StagedManifests.ReadForLoadAsync(store, manifestKey, cancellationToken);

        if (manifest.TaskToken is null)
        {
            await ClaimAndLoadAsync(manifestKey, manifest, cancellationToken);
            return;
        }

        LoadReport? report;
        try
        {
            report = await ClaimAndLoadAsync(manifestKey, manifest, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await callbacks.SendFailureAsync(manifest.TaskToken, e.GetType().Name, e.Message, cancellationToken);
            return;
        }

        if (report is not null)
        {
            await callbacks.SendSuccessAsync(manifest.TaskToken, report, cancellationToken);
        }
    }

    /// <summary>
    /// Loads the manifest under a claim. Returns null when another loader holds an unexpired claim (it will
    /// report); for a manifest loaded before, returns that load's recorded outcome without loading again.
    /// </summary>
    public async Task<LoadReport?> ClaimAndLoadAsync(string manifestKey, StagedManifest manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var claim = await claims.TryClaimAsync(manifest.ConnectorId, manifest.LoadId, _options.Claimant, time.GetUtcNow(), _options.ClaimLease, cancellationToken);
        switch (claim.Result)
        {
            case LoadClaimResult.AlreadyLoaded:
                return new LoadReport(manifestKey, manifest.ObjectName, (claim.Outcome ?? LoadOutcome.Replayed) with { AlreadyLoaded = true }, 0);
            case LoadClaimResult.HeldByAnother:
                return null;
        }

        LoadReport report;
        try
        {
            report = await LoadAsync(manifestKey, manifest, cancellationToken);
        }
        catch (Exception e)
        {
            // CancellationToken.None: the claim must be released even when the load was cancelled.
            await claims.ReleaseAsync(manifest.ConnectorId, manifest.LoadId, _options.Claimant, $"{e.GetType().Name}: {e.Message}", time.GetUtcNow(), CancellationToken.None);
            throw;
        }

        await claims.MarkLoadedAsync(manifest.ConnectorId, manifest.LoadId, _options.Claimant, report.Outcome, time.GetUtcNow(), cancellationToken);
        return report;
    }

    /// <summary>Loads without a claim: the warehouse's own ledger still makes a repeated load a no-op.</summary>
    public async Task<LoadReport> LoadAsync(string manifestKey, StagedManifest manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var started = time.GetTimestamp();
        await StagedManifests.CheckPartsAsync(store, manifestKey, manifest, cancellationToken);
        var outcome = await warehouse.LoadAsync(manifest, [.. manifest.Parts.Select(p => store.LocationOf(p.Key))], time.GetUtcNow(), cancellationToken);
        return new LoadReport(manifestKey, manifest.ObjectName, outcome, (long)time.GetElapsedTime(started).TotalMilliseconds);
    }

    public Task<StagedManifest> ReadManifestAsync(string manifestKey, CancellationToken cancellationToken) =>
        StagedManifests.ReadAsync(store, manifestKey, cancellationToken);
}

/// <summary>How a loader identifies itself and how long its claim on a manifest lasts.</summary>
/// <param name="Claimant">who holds a claim (a Lambda request id in the cloud; unique per process by default)</param>
/// <param name="ClaimLease">after this long an unfinished claim may be taken over (longer than the longest load)</param>
public sealed record LoadStepOptions(string Claimant, TimeSpan ClaimLease)
{
    /// <summary>The default lease: Lambda's 15-minute limit plus margin.</summary>
    public static readonly TimeSpan DefaultClaimLease = TimeSpan.FromMinutes(20);

    public LoadStepOptions()
        : this($"loader-{Guid.NewGuid():N}", DefaultClaimLease)
    {
    }
}
