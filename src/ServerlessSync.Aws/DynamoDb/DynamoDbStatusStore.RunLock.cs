using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using ServerlessSync.Core.Ports;
using static ServerlessSync.Aws.DynamoDb.StatusValues;

namespace ServerlessSync.Aws.DynamoDb;

/// <summary>
/// The run lock: one item per connector, <c>RUNLOCK</c> in the connector's partition, with <c>holder</c> (the run id),
/// <c>leaseExpiresAt</c> and <c>acquiredAt</c>. It exists only while a run holds (or held, until its lease is taken
/// over) the lock. Taking it is one conditional UpdateItem; giving it up is one conditional DeleteItem.
/// </summary>
public sealed partial class DynamoDbStatusStore : IRunLock
{
    // An acquire that loses its condition reads the item to answer; if the item changed in between (the holder
    // released it or its lease ran out), the acquire is tried again, this many times at most.
    private const int MaxAcquireTries = 5;

    /// <summary>
    /// One conditional UpdateItem with <c>ReturnValues = ALL_OLD</c>, granted when there is no item, its lease ended
    /// (<c>leaseExpiresAt &lt;= now</c>) or its holder is <paramref name="runId"/>; the old item names the run taken
    /// over, if any. When the condition fails, a consistent read of the item names the holder and its lease's end.
    /// </summary>
    public async Task<RunLockResult> TryAcquireAsync(string connectorId, string runId, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        ArgumentException.ThrowIfNullOrEmpty(runId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        var expiresAt = (now + lease).ToUniversalTime();
        var request = new UpdateItemRequest
        {
            TableName = TableName,
            Key = StatusKeys.Key(connectorId, StatusKeys.RunLockSort),
            UpdateExpression = "SET #type = :type, #connectorId = :connectorId, #holder = :runId, #leaseExpiresAt = :expiresAt, #acquiredAt = :now",
            ConditionExpression = "attribute_not_exists(#pk) OR #leaseExpiresAt <= :now OR #holder = :runId",
            ExpressionAttributeNames = Names(StatusKeys.PartitionKey, "type", "connectorId", "holder", "leaseExpiresAt", "acquiredAt"),
            ExpressionAttributeValues = new(StringComparer.Ordinal)
            {
                [":type"] = String(ItemTypes.RunLock),
                [":connectorId"] = String(connectorId),
                [":runId"] = String(runId),
                [":expiresAt"] = Time(expiresAt),
                [":now"] = Time(now),
            },
            ReturnValues = ReturnValue.ALL_OLD,
        };

        // A finished run deletes its lock; one a dead run left goes a retention after its lease ended (until then the
        // next run takes it over and closes the dead run).
        Expire(request, expiresAt + Retention);

        for (var tries = 1; ; tries++)
        {
            try
            {
                var response = await _client.UpdateItemAsync(request, cancellationToken);
                var previous = response.Attributes is { Count: > 0 } old ? OptionalString(old, "holder") : null;
                return new RunLockResult(true, runId, expiresAt, previous is not null && previous != runId ? previous : null);
            }
            catch (ConditionalCheckFailedException)
            {
            }

            if (await GetItemAsync(connectorId, StatusKeys.RunLockSort, cancellationToken) is { } item
                && RequiredTime(item, "leaseExpiresAt") > now
                && RequiredString(item, "holder") != runId)
            {
                return new RunLockResult(false, RequiredString(item, "holder"), RequiredTime(item, "leaseExpiresAt"));
            }

            // Changed since the condition failed (released, or its lease ended): acquire again.
            if (tries == MaxAcquireTries)
            {
                throw new InvalidOperationException($"the run lock of connector {connectorId} kept changing while run {runId} tried to take it");
            }
        }
    }

    /// <summary>One DeleteItem of the lock on condition <c>holder = :runId</c>; nothing changes for any other run.</summary>
    public async Task ReleaseAsync(string connectorId, string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        ArgumentNullException.ThrowIfNull(runId);
        try
        {
            await _client.DeleteItemAsync(
                new DeleteItemRequest
                {
                    TableName = TableName,
                    Key = StatusKeys.Key(connectorId, StatusKeys.RunLockSort),
                    ConditionExpression = "#holder = :runId",
                    ExpressionAttributeNames = Names("holder"),
                    ExpressionAttributeValues = new(StringComparer.Ordinal) { [":runId"] = String(runId) },
                },
                cancellationToken);
        }
        catch (ConditionalCheckFailedException)
        {
            // Not held, or held by another run that took it over after this run's lease ended.
        }
    }
}
