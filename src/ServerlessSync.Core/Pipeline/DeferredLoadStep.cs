using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Core.Pipeline;

/// <summary>
/// Step 3 when the warehouse's load runs on after the submitting call (Redshift through the Data API): the load
/// step of <see cref="LoadStep"/> cut in two where the warehouse works alone, so that nothing waits for it.
/// <list type="number">
/// <item><see cref="OnManifestCreatedAsync"/>, on the manifest's object-created event: claims the manifest, checks its
/// parts and submits the load under a name that carries the claimant and the manifest key.</item>
/// <item><see cref="OnLoadEndedAsync"/>, on the warehouse's completion event (which carries that name back): reads the
/// outcome, records the load, and reports to the manifest's task token; a failed load releases its claim, keeps the
/// staged files and reports the failure, naming the reason.</item>
/// </list>
/// Both halves tolerate repeated events: a replayed manifest event finds the claim (or the recorded load) and submits
/// nothing new; a repeated completion records nothing new, and the second callback is ignored by the workflow.
/// </summary>
public sealed class DeferredLoadStep(IStagingStore store, IDeferredLoadWarehouse warehouse, ILoadClaims claims, ITaskCallbacks callbacks, TimeProvider time, LoadStepOptions? options = null)
{
    private readonly LoadStepOptions _options = options ?? new LoadStepOptions();

    public async Task<LoadStart> OnManifestCreatedAsync(string manifestKey, CancellationToken cancellationToken)
    {
        StagedManifest manifest;
        try
        {
            manifest = await StagedManifests.ReadForLoadAsync(store, manifestKey, cancellationToken);
        }
        catch (InvalidDataException e) when (e.InnerException is FileNotFoundException)
        {
            // A late repeat of the event, after the committed load's cleanup removed the files (S3 delivers at least
            // once). Were it a manifest that never loaded, its object would fail at the workflow's timeout.
            return new LoadStart(manifestKey, LoadStartResult.NoLongerStaged, Error: $"{manifestKey} is no longer staged (a committed load's cleanup removes it): nothing to load");
        }

        var claim = await claims.TryClaimAsync(manifest.ConnectorId, manifest.LoadId, _options.Claimant, time.GetUtcNow(), _options.ClaimLease, cancellationToken);
        switch (claim.Result)
        {
            case LoadClaimResult.AlreadyLoaded:
                var replay = new LoadReport(manifestKey, manifest.ObjectName, (claim.Outcome ?? LoadOutcome.Replayed) with { AlreadyLoaded = true }, 0);
                await ReportSuccessAsync(manifest, replay, cancellationToken);
                return new LoadStart(manifestKey, LoadStartResult.AlreadyLoaded, Report: replay);
            case LoadClaimResult.HeldByAnother:
                return new LoadStart(manifestKey, LoadStartResult.HeldByAnother, Error: $"load {manifest.LoadId} is held by {claim.Holder} until {claim.LeaseExpiresAt:O}");
        }

        LoadSubmission submission;
        try
        {
            await StagedManifests.CheckPartsAsync(store, manifestKey, manifest, cancellationToken);
            var name = LoadSubmissionName.Format(_options.Claimant, manifestKey);
            submission = await warehouse.SubmitLoadAsync(manifest, PartLocations(manifest), time.GetUtcNow(), name, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var error = await FailAsync(manifest, _options.Claimant, e, cancellationToken);
            return new LoadStart(manifestKey, LoadStartResult.Failed, Error: error);
        }

        if (submission.CommittedEarlier is { } outcome)
        {
            var report = new LoadReport(manifestKey, manifest.ObjectName, outcome, 0);
            await claims.MarkLoadedAsync(manifest.ConnectorId, manifest.LoadId, _options.Claimant, outcome, time.GetUtcNow(), cancellationToken);
            await ReportSuccessAsync(manifest, report, cancellationToken);
            return new LoadStart(manifestKey, LoadStartResult.AlreadyLoaded, Report: report);
        }

        return new LoadStart(manifestKey, LoadStartResult.Submitted, StatementId: submission.StatementId);
    }

    /// <summary>
    /// Handles the warehouse's completion event for the submission named <paramref name="submissionName"/>. Returns
    /// null for a name this pipeline did not give (another application's statement on the same event bus).
    /// </summary>
    public async Task<LoadEnd?> OnLoadEndedAsync(string submissionName, string statementId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(statementId);
        if (!LoadSubmissionName.TryParse(submissionName, out var claimant, out var manifestKey))
        {
            return null;
        }

        var manifest = await StagedManifests.ReadForLoadAsync(store, manifestKey, cancellationToken);
        LoadCompletion completion;
        try
        {
            completion = await warehouse.ReadCompletionAsync(manifest, PartLocations(manifest), statementId, cancellationToken);
        }
        catch (Exception e) when (e is not (OperationCanceledException or LoadNotEndedException))
        {
            var error = await FailAsync(manifest, claimant, e, cancellationToken);
            return new LoadEnd(manifestKey, manifest.ObjectName, statementId, null, error);
        }

        var report = new LoadReport(manifestKey, manifest.ObjectName, completion.Outcome, completion.LoadMilliseconds);
        await claims.MarkLoadedAsync(manifest.ConnectorId, manifest.LoadId, claimant, completion.Outcome, time.GetUtcNow(), cancellationToken);
        await ReportSuccessAsync(manifest, report, cancellationToken);
        return new LoadEnd(manifestKey, manifest.ObjectName, statementId, report, null);
    }

    private List<string> PartLocations(StagedManifest manifest) => [.. manifest.Parts.Select(p => store.LocationOf(p.Key))];

    private async Task ReportSuccessAsync(StagedManifest manifest, LoadReport report, CancellationToken cancellationToken)
    {
        if (manifest.TaskToken is not null)
        {
            await callbacks.SendSuccessAsync(manifest.TaskToken, report, cancellationToken);
        }
    }

    /// <summary>Releases the claim and reports the failure to the token; the staged files stay for the retry.</summary>
    private async Task<string> FailAsync(StagedManifest manifest, string claimant, Exception e, CancellationToken cancellationToken)
    {
        var error = $"{e.Message} (staged files kept under {StagingKeys.ObjectPrefix(manifest.ConnectorId, manifest.RunId, manifest.ObjectName)})";
        await claims.ReleaseAsync(manifest.ConnectorId, manifest.LoadId, claimant, $"{e.GetType().Name}: {e.Message}", time.GetUtcNow(), CancellationToken.None);
        if (manifest.TaskToken is not null)
        {
            await callbacks.SendFailureAsync(manifest.TaskToken, e.GetType().Name, error, cancellationToken);
        }

        return error;
    }
}

public enum LoadStartResult
{
    /// <summary>The load runs in the warehouse; its completion event finishes it.</summary>
    Submitted,

    /// <summary>The manifest was loaded before: its recorded outcome went to the task token, nothing was submitted.</summary>
    AlreadyLoaded,

    /// <summary>Another loader holds the claim (a duplicate event while the load runs): nothing to do.</summary>
    HeldByAnother,

    /// <summary>The load could not be submitted (missing part, schema change…): the failure went to the task token.</summary>
    Failed,

    /// <summary>The manifest is gone: a late repeat of its event after the committed load's cleanup. Nothing to do.</summary>
    NoLongerStaged,
}

/// <summary>What the manifest event did.</summary>
public sealed record LoadStart(string ManifestKey, LoadStartResult Result, string? StatementId = null, LoadReport? Report = null, string? Error = null);

/// <summary>What the completion event did: the committed load's report, or the failed load's error.</summary>
public sealed record LoadEnd(string ManifestKey, string ObjectName, string StatementId, LoadReport? Report, string? Error);

/// <summary>
/// The name a deferred load is submitted under, which its completion event carries back:
/// <c>serverless-sync load {claimant} {manifest key}</c>. The claimant has no spaces; the key may.
/// </summary>
public static class LoadSubmissionName
{
    public const string Prefix = "serverless-sync load ";

    public static string Format(string claimant, string manifestKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(claimant);
        ArgumentException.ThrowIfNullOrEmpty(manifestKey);
        if (claimant.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"claimant '{claimant}' must not contain white space", nameof(claimant));
        }

        return Prefix + claimant + " " + manifestKey;
    }

    public static bool TryParse(string? name, out string claimant, out string manifestKey)
    {
        claimant = manifestKey = "";
        if (name is null || !name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = name.AsSpan(Prefix.Length);
        var space = rest.IndexOf(' ');
        if (space <= 0 || space == rest.Length - 1)
        {
            return false;
        }

        claimant = rest[..space].ToString();
        manifestKey = rest[(space + 1)..].ToString();
        return true;
    }
}
