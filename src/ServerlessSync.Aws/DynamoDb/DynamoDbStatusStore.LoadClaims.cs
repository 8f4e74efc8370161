using Amazon.DynamoDBv2.Model;
using ServerlessSync.Core.Ports;
using static ServerlessSync.Aws.DynamoDb.StatusValues;

namespace ServerlessSync.Aws.DynamoDb;

/// <summary>
/// Load claims: one item per manifest, <c>LOAD#{loadId}</c> in the connector's partition, whose <c>state</c> is
/// <c>LOADING</c> (with <c>holder</c> and <c>leaseExpiresAt</c>), <c>LOADED</c> (with the outcome) or <c>FAILED</c>
/// (with <c>lastError</c>); <c>attempts</c> counts the claims granted. Every change is one conditional UpdateItem.
/// </summary>
public sealed partial class DynamoDbStatusStore
{
    private const string Loading = "LOADING";
    private const string Loaded = "LOADED";
    private const string Failed = "FAILED";

    // A claim that loses its condition reads the item to answer; if the item changed in between (the holder
    // failed or its lease ran out), the claim is tried again, this many times at most.
    private const int MaxClaimTries = 5;

    /// <summary>
    /// One conditional UpdateItem granting the claim when there is no item, the last attempt <c>FAILED</c>, or it is
    /// <c>LOADING</c> and its lease ended (<c>leaseExpiresAt &lt;= now</c>: a lease "until T" is over at T) or its
    /// holder is <paramref name="claimant"/> itself (a retried claim renews the lease instead of finding itself in the
    /// way). When the condition fails, a consistent read of the item gives the answer. The answer to a granted claim
    /// carries the claimant and the lease's end.
    /// </summary>
    public async Task<LoadClaim> TryClaimAsync(string connectorId, string loadId, string claimant, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        ArgumentNullException.ThrowIfNull(loadId);
        ArgumentException.ThrowIfNullOrEmpty(claimant);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        var leaseExpiresAt = now + lease;
        var request = new UpdateItemRequest
        {
            TableName = TableName,
            Key = StatusKeys.Key(connectorId, StatusKeys.Load(loadId)),
            UpdateExpression = "SET #type = :type, #connectorId = :connectorId, #loadId = :loadId, #state = :loading, #holder = :claimant, "
                + "#leaseExpiresAt = :leaseExpiresAt, #claimedAt = :now, #attempts = if_not_exists(#attempts, :zero) + :one",
            ConditionExpression = "attribute_not_exists(#pk) OR #state = :failed "
                + "OR (#state = :loading AND (#leaseExpiresAt <= :now OR #holder = :claimant))",
            ExpressionAttributeNames = Names(StatusKeys.PartitionKey, "type", "connectorId", "loadId", "state", "holder", "leaseExpiresAt", "claimedAt", "attempts"),
            ExpressionAttributeValues = new(StringComparer.Ordinal)
            {
                [":type"] = String(ItemTypes.Load),
                [":connectorId"] = String(connectorId),
                [":loadId"] = String(loadId),
                [":loading"] = String(Loading),
                [":failed"] = String(Failed),
                [":claimant"] = String(claimant),
                [":leaseExpiresAt"] = Time(leaseExpiresAt),
                [":now"] = Time(now),
                [":zero"] = Number(0),
                [":one"] = Number(1),
            },
        };
        Expire(request, now + Retention);

        for (var tries = 1; ; tries++)
        {
            try
            {
                await _client.UpdateItemAsync(request, cancellationToken);
                return new LoadClaim(LoadClaimResult.Claimed, Holder: claimant, LeaseExpiresAt: leaseExpiresAt.ToUniversalTime());
            }
            catch (ConditionalCheckFailedException)
            {
            }

            var item = await GetItemAsync(connectorId, StatusKeys.Load(loadId), cancellationToken);
            switch (item is null ? null : OptionalString(item, "state"))
            {
                case Loaded:
                    return new LoadClaim(LoadClaimResult.AlreadyLoaded, Outcome: ReadOutcome(item!));
                case Loading when RequiredTime(item!, "leaseExpiresAt") > now && RequiredString(item!, "holder") != claimant:
                    return new LoadClaim(LoadClaimResult.HeldByAnother, Holder: RequiredString(item!, "holder"), LeaseExpiresAt: RequiredTime(item!, "leaseExpiresAt"));
            }

            // Changed since the condition failed (released, or its lease ended): claim again.
            if (tries == MaxClaimTries)
            {
                throw new InvalidOperationException($"load {loadId} of connector {connectorId} kept changing while {claimant} tried to claim it");
            }
        }
    }

    /// <summary>
    /// One conditional UpdateItem setting <c>LOADED</c> with the outcome, the time and <paramref name="claimant"/> as
    /// <c>loadedBy</c>, unless the item is <c>LOADED</c> already (then nothing changes: the first outcome stays).
    /// It does not require the claim still to be held: the load committed, whoever holds the claim now.
    /// </summary>
    public async Task MarkLoadedAsync(string connectorId, string loadId, string claimant, LoadOutcome outcome, DateTimeOffset loadedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        ArgumentNullException.ThrowIfNull(loadId);
        ArgumentNullException.ThrowIfNull(claimant);
        ArgumentNullException.ThrowIfNull(outcome);
        var request = new UpdateItemRequest
        {
            TableName = TableName,
            Key = StatusKeys.Key(connectorId, StatusKeys.Load(loadId)),
            UpdateExpression = "SET #type = :type, #connectorId = :connectorId, #loadId = :loadId, #state = :loaded, #loadedBy = :claimant, "
                + "#loadedAt = :loadedAt, #inserted = :inserted, #updated = :updated, #deleted = :deleted, #unchanged = :unchanged, "
                + "#alreadyLoaded = :alreadyLoaded, #attempts = if_not_exists(#attempts, :one) "
                + "REMOVE #holder, #leaseExpiresAt",
            ConditionExpression = "attribute_not_exists(#pk) OR #state <> :loaded",
            ExpressionAttributeNames = Names(
                StatusKeys.PartitionKey, "type", "connectorId", "loadId", "state", "loadedBy", "loadedAt", "inserted", "updated", "deleted",
                "unchanged", "alreadyLoaded", "attempts", "holder", "leaseExpiresAt"),
            ExpressionAttributeValues = new(StringComparer.Ordinal)
            {
                [":type"] = String(ItemTypes.Load),
                [":connectorId"] = String(connectorId),
                [":loadId"] = String(loadId),
                [":loaded"] = String(Loaded),
                [":claimant"] = String(claimant),
                [":loadedAt"] = Time(loadedAt),
                [":inserted"] = Number(outcome.Inserted),
                [":updated"] = Number(outcome.Updated),
                [":deleted"] = Number(outcome.Deleted),
                [":unchanged"] = Number(outcome.Unchanged),
                [":alreadyLoaded"] = Bool(outcome.AlreadyLoaded),
                [":one"] = Number(1),
            },
        };
        Expire(request, loadedAt + Retention);
        try
        {
            await _client.UpdateItemAsync(request, cancellationToken);
        }
        catch (ConditionalCheckFailedException)
        {
            // Recorded before: the first outcome stands.
        }
    }

    /// <summary>
    /// One conditional UpdateItem setting <c>FAILED</c> with the error (cut to <see cref="MaxErrorBytes"/>) and the time,
    /// only while the item is <c>LOADING</c> held by <paramref name="claimant"/>; otherwise nothing changes.
    /// </summary>
    public async Task ReleaseAsync(string connectorId, string loadId, string claimant, string error, DateTimeOffset failedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        ArgumentNullException.ThrowIfNull(loadId);
        ArgumentNullException.ThrowIfNull(claimant);
        ArgumentNullException.ThrowIfNull(error);
        var request = new UpdateItemRequest
        {
            TableName = TableName,
            Key = StatusKeys.Key(connectorId, StatusKeys.Load(loadId)),
            UpdateExpression = "SET #state = :failed, #lastError = :error, #failedAt = :failedAt, #failedBy = :claimant REMOVE #holder, #leaseExpiresAt",
            ConditionExpression = "#state = :loading AND #holder = :claimant",
            ExpressionAttributeNames = Names("state", "lastError", "failedAt", "failedBy", "holder", "leaseExpiresAt"),
            ExpressionAttributeValues = new(StringComparer.Ordinal)
            {
                [":failed"] = String(Failed),
                [":loading"] = String(Loading),
                [":error"] = String(Truncate(error, MaxErrorBytes)!),
                [":failedAt"] = Time(failedAt),
                [":claimant"] = String(claimant),
            },
        };
        Expire(request, failedAt + Retention);
        try
        {
            await _client.UpdateItemAsync(request, cancellationToken);
        }
        catch (ConditionalCheckFailedException)
        {
            // Not (or no longer) this claimant's claim.
        }
    }

    private static LoadOutcome ReadOutcome(Dictionary<string, AttributeValue> item) => new(
        RequiredNumber(item, "inserted"),
        RequiredNumber(item, "updated"),
        RequiredNumber(item, "deleted"),
        RequiredNumber(item, "unchanged"),
        OptionalBool(item, "alreadyLoaded"));
}
