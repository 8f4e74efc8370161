using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Core.Pipeline;

/// <summary>
/// Step 3, the load, in two halves that each answer one event, the same in the cloud and in the CLI:
/// <list type="number">
/// <item><see cref="OnManifestCreatedAsync"/>, on the manifest's object-created event: claims the manifest (so a
/// replayed event or a second loader does nothing), checks its parts and submits the load under a name that carries the
/// claimant and the manifest key. A warehouse that loads at once (DuckDB) completes the load here: the outcome is
/// recorded and reported.</item>
/// <item><see cref="OnLoadEndedAsync"/>, on the warehouse's completion event for a load that answered running (Redshift:
/// the Data API's event carries the name back): reads the outcome and records it.</item>
/// </list>
/// A committed load is marked in the load claims and reported to the manifest's task token; a failed one releases its
/// claim, keeps the staged files and reports the failure, naming the reason. Both halves tolerate repeated events: a
/// replayed manifest event finds the claim (or the recorded load) and submits nothing new; a repeated completion
/// records nothing new, and the second callback is ignored by the workflow. Each half also returns what it did, which is
/// what the in-process runner reads instead of a task token.
/// </summary>
/// <param name="store">where the manifest and its parts are staged</param>
/// <param name="warehouse">the destination</param>
/// <param name="claims">who loads a manifest, and the record of committed loads</param>
/// <param name="callbacks">answers a manifest's task token (Step Functions); null where no workflow waits on tokens
/// (the in-process runner, whose manifests carry none)</param>
/// <param name="time">the pipeline's clock</param>
/// <param name="options">the claimant and its lease</param>
public sealed class LoadStep(IStagingStore store, IWarehouse warehouse, ILoadClaims claims, ITaskCallbacks? callbacks, TimeProvider time, LoadStepOptions? options = null)
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

        var name = LoadSubmissionName.Format(_options.Claimant, manifestKey);
        LoadSubmission submission;
        try
        {
            await StagedManifests.CheckPartsAsync(store, manifestKey, manifest, cancellationToken);
            // _synced_at is when the batch was staged: the same for every submission of this manifest, so that a repeated
            // submission (one Data API ClientToken) carries the same text.
            submission = await warehouse.SubmitLoadAsync(manifest, PartLocations(manifest), manifest.CreatedAt, name, cancellationToken);
        }
        catch (OperationCanceledException e)
        {
            // Stopped (Ctrl-C, the function's time): the claim goes, so that a retry loads at once, not after the lease.
            await claims.ReleaseAsync(manifest.ConnectorId, manifest.LoadId, _options.Claimant, $"cancelled: {e.Message}", time.GetUtcNow(), CancellationToken.None);
            throw;
        }
        catch (Exception e)
        {
            var error = await FailAsync(manifest, _options.Claimant, e, cancellationToken);
            return new LoadStart(manifestKey, LoadStartResult.Failed, Error: error);
        }

        if (submission.Completion is { } completed)
        {
            var report = await RecordLoadedAsync(manifestKey, manifest, _options.Claimant, completed, cancellationToken);
            return new LoadStart(manifestKey, report.Outcome.AlreadyLoaded ? LoadStartResult.AlreadyLoaded : LoadStartResult.Loaded, Report: report);
        }

        return new LoadStart(manifestKey, LoadStartResult.Submitted, StatementId: submission.StatementId, SubmissionName: name);
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

        var report = await RecordLoadedAsync(manifestKey, manifest, claimant, completion, cancellationToken);
        return new LoadEnd(manifestKey, manifest.ObjectName, statementId, report, null);
    }

    /// <summary>Marks the committed load in the claims and reports it to the manifest's token.</summary>
    private async Task<LoadReport> RecordLoadedAsync(string manifestKey, StagedManifest manifest, string claimant, LoadCompletion completion, CancellationToken cancellationToken)
    {
        var report = new LoadReport(manifestKey, manifest.ObjectName, completion.Outcome, completion.LoadMilliseconds);
        await claims.MarkLoadedAsync(manifest.ConnectorId, manifest.LoadId, claimant, completion.Outcome, time.GetUtcNow(), cancellationToken);
        await ReportSuccessAsync(manifest, report, cancellationToken);
        return report;
    }

    private List<string> PartLocations(StagedManifest manifest) => [.. manifest.Parts.Select(p => store.LocationOf(p.Key))];

    private async Task ReportSuccessAsync(StagedManifest manifest, LoadReport report, CancellationToken cancellationToken)
    {
        if (manifest.TaskToken is not null)
        {
            await Callbacks(manifest).SendSuccessAsync(manifest.TaskToken, report, cancellationToken);
        }
    }

    /// <summary>Releases the claim and reports the failure to the token; the staged files stay for the retry.</summary>
    private async Task<string> FailAsync(StagedManifest manifest, string claimant, Exception e, CancellationToken cancellationToken)
    {
        var error = $"{e.Message} (staged files kept under {StagingKeys.ObjectPrefix(manifest.ConnectorId, manifest.RunId, manifest.ObjectName)})";
        await claims.ReleaseAsync(manifest.ConnectorId, manifest.LoadId, claimant, $"{e.GetType().Name}: {e.Message}", time.GetUtcNow(), CancellationToken.None);
        if (manifest.TaskToken is not null)
        {
            await Callbacks(manifest).SendFailureAsync(manifest.TaskToken, e.GetType().Name, error, cancellationToken);
        }

        return error;
    }

    private ITaskCallbacks Callbacks(StagedManifest manifest) => callbacks
        ?? throw new InvalidOperationException($"the manifest of {manifest.ObjectName} (load {manifest.LoadId}) carries a task token, but this load step answers no workflow");
}

public enum LoadStartResult
{
    /// <summary>The load runs in the warehouse; its completion event finishes it (<see cref="LoadStep.OnLoadEndedAsync"/>).</summary>
    Submitted,

    /// <summary>The warehouse loaded at once: the outcome is recorded and went to the task token.</summary>
    Loaded,

    /// <summary>The manifest was loaded before: its recorded outcome went to the task token, nothing was submitted.</summary>
    AlreadyLoaded,

    /// <summary>Another loader holds the claim (a duplicate event while the load runs): nothing to do.</summary>
    HeldByAnother,

    /// <summary>The load could not be submitted (missing part, schema change…): the failure went to the task token.</summary>
    Failed,

    /// <summary>The manifest is gone: a late repeat of its event after the committed load's cleanup. Nothing to do.</summary>
    NoLongerStaged,
}

/// <summary>What the manifest event did: for a submitted load, the statement and the name its completion event carries;
/// for a completed one, its report; for a failed one, the error.</summary>
public sealed record LoadStart(string ManifestKey, LoadStartResult Result, string? StatementId = null, LoadReport? Report = null, string? Error = null, string? SubmissionName = null);

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

/// <summary>How a loader identifies itself and how long its claim on a manifest lasts.</summary>
/// <param name="Claimant">who holds a claim (a Lambda container in the cloud; unique per process by default); no white space</param>
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
