using Amazon.DynamoDBv2.Model;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using static ServerlessSync.Aws.DynamoDb.StatusValues;

namespace ServerlessSync.Aws.DynamoDb;

/// <summary>
/// The latest destination checks: one item per connector, <c>CHECKS</c> in the connector's partition, with <c>ranAt</c>,
/// <c>trigger</c>, <c>runId</c> (when a sync run started them), <c>destination</c>, <c>passed</c> and <c>checks</c>, a list
/// of maps (<c>number</c>, <c>name</c>, <c>outcome</c>, <c>message</c>, <c>fix</c>, <c>causeCode</c>) in the checklist's
/// order. Written with one UpdateItem (the loader's role, which the checks run as, already updates items) that sets every
/// attribute and removes the optional ones a run does not have; never expires.
/// </summary>
public sealed partial class DynamoDbStatusStore : IDestinationCheckStore
{
    /// <summary>The most UTF-8 bytes of a check's message or fix that are stored.</summary>
    public const int MaxCheckTextBytes = 16 * 1024;

    public async Task PutLatestChecksAsync(DestinationCheckRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var checks = run.Report.Checks.Select(c =>
        {
            var map = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
            {
                ["number"] = Number(c.Number),
                ["name"] = String(c.Name),
                ["outcome"] = String(WireText.Of(c.Outcome)),
                ["message"] = String(Truncate(c.Message, MaxCheckTextBytes)!),
            };
            Put(map, "fix", Truncate(c.Fix, MaxCheckTextBytes));
            Put(map, "causeCode", c.CauseCode);
            return new AttributeValue { M = map };
        });
        var values = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
        {
            [":type"] = String(ItemTypes.Checks),
            [":connectorId"] = String(run.ConnectorId),
            [":ranAt"] = Time(run.RanAt),
            [":trigger"] = String(run.Trigger),
            [":destination"] = String(run.Report.Destination),
            [":passed"] = Bool(run.Report.Passed),
            [":checks"] = new AttributeValue { L = [.. checks], IsLSet = true },
        };
        var set = "SET #type = :type, #connectorId = :connectorId, #ranAt = :ranAt, #trigger = :trigger, #destination = :destination, #passed = :passed, #checks = :checks";
        if (run.RunId is { } runId)
        {
            values[":runId"] = String(runId);
            set += ", #runId = :runId";
        }
        else
        {
            set += " REMOVE #runId";
        }

        await _client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = TableName,
            Key = StatusKeys.Key(run.ConnectorId, StatusKeys.ChecksSort),
            UpdateExpression = set,
            ExpressionAttributeNames = Names("type", "connectorId", "ranAt", "trigger", "destination", "passed", "checks", "runId"),
            ExpressionAttributeValues = values,
        }, cancellationToken);
    }

    public async Task<DestinationCheckRun?> GetLatestChecksAsync(string connectorId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        if (await GetItemAsync(connectorId, StatusKeys.ChecksSort, cancellationToken) is not { } item)
        {
            return null;
        }

        var checks = item.TryGetValue("checks", out var list) && list.L is { } entries
            ? entries.Select(e => e.M ?? throw new InvalidDataException($"the destination checks of connector {connectorId} hold an entry that is not a map")).Select(m => new CheckResult(
                (int)RequiredNumber(m, "number"),
                RequiredString(m, "name"),
                RequiredEnum<CheckOutcome>(m, "outcome"),
                RequiredString(m, "message"),
                OptionalString(m, "fix"),
                OptionalString(m, "causeCode"))).ToList()
            : [];
        return new DestinationCheckRun(
            RequiredString(item, "connectorId"),
            RequiredTime(item, "ranAt"),
            RequiredString(item, "trigger"),
            OptionalString(item, "runId"),
            new DoctorReport(RequiredString(item, "destination"), checks));
    }
}
