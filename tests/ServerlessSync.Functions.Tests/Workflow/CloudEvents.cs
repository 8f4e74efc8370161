using System.Text.Json.Nodes;
using RedshiftDataDouble;

namespace ServerlessSync.Functions.Tests.Workflow;

/// <summary>
/// The events the cloud sends the functions while a load runs, written as the services write them: S3's event
/// notification for a created object, and the Redshift Data API's EventBridge event for an ended statement.
/// </summary>
internal static class CloudEvents
{
    /// <summary>An <c>ObjectCreated:Put</c> notification for one object, as S3 delivers it to Lambda.</summary>
    public static JsonObject ObjectCreated(string bucket, string key, long size, string eTag, DateTimeOffset time) => new()
    {
        ["Records"] = new JsonArray(new JsonObject
        {
            ["eventVersion"] = "2.1",
            ["eventSource"] = "aws:s3",
            ["awsRegion"] = DeployedStateMachine.Region,
            ["eventTime"] = time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"),
            ["eventName"] = "ObjectCreated:Put",
            ["userIdentity"] = new JsonObject { ["principalId"] = "AWS:AROAEXAMPLE:extract" },
            ["requestParameters"] = new JsonObject { ["sourceIPAddress"] = "127.0.0.1" },
            ["responseElements"] = new JsonObject
            {
                ["x-amz-request-id"] = Guid.NewGuid().ToString("N")[..16].ToUpperInvariant(),
                ["x-amz-id-2"] = Convert.ToBase64String(Guid.NewGuid().ToByteArray()),
            },
            ["s3"] = new JsonObject
            {
                ["s3SchemaVersion"] = "1.0",
                ["configurationId"] = "ManifestCreated",
                ["bucket"] = new JsonObject
                {
                    ["name"] = bucket,
                    ["ownerIdentity"] = new JsonObject { ["principalId"] = "A3EXAMPLE" },
                    ["arn"] = $"arn:aws:s3:::{bucket}",
                },
                ["object"] = new JsonObject
                {
                    ["key"] = EventKey(key),
                    ["size"] = size,
                    ["eTag"] = eTag.Trim('"'),
                    ["sequencer"] = time.ToUnixTimeMilliseconds().ToString("X16"),
                },
            },
        }),
    };

    /// <summary>The Data API's "Redshift Data Statement Status Change" event for <paramref name="ended"/>, as EventBridge delivers it.</summary>
    public static JsonObject StatementStatusChange(StatementEnded ended) => new()
    {
        ["version"] = "0",
        ["id"] = Guid.NewGuid().ToString(),
        ["detail-type"] = "Redshift Data Statement Status Change",
        ["source"] = "aws.redshift-data",
        ["account"] = DeployedStateMachine.Account,
        ["time"] = ended.EndedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
        ["region"] = DeployedStateMachine.Region,
        ["resources"] = new JsonArray(ended.ClusterIdentifier is { } cluster
            ? $"arn:aws:redshift:{DeployedStateMachine.Region}:{DeployedStateMachine.Account}:cluster:{cluster}"
            : $"arn:aws:redshift-serverless:{DeployedStateMachine.Region}:{DeployedStateMachine.Account}:workgroup/{ended.WorkgroupName}"),
        ["detail"] = new JsonObject
        {
            ["principal"] = $"arn:aws:sts::{DeployedStateMachine.Account}:assumed-role/LoadFunctionRole/LoadFunction",
            ["statementName"] = ended.StatementName,
            ["statementId"] = ended.StatementId,
            ["redshiftQueryId"] = ended.RedshiftQueryId,
            ["state"] = ended.State,
            ["rows"] = ended.Rows,
            ["expireAt"] = ended.EndedAt.AddHours(24).ToUnixTimeSeconds(),
        },
    };

    /// <summary>
    /// A key as S3 events carry it: form-URL-encoded (a space is <c>+</c>), each path segment escaped and the
    /// slashes kept. S3's exact choice of escaped characters beyond these is not reproduced.
    /// </summary>
    public static string EventKey(string key) =>
        string.Join('/', key.Split('/').Select(segment => Uri.EscapeDataString(segment).Replace("%20", "+", StringComparison.Ordinal)));
}
