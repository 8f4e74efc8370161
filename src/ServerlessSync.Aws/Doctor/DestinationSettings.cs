using Amazon;
using ServerlessSync.Aws.RedshiftData;

namespace ServerlessSync.Aws.Doctor;

/// <summary>
/// What <c>doctor --destination redshift</c> and <c>setup print</c> check and print for: the same settings the functions
/// read (REDSHIFT_*, STAGING_BUCKET, COPY_ROLE_ARN, CUSTOMER_ROLE_ARN, CUSTOMER_EXTERNAL_ID, AWS_REGION).
/// </summary>
public sealed record DestinationSettings
{
    /// <summary>Where staged files go in the bucket: the loader's prefix.</summary>
    public const string DefaultStagingPrefix = "runs/";

    public required RedshiftTarget Target { get; init; }

    public string Schema { get; init; } = "zuora";

    public required string StagingBucket { get; init; }

    public string StagingPrefix { get; init; } = DefaultStagingPrefix;

    /// <summary>COPY's IAM_ROLE (a comma-separated chain allowed, as the loader takes it).</summary>
    public required string CopyRoleArn { get; init; }

    public string? CustomerRoleArn { get; init; }

    public string? CustomerExternalId { get; init; }

    /// <summary>This stack's loader role (LoaderRole's ARN): the principal the customer role's trust policy names. Null: the stack's account root.</summary>
    public string? LoaderRoleArn { get; init; }

    public required RegionEndpoint Region { get; init; }

    public string ConnectorId { get; init; } = "default";

    /// <summary>Check 7 with <c>--direct</c>: also try a TCP connection to <see cref="ClusterEndpoint"/>.</summary>
    public bool Direct { get; init; }

    /// <summary><c>host</c> or <c>host:port</c> of the cluster or workgroup endpoint (port 5439 when none).</summary>
    public string? ClusterEndpoint { get; init; }

    /// <summary>Local endpoints in place of AWS's (tests; VPC endpoints).</summary>
    public DoctorEndpoints Endpoints { get; init; } = new();

    /// <summary>The account owning the database, as far as the ARNs tell: the customer role's, else the COPY role's.</summary>
    public string? DatabaseAccount => AccountOf(CustomerRoleArn) ?? AccountOf(CopyRoleArn.Split(',')[0].Trim());

    internal static string? AccountOf(string? arn)
    {
        var parts = arn?.Split(':');
        return parts is { Length: >= 6 } && parts[4].Length == 12 && parts[4].All(char.IsAsciiDigit) ? parts[4] : null;
    }
}

/// <summary>Endpoint overrides, one per service (null: AWS's regional endpoint).</summary>
public sealed record DoctorEndpoints
{
    public Uri? Sts { get; init; }

    public Uri? Redshift { get; init; }

    public Uri? RedshiftServerless { get; init; }

    public Uri? RedshiftData { get; init; }

    public Uri? S3 { get; init; }
}
