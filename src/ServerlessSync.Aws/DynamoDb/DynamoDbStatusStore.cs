using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Ports;
using static ServerlessSync.Aws.DynamoDb.StatusValues;

namespace ServerlessSync.Aws.DynamoDb;

/// <summary>
/// The status store and the load claims in one DynamoDB table with a string partition key <c>pk</c> and a string
/// sort key <c>sk</c> (the <c>StatusTable</c> of <c>template.yaml</c>; <see cref="CreateTableAsync"/> makes one).
/// Every item of a connector lives in the partition <c>CONNECTOR#{connectorId}</c>; the item kinds, their keys
/// and the access patterns are documented in <c>docs/dynamodb-status-table.md</c>.
/// <list type="bullet">
/// <item>Every write goes to one item; the ones that must not race (cursor, claims, a run's position)
/// are conditional. No transactions.</item>
/// <item>Reads are strongly consistent, so a write is visible to the next read.</item>
/// <item>Timestamps are stored as UTC text to the tick and read back as UTC: the same instant (and equal by
/// <see cref="DateTimeOffset"/> equality), with offset zero whatever offset was written.</item>
/// <item>Error texts are cut to <see cref="MaxErrorBytes"/> so that no item nears DynamoDB's 400 KB limit.</item>
/// </list>
/// </summary>
public sealed partial class DynamoDbStatusStore : IStatusStore, ILoadClaims
{
    /// <summary>The most UTF-8 bytes of an error text that are stored; a longer text is cut and ends with "… [truncated]".</summary>
    public const int MaxErrorBytes = 32 * 1024;

    private const int MaxCachedRuns = 1024;

    private readonly IAmazonDynamoDB _client;

    // Run sort keys by (connector, run id). A run's sort key never changes once its locator is written,
    // so a cached one is never stale; it saves the locator read when one process writes several object records.
    private readonly ConcurrentDictionary<(string ConnectorId, string RunId), string> _runSortKeys = new();

    public DynamoDbStatusStore(IAmazonDynamoDB client, string tableName)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(tableName);
        _client = client;
        TableName = tableName;
    }

    /// <summary>The status table's name.</summary>
    public string TableName { get; }

    /// <summary>The table's TTL attribute (epoch seconds; <c>template.yaml</c>'s StatusTable expires items by it).</summary>
    public const string ExpiresAtAttribute = "expiresAt";

    /// <summary>
    /// How long runs (their items, object records and locators) and load claims are kept: with a retention each is
    /// written with <see cref="ExpiresAtAttribute"/> at its run's start (a claim's last write) plus the retention, and
    /// DynamoDB's TTL deletes it after that; a run lock a dead run left, the retention after its lease ended. Null
    /// keeps everything (connector and object items are never expired).
    /// </summary>
    public TimeSpan? Retention { get; init; }

    /// <summary>The most items one Query page returns (tests make it small to exercise paging).</summary>
    internal int QueryPageSize { get; init; } = 500;

    public async Task<ConnectorState?> GetConnectorAsync(string connectorId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        var item = await GetItemAsync(connectorId, StatusKeys.ConnectorSort, cancellationToken);
        return item is null
            ? null
            : new ConnectorState
            {
                ConnectorId = RequiredString(item, "connectorId"),
                Source = RequiredString(item, "source"),
                Status = RequiredEnum<ConnectorStatus>(item, "status"),
                SelectedObjects = StringListOrEmpty(item, "selectedObjects"),
                CreatedAt = RequiredTime(item, "createdAt"),
                UpdatedAt = RequiredTime(item, "updatedAt"),
                LastGoodDataAt = OptionalTime(item, "lastGoodDataAt"),
                LastError = OptionalString(item, "lastError"),
                LastRunId = OptionalString(item, "lastRunId"),
            };
    }

    /// <summary>Creates or replaces the connector item (one PutItem). <see cref="ConnectorState.LastError"/> is cut to <see cref="MaxErrorBytes"/>.</summary>
    public async Task PutConnectorAsync(ConnectorState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var item = StatusKeys.Key(state.ConnectorId, StatusKeys.ConnectorSort);
        item["type"] = String(ItemTypes.Connector);
        item["connectorId"] = String(state.ConnectorId);
        item["source"] = String(state.Source);
        item["status"] = String(WireText.Of(state.Status));
        item["selectedObjects"] = StringList(state.SelectedObjects);
        item["createdAt"] = Time(state.CreatedAt);
        item["updatedAt"] = Time(state.UpdatedAt);
        Put(item, "lastGoodDataAt", state.LastGoodDataAt);
        Put(item, "lastError", Truncate(state.LastError, MaxErrorBytes));
        Put(item, "lastRunId", state.LastRunId);
        await _client.PutItemAsync(new PutItemRequest { TableName = TableName, Item = item }, cancellationToken);
    }

    /// <summary>The connector's objects that have an item (written by the first cursor advance), by name (one Query).</summary>
    public async Task<IReadOnlyList<ObjectState>> GetObjectsAsync(string connectorId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        var objects = new List<ObjectState>();
        await foreach (var item in QueryPrefixAsync(connectorId, StatusKeys.ObjectPrefix, newestFirst: false, QueryPageSize, cancellationToken))
        {
            objects.Add(new ObjectState
            {
                ConnectorId = connectorId,
                ObjectName = RequiredString(item, "objectName"),
                Cursor = OptionalTime(item, "cursor"),
                LastLoadedAt = OptionalTime(item, "lastLoadedAt"),
                TotalInserted = OptionalNumber(item, "totalInserted") ?? 0,
                TotalUpdated = OptionalNumber(item, "totalUpdated") ?? 0,
                TotalDeleted = OptionalNumber(item, "totalDeleted") ?? 0,
                LastFullSyncAt = OptionalTime(item, "lastFullSyncAt"),
            });
        }

        return objects;
    }

    /// <summary>
    /// One conditional UpdateItem on the object's item: <c>cursor = :expected</c> (or <c>attribute_not_exists(cursor)</c>
    /// when <paramref name="expectedCursor"/> is null, which also creates the item), setting the cursor and the load time
    /// and adding the outcome to the totals with <c>ADD</c>. Cursors compare as instants (both are UTC text). A full
    /// sync also sets <c>lastFullSyncAt</c> to the new cursor.
    /// </summary>
    public async Task<bool> TryAdvanceCursorAsync(string connectorId, string objectName, DateTimeOffset? expectedCursor, DateTimeOffset newCursor, LoadOutcome outcome, DateTimeOffset loadedAt, bool fullSync, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        ArgumentNullException.ThrowIfNull(objectName);
        ArgumentNullException.ThrowIfNull(outcome);
        var values = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
        {
            [":type"] = String(ItemTypes.Object),
            [":connectorId"] = String(connectorId),
            [":objectName"] = String(objectName),
            [":cursor"] = Time(newCursor),
            [":loadedAt"] = Time(loadedAt),
            [":inserted"] = Number(outcome.Inserted),
            [":updated"] = Number(outcome.Updated),
            [":deleted"] = Number(outcome.Deleted),
        };
        if (expectedCursor is { } expected)
        {
            values[":expected"] = Time(expected);
        }

        string[] names = ["type", "connectorId", "objectName", "cursor", "lastLoadedAt", "totalInserted", "totalUpdated", "totalDeleted"];
        var setFullSync = "";
        if (fullSync)
        {
            values[":fullSyncAt"] = Time(newCursor);
            names = [.. names, "lastFullSyncAt"];
            setFullSync = ", #lastFullSyncAt = :fullSyncAt";
        }

        var request = new UpdateItemRequest
        {
            TableName = TableName,
            Key = StatusKeys.Key(connectorId, StatusKeys.Object(objectName)),
            UpdateExpression = $"SET #type = :type, #connectorId = :connectorId, #objectName = :objectName, #cursor = :cursor, #lastLoadedAt = :loadedAt{setFullSync} "
                + "ADD #totalInserted :inserted, #totalUpdated :updated, #totalDeleted :deleted",
            ConditionExpression = expectedCursor is null ? "attribute_not_exists(#cursor)" : "#cursor = :expected",
            ExpressionAttributeNames = Names(names),
            ExpressionAttributeValues = values,
        };
        try
        {
            await _client.UpdateItemAsync(request, cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <summary>
    /// Creates or replaces the run's own item; <see cref="RunRecord.Objects"/> is ignored (object records are written
    /// only by <see cref="PutObjectRunAsync"/>). The run's sort key holds its start instant, so a run's
    /// <see cref="RunRecord.StartedAt"/> is fixed by its first write: two writes, a conditional PutItem of the
    /// run's locator (new, or already pointing at the same sort key) and a PutItem of the run item.
    /// </summary>
    /// <exception cref="InvalidOperationException">The run was recorded before with another start instant.</exception>
    public async Task PutRunAsync(RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var runSortKey = StatusKeys.Run(run.StartedAt, run.RunId);
        if (!_runSortKeys.TryGetValue((run.ConnectorId, run.RunId), out var known) || known != runSortKey)
        {
            await PutRunLocatorAsync(run, runSortKey, cancellationToken);
        }

        var item = StatusKeys.Key(run.ConnectorId, runSortKey);
        item["type"] = String(ItemTypes.Run);
        item["connectorId"] = String(run.ConnectorId);
        item["runId"] = String(run.RunId);
        item["mode"] = String(WireText.Of(run.Mode));
        item["status"] = String(WireText.Of(run.Status));
        item["startedAt"] = Time(run.StartedAt);
        Put(item, "endedAt", run.EndedAt);
        Put(item, "error", Truncate(run.Error, MaxErrorBytes));
        Expire(item, run.StartedAt);
        await _client.PutItemAsync(new PutItemRequest { TableName = TableName, Item = item }, cancellationToken);
    }

    /// <summary>
    /// Records the run's progress as JSON in its item's <c>progress</c> (one UpdateItem, conditional on the item being
    /// there, after finding the run's sort key); a run the table does not have is left alone.
    /// </summary>
    public async Task PutRunProgressAsync(string connectorId, string runId, RunProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(progress);
        if (await FindRunSortKeyAsync(connectorId, runId, cancellationToken) is not { } runSortKey)
        {
            return;
        }

        try
        {
            await _client.UpdateItemAsync(
                new UpdateItemRequest
                {
                    TableName = TableName,
                    Key = StatusKeys.Key(connectorId, runSortKey),
                    UpdateExpression = "SET progress = :progress",
                    ConditionExpression = "attribute_exists(runId)",
                    ExpressionAttributeValues = new() { [":progress"] = String(JsonSerializer.Serialize(progress, StatusItemJson.Default.RunProgress)) },
                },
                cancellationToken);
        }
        catch (ConditionalCheckFailedException)
        {
            // The run's item is gone (expired): nothing to record against.
        }
    }

    /// <summary>
    /// Creates or replaces one object's record within a run (one PutItem, after reading the run's locator unless
    /// this instance wrote or read it before). <see cref="ObjectRunRecord.Error"/> is cut to <see cref="MaxErrorBytes"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The run has not been recorded with <see cref="PutRunAsync"/>.</exception>
    public async Task PutObjectRunAsync(string connectorId, ObjectRunRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        ArgumentNullException.ThrowIfNull(record);
        var runSortKey = await FindRunSortKeyAsync(connectorId, record.RunId, cancellationToken)
            ?? throw new InvalidOperationException($"run {record.RunId} of connector {connectorId} is not in the status table: put the run before its object records");

        var item = StatusKeys.Key(connectorId, StatusKeys.ObjectRun(runSortKey, record.ObjectName));
        item["type"] = String(ItemTypes.ObjectRun);
        item["connectorId"] = String(connectorId);
        item["runId"] = String(record.RunId);
        item["objectName"] = String(record.ObjectName);
        item["mode"] = String(WireText.Of(record.Mode));
        Put(item, "windowStart", record.WindowStart);
        item["windowEnd"] = Time(record.WindowEnd);
        item["status"] = String(WireText.Of(record.Status));
        item["rowsExtracted"] = Number(record.RowsExtracted);
        item["rowsInserted"] = Number(record.RowsInserted);
        item["rowsUpdated"] = Number(record.RowsUpdated);
        item["rowsDeleted"] = Number(record.RowsDeleted);
        item["files"] = Number(record.Files);
        item["bytes"] = Number(record.Bytes);
        item["extractMs"] = Number(record.ExtractMilliseconds);
        item["loadMs"] = Number(record.LoadMilliseconds);
        Put(item, "manifestKey", record.ManifestKey);
        Put(item, "error", Truncate(record.Error, MaxErrorBytes));
        if (record.FullResync)
        {
            item["fullResync"] = Bool(true);
        }

        Put(item, "jobsSubmittedAt", record.JobsSubmittedAt);
        Put(item, "jobs", record.Jobs);
        if (record.SlicesTotal > 0)
        {
            item["slicesDone"] = Number(record.SlicesDone);
            item["slicesTotal"] = Number(record.SlicesTotal);
        }

        // The run starts at its objects' window end: the record expires with its run.
        Expire(item, record.WindowEnd);
        await _client.PutItemAsync(new PutItemRequest { TableName = TableName, Item = item }, cancellationToken);
    }

    /// <summary>
    /// Adds or takes away one slice's job ids in the object's record with one UpdateItem (ADD or DELETE on the string set
    /// <c>sliceJobs</c>, which no other slice's update overwrites), conditional on the record existing.
    /// </summary>
    public async Task PutSliceJobsAsync(string connectorId, string runId, string objectName, string jobs, bool running, int? slicesDone, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        ArgumentNullException.ThrowIfNull(objectName);
        ArgumentNullException.ThrowIfNull(jobs);
        if (await FindRunSortKeyAsync(connectorId, runId, cancellationToken) is not { } runSortKey)
        {
            return;
        }

        var ids = jobs.Split(", ", StringSplitOptions.RemoveEmptyEntries).ToList();
        var values = new Dictionary<string, AttributeValue>();
        var update = new List<string>();
        if (ids.Count > 0)
        {
            values[":ids"] = new AttributeValue { SS = ids };
            update.Add((running ? "ADD" : "DELETE") + " sliceJobs :ids");
        }

        if (slicesDone is { } done)
        {
            values[":done"] = Number(done);
            update.Add("SET slicesDone = :done");
        }

        if (update.Count == 0)
        {
            return;
        }

        try
        {
            await _client.UpdateItemAsync(
                new UpdateItemRequest
                {
                    TableName = TableName,
                    Key = StatusKeys.Key(connectorId, StatusKeys.ObjectRun(runSortKey, objectName)),
                    UpdateExpression = string.Join(" ", update),
                    ConditionExpression = "attribute_exists(objectName)",
                    ExpressionAttributeValues = values,
                },
                cancellationToken);
        }
        catch (ConditionalCheckFailedException)
        {
            // The object has no record in the run (or it expired): nothing to record against.
        }
    }

    /// <summary>
    /// The run with its object records ordered by object name, or null: the run's locator (GetItem, unless known),
    /// then one Query for the run item and the object records that sort right after it.
    /// </summary>
    public async Task<RunRecord?> GetRunAsync(string connectorId, string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        ArgumentNullException.ThrowIfNull(runId);
        if (await FindRunSortKeyAsync(connectorId, runId, cancellationToken) is not { } runSortKey)
        {
            return null;
        }

        RunRecord? run = null;
        var objects = new List<ObjectRunRecord>();
        await foreach (var item in QueryPrefixAsync(connectorId, runSortKey, newestFirst: false, QueryPageSize, cancellationToken))
        {
            // The prefix also matches a run whose id extends this one's and that started at the same tick: keep ours.
            if (OptionalString(item, "runId") != runId)
            {
                continue;
            }

            switch (OptionalString(item, "type"))
            {
                case ItemTypes.Run:
                    run = ReadRun(item);
                    break;
                case ItemTypes.ObjectRun:
                    objects.Add(ReadObjectRun(item));
                    break;
            }
        }

        // A locator without its run item: a first PutRunAsync that stopped between its two writes.
        return run is null ? null : run with { Objects = objects };
    }

    /// <summary>
    /// At most <paramref name="limit"/> runs, newest first: by start instant, then by run id, both descending. Each
    /// run's object records are ordered by object name. One Query, descending over the connector's run items and
    /// object records (an object record sorts right after its run), paged until the limit is reached.
    /// </summary>
    public async Task<IReadOnlyList<RunRecord>> ListRunsAsync(string connectorId, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return (await ReadRunsNewestFirstAsync(connectorId, limit, after: null, peek: false, cancellationToken)).Runs;
    }

    /// <summary>
    /// A page of runs as <see cref="ListRunsAsync"/> lists them, from the run item after the token's position: the same
    /// descending Query with <c>ExclusiveStartKey</c> set to that run's key. It reads on to the next run item (reading
    /// that run's object records, not returning them) to know whether another page follows.
    /// </summary>
    public async Task<RunPage> ListRunsPageAsync(string connectorId, int limit, string? pageToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var after = pageToken is null ? null : RunPageToken.Read(connectorId, pageToken);
        var (runs, more) = await ReadRunsNewestFirstAsync(connectorId, limit, after, peek: true, cancellationToken);
        return new RunPage(runs, more ? RunPageToken.After(runs[^1]) : null);
    }

    /// <summary>
    /// At most <paramref name="limit"/> runs with their object records, newest first, after <paramref name="after"/>
    /// (from the newest when null); with <paramref name="peek"/>, also whether another run follows them.
    /// </summary>
    private async Task<(List<RunRecord> Runs, bool More)> ReadRunsNewestFirstAsync(
        string connectorId,
        int limit,
        RunPosition? after,
        bool peek,
        CancellationToken cancellationToken)
    {
        var runs = new List<RunRecord>();
        // Descending, a run's object records come before the run item: collect them until it arrives.
        var pending = new Dictionary<string, List<ObjectRunRecord>>(StringComparer.Ordinal);
        // Pages sized for the runs asked for (a run and a few dozen object records each), so a short list reads little.
        var pageSize = (int)Math.Min(QueryPageSize, (limit + (peek ? 1L : 0L)) * 32L);
        var startAfter = after is null ? null : StatusKeys.Key(connectorId, StatusKeys.Run(after.StartedAt, after.RunId));
        await foreach (var item in QueryPrefixAsync(connectorId, StatusKeys.RunPrefix, newestFirst: true, pageSize, cancellationToken, startAfter))
        {
            switch (OptionalString(item, "type"))
            {
                case ItemTypes.ObjectRun when runs.Count < limit:
                    var record = ReadObjectRun(item);
                    if (!pending.TryGetValue(record.RunId, out var list))
                    {
                        pending[record.RunId] = list = [];
                    }

                    list.Add(record);
                    break;
                case ItemTypes.Run when runs.Count == limit:
                    // Only when peeking: one more run follows the page.
                    return (runs, true);
                case ItemTypes.Run:
                    var run = ReadRun(item);
                    var objects = pending.Remove(run.RunId, out var collected) ? collected : [];
                    objects.Reverse();
                    runs.Add(run with { Objects = objects });
                    if (runs.Count == limit && !peek)
                    {
                        return (runs, false);
                    }

                    break;
            }
        }

        return (runs, false);
    }

    /// <summary>
    /// Creates the status table (string <c>pk</c> hash key, string <c>sk</c> range key, on-demand billing, as in
    /// <c>template.yaml</c>) and waits until it is ACTIVE. A table of that name with the same key schema is accepted
    /// as it is.
    /// </summary>
    /// <exception cref="InvalidOperationException">A table of that name exists with another key schema.</exception>
    public static async Task CreateTableAsync(IAmazonDynamoDB client, string tableName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(tableName);
        try
        {
            await client.CreateTableAsync(
                new CreateTableRequest
                {
                    TableName = tableName,
                    BillingMode = BillingMode.PAY_PER_REQUEST,
                    AttributeDefinitions =
                    [
                        new AttributeDefinition(StatusKeys.PartitionKey, ScalarAttributeType.S),
                        new AttributeDefinition(StatusKeys.SortKey, ScalarAttributeType.S),
                    ],
                    KeySchema =
                    [
                        new KeySchemaElement(StatusKeys.PartitionKey, KeyType.HASH),
                        new KeySchemaElement(StatusKeys.SortKey, KeyType.RANGE),
                    ],
                },
                cancellationToken);
        }
        catch (ResourceInUseException)
        {
            // Exists already (or is being created): check below that it is a status table.
        }

        for (var attempt = 0; ; attempt++)
        {
            var table = (await client.DescribeTableAsync(new DescribeTableRequest { TableName = tableName }, cancellationToken)).Table;
            if (!HasStatusKeySchema(table))
            {
                throw new InvalidOperationException($"table {tableName} exists with another key schema; a status table has a string hash key '{StatusKeys.PartitionKey}' and a string range key '{StatusKeys.SortKey}'");
            }

            if (table.TableStatus == TableStatus.ACTIVE)
            {
                return;
            }

            if (attempt >= 600)
            {
                throw new TimeoutException($"table {tableName} is still {table.TableStatus} after waiting for it to become ACTIVE");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }

    /// <summary>Turns on the table's TTL on <see cref="ExpiresAtAttribute"/>, as <c>template.yaml</c> does (idempotent).</summary>
    public static async Task EnableTimeToLiveAsync(IAmazonDynamoDB client, string tableName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var current = await client.DescribeTimeToLiveAsync(new DescribeTimeToLiveRequest { TableName = tableName }, cancellationToken);
        if (current.TimeToLiveDescription?.AttributeName == ExpiresAtAttribute
            && current.TimeToLiveDescription.TimeToLiveStatus == TimeToLiveStatus.ENABLED)
        {
            return;
        }

        await client.UpdateTimeToLiveAsync(
            new UpdateTimeToLiveRequest
            {
                TableName = tableName,
                TimeToLiveSpecification = new TimeToLiveSpecification { AttributeName = ExpiresAtAttribute, Enabled = true },
            },
            cancellationToken);
    }

    /// <summary>DynamoDB TTL's value: whole seconds since the epoch.</summary>
    internal static AttributeValue EpochSeconds(DateTimeOffset at) => new() { N = at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) };

    /// <summary>Adds <see cref="ExpiresAtAttribute"/> (<paramref name="from"/> plus <see cref="Retention"/>) to an item, when there is a retention.</summary>
    private void Expire(Dictionary<string, AttributeValue> item, DateTimeOffset from)
    {
        if (Retention is { } retention)
        {
            item[ExpiresAtAttribute] = EpochSeconds(from + retention);
        }
    }

    /// <summary>Adds <c>SET expiresAt</c> (<paramref name="at"/>) to an update's expression; <paramref name="at"/> null adds nothing.</summary>
    private static void Expire(UpdateItemRequest request, DateTimeOffset? at)
    {
        if (at is not { } expiresAt)
        {
            return;
        }

        var remove = request.UpdateExpression.IndexOf(" REMOVE ", StringComparison.Ordinal);
        request.UpdateExpression = remove < 0
            ? $"{request.UpdateExpression}, #expiresAt = :expiresAtTtl"
            : $"{request.UpdateExpression[..remove]}, #expiresAt = :expiresAtTtl{request.UpdateExpression[remove..]}";
        request.ExpressionAttributeNames["#expiresAt"] = ExpiresAtAttribute;
        request.ExpressionAttributeValues[":expiresAtTtl"] = EpochSeconds(expiresAt);
    }

    private static bool HasStatusKeySchema(TableDescription table)
    {
        var keys = table.KeySchema ?? [];
        var types = (table.AttributeDefinitions ?? []).ToDictionary(a => a.AttributeName, a => a.AttributeType.Value, StringComparer.Ordinal);
        return keys.Count == 2
            && keys.Any(k => k.AttributeName == StatusKeys.PartitionKey && k.KeyType == KeyType.HASH)
            && keys.Any(k => k.AttributeName == StatusKeys.SortKey && k.KeyType == KeyType.RANGE)
            && types.GetValueOrDefault(StatusKeys.PartitionKey) == ScalarAttributeType.S.Value
            && types.GetValueOrDefault(StatusKeys.SortKey) == ScalarAttributeType.S.Value;
    }

    /// <summary>Writes the run's locator, or checks that the one written before names the same sort key.</summary>
    private async Task PutRunLocatorAsync(RunRecord run, string runSortKey, CancellationToken cancellationToken)
    {
        var locator = StatusKeys.Key(run.ConnectorId, StatusKeys.RunLocator(run.RunId));
        locator["type"] = String(ItemTypes.RunLocator);
        locator["runId"] = String(run.RunId);
        locator["runSk"] = String(runSortKey);
        Expire(locator, run.StartedAt);
        try
        {
            await _client.PutItemAsync(
                new PutItemRequest
                {
                    TableName = TableName,
                    Item = locator,
                    ConditionExpression = "attribute_not_exists(#pk) OR #runSk = :runSk",
                    ExpressionAttributeNames = Names(StatusKeys.PartitionKey, "runSk"),
                    ExpressionAttributeValues = new(StringComparer.Ordinal) { [":runSk"] = String(runSortKey) },
                },
                cancellationToken);
        }
        catch (ConditionalCheckFailedException)
        {
            var stored = await FindRunSortKeyAsync(run.ConnectorId, run.RunId, cancellationToken);
            throw new InvalidOperationException(
                $"run {run.RunId} of connector {run.ConnectorId} was recorded with another start time ({stored}); a run's start time cannot change");
        }

        Remember(run.ConnectorId, run.RunId, runSortKey);
    }

    private async Task<string?> FindRunSortKeyAsync(string connectorId, string runId, CancellationToken cancellationToken)
    {
        if (_runSortKeys.TryGetValue((connectorId, runId), out var known))
        {
            return known;
        }

        var locator = await GetItemAsync(connectorId, StatusKeys.RunLocator(runId), cancellationToken);
        if (locator is null)
        {
            return null;
        }

        var runSortKey = RequiredString(locator, "runSk");
        Remember(connectorId, runId, runSortKey);
        return runSortKey;
    }

    private void Remember(string connectorId, string runId, string runSortKey)
    {
        if (_runSortKeys.Count >= MaxCachedRuns)
        {
            _runSortKeys.Clear();
        }

        _runSortKeys[(connectorId, runId)] = runSortKey;
    }

    private static RunRecord ReadRun(Dictionary<string, AttributeValue> item) => new RunRecord
    {
        RunId = RequiredString(item, "runId"),
        ConnectorId = RequiredString(item, "connectorId"),
        Mode = RequiredEnum<RunMode>(item, "mode"),
        Status = RequiredEnum<RunStatus>(item, "status"),
        StartedAt = RequiredTime(item, "startedAt"),
        EndedAt = OptionalTime(item, "endedAt"),
        Error = OptionalString(item, "error"),
        Objects = [],
        Progress = OptionalString(item, "progress") is { } progress ? JsonSerializer.Deserialize(progress, StatusItemJson.Default.RunProgress) : null,
    };

    private static ObjectRunRecord ReadObjectRun(Dictionary<string, AttributeValue> item) => new ObjectRunRecord
    {
        RunId = RequiredString(item, "runId"),
        ObjectName = RequiredString(item, "objectName"),
        Mode = RequiredEnum<SyncMode>(item, "mode"),
        WindowStart = OptionalTime(item, "windowStart"),
        WindowEnd = RequiredTime(item, "windowEnd"),
        Status = RequiredEnum<RunStatus>(item, "status"),
        RowsExtracted = RequiredNumber(item, "rowsExtracted"),
        RowsInserted = RequiredNumber(item, "rowsInserted"),
        RowsUpdated = RequiredNumber(item, "rowsUpdated"),
        RowsDeleted = RequiredNumber(item, "rowsDeleted"),
        Files = checked((int)RequiredNumber(item, "files")),
        Bytes = RequiredNumber(item, "bytes"),
        ExtractMilliseconds = RequiredNumber(item, "extractMs"),
        LoadMilliseconds = RequiredNumber(item, "loadMs"),
        ManifestKey = OptionalString(item, "manifestKey"),
        Error = OptionalString(item, "error"),
        FullResync = OptionalBool(item, "fullResync"),
        JobsSubmittedAt = OptionalTime(item, "jobsSubmittedAt"),
        // A sliced object's running slices add their jobs to the set sliceJobs (PutSliceJobsAsync).
        Jobs = item.TryGetValue("sliceJobs", out var slices) && slices.SS is { Count: > 0 } running
            ? ObjectRuns.WithSliceJobs(OptionalString(item, "jobs"), string.Join(", ", running.Order(StringComparer.Ordinal)), running: true)
            : OptionalString(item, "jobs"),
        SlicesDone = item.ContainsKey("slicesDone") ? checked((int)RequiredNumber(item, "slicesDone")) : 0,
        SlicesTotal = item.ContainsKey("slicesTotal") ? checked((int)RequiredNumber(item, "slicesTotal")) : 0,
    };

    private async Task<Dictionary<string, AttributeValue>?> GetItemAsync(string connectorId, string sortKey, CancellationToken cancellationToken)
    {
        var response = await _client.GetItemAsync(
            new GetItemRequest { TableName = TableName, Key = StatusKeys.Key(connectorId, sortKey), ConsistentRead = true },
            cancellationToken);
        return response.Item is { Count: > 0 } item ? item : null;
    }

    /// <summary>
    /// The connector's items whose sort key starts with <paramref name="prefix"/>, in sort-key order, every page;
    /// with <paramref name="startAfter"/>, only the items after that key (in the order asked for).
    /// </summary>
    private async IAsyncEnumerable<Dictionary<string, AttributeValue>> QueryPrefixAsync(
        string connectorId,
        string prefix,
        bool newestFirst,
        int pageSize,
        [EnumeratorCancellation] CancellationToken cancellationToken,
        Dictionary<string, AttributeValue>? startAfter = null)
    {
        var request = new QueryRequest
        {
            TableName = TableName,
            KeyConditionExpression = "#pk = :pk AND begins_with(#sk, :prefix)",
            ExpressionAttributeNames = Names(StatusKeys.PartitionKey, StatusKeys.SortKey),
            ExpressionAttributeValues = new(StringComparer.Ordinal)
            {
                [":pk"] = String(StatusKeys.Partition(connectorId)),
                [":prefix"] = String(prefix),
            },
            ScanIndexForward = !newestFirst,
            ConsistentRead = true,
            Limit = pageSize,
            ExclusiveStartKey = startAfter,
        };
        while (true)
        {
            var response = await _client.QueryAsync(request, cancellationToken);
            foreach (var item in response.Items ?? [])
            {
                yield return item;
            }

            if (response.LastEvaluatedKey is not { Count: > 0 } next)
            {
                yield break;
            }

            request.ExclusiveStartKey = next;
        }
    }

    /// <summary><c>#name</c> placeholders for attribute names (several are DynamoDB reserved words).</summary>
    private static Dictionary<string, string> Names(params ReadOnlySpan<string> names)
    {
        var map = new Dictionary<string, string>(names.Length, StringComparer.Ordinal);
        foreach (var name in names)
        {
            map["#" + name] = name;
        }

        return map;
    }
}
