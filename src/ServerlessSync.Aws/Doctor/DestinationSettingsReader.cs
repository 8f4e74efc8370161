using System.Text.Json;
using Amazon;
using ServerlessSync.Aws.RedshiftData;
using ServerlessSync.Core.Sql;

namespace ServerlessSync.Aws.Doctor;

/// <summary>
/// Reads <see cref="DestinationSettings"/> by the names the functions use for them (REDSHIFT_CLUSTER_ID,
/// REDSHIFT_WORKGROUP, REDSHIFT_DATABASE, REDSHIFT_DB_USER, REDSHIFT_SCHEMA, STAGING_BUCKET, COPY_ROLE_ARN,
/// CUSTOMER_ROLE_ARN, CUSTOMER_EXTERNAL_ID, LOADER_ROLE_ARN, AWS_REGION, and the tests' SSYNC_*_ENDPOINT), from a lookup
/// the caller layers: the CLI's options first, then the environment, then the connector's saved settings
/// (<see cref="ReadSavedFile"/>). A missing or contradictory value throws <see cref="DestinationSettingsException"/>
/// naming it.
/// </summary>
public static class DestinationSettingsReader
{
    /// <summary>Every name read, in the order a help text lists them.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "REDSHIFT_CLUSTER_ID", "REDSHIFT_WORKGROUP", "REDSHIFT_DATABASE", "REDSHIFT_DB_USER", "REDSHIFT_SCHEMA", "STAGING_BUCKET",
        "COPY_ROLE_ARN", "CUSTOMER_ROLE_ARN", "CUSTOMER_EXTERNAL_ID", "LOADER_ROLE_ARN", "AWS_REGION",
    ];

    /// <summary>Reads the settings; <paramref name="requireBucketAndRole"/> false lets <c>setup print</c> show placeholders for what is missing.</summary>
    public static DestinationSettings Read(Func<string, string?> value, bool requireBucketAndRole = true)
    {
        ArgumentNullException.ThrowIfNull(value);
        string? Get(string name) => value(name) is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        var cluster = Get("REDSHIFT_CLUSTER_ID");
        var workgroup = Get("REDSHIFT_WORKGROUP");
        RedshiftTarget target;
        try
        {
            target = RedshiftTarget.From(cluster, Get("REDSHIFT_DATABASE"), Get("REDSHIFT_DB_USER"), workgroup);
        }
        catch (ArgumentException e)
        {
            var name = RedshiftTarget.VariableOf(e);
            throw new DestinationSettingsException(name, $"{name}: {e.Message.Split(':')[0]}; set REDSHIFT_CLUSTER_ID, REDSHIFT_DATABASE and REDSHIFT_DB_USER (a provisioned cluster) or REDSHIFT_WORKGROUP and REDSHIFT_DATABASE (Serverless)");
        }

        var schema = Get("REDSHIFT_SCHEMA") ?? "zuora";
        if (DestinationSchemaName.Problem(schema) is { } problem)
        {
            throw new DestinationSettingsException("REDSHIFT_SCHEMA", $"REDSHIFT_SCHEMA: {problem}");
        }

        var bucket = Get("STAGING_BUCKET");
        var copyRole = Get("COPY_ROLE_ARN");
        if (requireBucketAndRole && bucket is null)
        {
            throw new DestinationSettingsException("STAGING_BUCKET", "STAGING_BUCKET is not set: name the stack's staging bucket (the stack's output StagingBucketName)");
        }

        if (requireBucketAndRole && copyRole is null)
        {
            throw new DestinationSettingsException("COPY_ROLE_ARN", "COPY_ROLE_ARN is not set: name the IAM role COPY reads the staging bucket with");
        }

        var region = Get("AWS_REGION") ?? Get("AWS_DEFAULT_REGION")
            ?? throw new DestinationSettingsException("AWS_REGION", "AWS_REGION is not set: name the region of the cluster or workgroup (and the stack)");
        return new DestinationSettings
        {
            Target = target,
            Schema = schema,
            StagingBucket = bucket ?? "{staging bucket}",
            CopyRoleArn = copyRole ?? "{copy role arn}",
            CustomerRoleArn = Get("CUSTOMER_ROLE_ARN"),
            CustomerExternalId = Get("CUSTOMER_EXTERNAL_ID"),
            LoaderRoleArn = Get("LOADER_ROLE_ARN"),
            Region = RegionEndpoint.GetBySystemName(region),
            Endpoints = new DoctorEndpoints
            {
                Sts = Endpoint(Get("SSYNC_STS_ENDPOINT")),
                Redshift = Endpoint(Get("SSYNC_REDSHIFT_ENDPOINT")),
                RedshiftServerless = Endpoint(Get("SSYNC_REDSHIFT_SERVERLESS_ENDPOINT")),
                RedshiftData = Endpoint(Get("SSYNC_REDSHIFT_DATA_ENDPOINT")),
                S3 = Endpoint(Get("SSYNC_S3_ENDPOINT")),
            },
        };
    }

    /// <summary>
    /// A connector's saved settings: a JSON object whose members are the names above (<c>{"REDSHIFT_CLUSTER_ID": "…", …}</c>);
    /// empty when the file does not exist.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ReadSavedFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            return new Dictionary<string, string>();
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return document.RootElement.EnumerateObject()
                .Where(p => p.Value.ValueKind == JsonValueKind.String)
                .ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new DestinationSettingsException(path, $"{path} is not a JSON object of settings ({e.Message.Split('.')[0]}): fix or remove it");
        }
    }

    private static Uri? Endpoint(string? text) => text is null ? null : new Uri(text);
}

/// <summary>A destination setting is missing or wrong; <see cref="Name"/> is the setting to fix.</summary>
public sealed class DestinationSettingsException(string name, string message) : Exception(message)
{
    public string Name { get; } = name;
}
