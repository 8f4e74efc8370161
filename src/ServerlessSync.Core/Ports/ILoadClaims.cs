namespace ServerlessSync.Core.Ports;

/// <summary>
/// Decides who loads a manifest. Object-created notifications arrive at least once (S3 may deliver one event
/// twice, or two loaders may start at once): the first to claim a manifest loads it, a replay finds the record
/// and does nothing but report the recorded outcome. A claim is a lease: a loader that died holding it is
/// replaced once the lease has expired. A failed load releases its claim so that a retry can load.
/// Keyed by <see cref="Staging.StagedManifest.LoadId"/> within a connector.
/// </summary>
public interface ILoadClaims
{
    /// <summary>
    /// Claims the load for <paramref name="claimant"/> until <paramref name="now"/> + <paramref name="lease"/>:
    /// succeeds when there is no record, the last attempt failed, or the holder's lease has expired.
    /// </summary>
    Task<LoadClaim> TryClaimAsync(string connectorId, string loadId, string claimant, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Records the committed load and its outcome; later claims answer <see cref="LoadClaimResult.AlreadyLoaded"/>. A no-op if already recorded.</summary>
    Task MarkLoadedAsync(string connectorId, string loadId, string claimant, LoadOutcome outcome, DateTimeOffset loadedAt, CancellationToken cancellationToken);

    /// <summary>Gives up <paramref name="claimant"/>'s claim after a failed load, keeping the error; a no-op if another claimant holds it now.</summary>
    Task ReleaseAsync(string connectorId, string loadId, string claimant, string error, DateTimeOffset failedAt, CancellationToken cancellationToken);
}

public enum LoadClaimResult
{
    /// <summary>The caller holds the claim and must load, then mark it loaded or release it.</summary>
    Claimed,

    /// <summary>The manifest was loaded before; <see cref="LoadClaim.Outcome"/> is what that load did.</summary>
    AlreadyLoaded,

    /// <summary>Another loader holds an unexpired claim; <see cref="LoadClaim.Holder"/> and <see cref="LoadClaim.LeaseExpiresAt"/> say who and until when.</summary>
    HeldByAnother,
}

/// <summary>The answer to a claim.</summary>
public sealed record LoadClaim(LoadClaimResult Result, LoadOutcome? Outcome = null, string? Holder = null, DateTimeOffset? LeaseExpiresAt = null);
