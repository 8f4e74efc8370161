using System.Globalization;
using System.Text.RegularExpressions;
using Amazon;
using ServerlessSync.Aws.RedshiftData;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Zuora;
using ServerlessSync.Core.Sql;

namespace ServerlessSync.Functions.Hosting;

/// <summary>
/// The functions' configuration, read once per container from environment variables (the template sets them):
/// <list type="table">
/// <item><term>STAGING_BUCKET</term><description>the staging bucket (required)</description></item>
/// <item><term>STATUS_TABLE</term><description>the DynamoDB status table (required)</description></item>
/// <item><term>REDSHIFT_CLUSTER_ID or REDSHIFT_WORKGROUP</term><description>a provisioned cluster or a Serverless workgroup (exactly one)</description></item>
/// <item><term>REDSHIFT_DATABASE</term><description>the database (required)</description></item>
/// <item><term>REDSHIFT_DB_USER</term><description>the database user, for a cluster only (required with REDSHIFT_CLUSTER_ID)</description></item>
/// <item><term>REDSHIFT_SCHEMA</term><description>the destination schema (default <c>zuora</c>)</description></item>
/// <item><term>COPY_ROLE_ARN</term><description>the role Redshift's COPY assumes to read the bucket (required; a comma-separated chain allowed)</description></item>
/// <item><term>CUSTOMER_ROLE_ARN, CUSTOMER_EXTERNAL_ID</term><description>optional, together: the Data API is called as this role in the customer's account</description></item>
/// <item><term>SOURCE</term><description><c>synthetic</c> (the default) or <c>zuora</c></description></item>
/// <item><term>SOURCE_SECRET_ARN</term><description>the source's credentials in Secrets Manager: required for <c>zuora</c> (JSON with <c>clientId</c> and <c>clientSecret</c>), unused by the synthetic source</description></item>
/// <item><term>ZUORA_ENV</term><description>for <c>zuora</c> (required): the environment name (<c>us</c>, <c>eu-sandbox</c>, …) or the REST base URL</description></item>
/// <item><term>ZUORA_JOB_TIMEOUT_MINUTES</term><description>for <c>zuora</c>: how long an export job may run from its submission before it is cancelled and its object fails (default 180, at most 180: Zuora ends an AQuA query after 3 hours); the state machine waits for it, no function does</description></item>
/// <item><term>HISTORICAL_SLICES, HISTORICAL_SLICE_FROM</term><description>for <c>zuora</c>: a historical read is split into this many slices of <c>UpdatedDate</c> (default 1: not split; at most 100), of equal length from the date HISTORICAL_SLICE_FROM (<c>yyyy-MM-dd</c>, UTC; default 2015-01-01) to the window's end, the first also holding everything before; each slice runs its own jobs and the object loads them as one manifest</description></item>
/// <item><term>HISTORICAL_SLICE_ROWS</term><description>for <c>zuora</c>: the records one slice of a historical read should hold (default 1000000; 0: do not count, use HISTORICAL_SLICES): the object's records are counted first (one ZOQL query call) and read in <c>ceil(count / HISTORICAL_SLICE_ROWS)</c> slices, at most 100, of equal length from HISTORICAL_SLICE_FROM; an object Zuora will not count is read in HISTORICAL_SLICES slices</description></item>
/// <item><term>SYNTHETIC_SCALE, SYNTHETIC_SEED</term><description>rows and seed of the synthetic tenant when it is created (defaults 100000, 20261126)</description></item>
/// <item><term>PART_SIZE_MB</term><description>compressed size at which a staged part closes (default 64)</description></item>
/// <item><term>EXTRACT_TIME_LIMIT_SECONDS</term><description>how long one Extract may read its object before it stops, cancels the source's jobs and fails with a clear error rather than being killed at the function's timeout (default 840, for Extract's 900)</description></item>
/// <item><term>RUN_LOCK_HOURS</term><description>the most a run may hold its connector's lock (default 24)</description></item>
/// <item><term>STATUS_RETENTION_DAYS</term><description>days runs and load claims stay in the status table before its TTL removes them (default 90)</description></item>
/// <item><term>CONNECTOR_ID</term><description>the connector when the execution input names none (default <c>default</c>)</description></item>
/// <item><term>AWS_REGION</term><description>the region (set by Lambda)</description></item>
/// <item><term>SSYNC_S3_ENDPOINT, SSYNC_DYNAMODB_ENDPOINT, SSYNC_REDSHIFT_DATA_ENDPOINT, SSYNC_STEPFUNCTIONS_ENDPOINT, SSYNC_SECRETSMANAGER_ENDPOINT, SSYNC_STS_ENDPOINT, SSYNC_REDSHIFT_ENDPOINT, SSYNC_REDSHIFT_SERVERLESS_ENDPOINT</term><description>tests only: local endpoints in place of AWS's</description></item>
/// </list>
/// A missing or invalid variable fails with a <see cref="FunctionSettingsException"/> naming it.
/// </summary>
public sealed partial record FunctionSettings
{
    public const string SyntheticSource = "synthetic";
    public const string ZuoraSource = "zuora";
    public static readonly TimeSpan DefaultZuoraJobTimeout = TimeSpan.FromMinutes(180);

    /// <summary>The longest ZUORA_JOB_TIMEOUT_MINUTES: Zuora itself ends an AQuA query after 3 hours.</summary>
    public const int MaxZuoraJobTimeoutMinutes = 180;

    /// <summary>The first wait between two checks of a Zuora job in the state machine; each grows ×1.5 up to <see cref="MaxZuoraCheckInterval"/>.</summary>
    public static readonly TimeSpan ZuoraCheckInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest wait between two checks: a 3-hour job then takes about 45 checks, each a handful of the execution's
    /// history events (Step Functions keeps at most 25,000 per execution).
    /// </summary>
    public static readonly TimeSpan MaxZuoraCheckInterval = TimeSpan.FromMinutes(5);
    public const int DefaultPartSizeMb = 64;
    public const int DefaultSyntheticScale = 100_000;
    public const ulong DefaultSyntheticSeed = 20261126;
    public static readonly TimeSpan DefaultExtractTimeLimit = TimeSpan.FromSeconds(840);
    public static readonly TimeSpan DefaultRunLockLease = TimeSpan.FromHours(24);

    /// <summary>How long runs and load claims are kept when <c>STATUS_RETENTION_DAYS</c> is not set.</summary>
    public static readonly TimeSpan DefaultStatusRetention = TimeSpan.FromDays(90);

    public required string StagingBucket { get; init; }

    public required string StatusTable { get; init; }

    public required RedshiftTarget Redshift { get; init; }

    public string RedshiftSchema { get; init; } = "zuora";

    public required string CopyRoleArn { get; init; }

    public string? CustomerRoleArn { get; init; }

    public string? CustomerExternalId { get; init; }

    public string Source { get; init; } = SyntheticSource;

    public string? SourceSecretArn { get; init; }

    /// <summary>For <see cref="ZuoraSource"/>: an environment name or the REST base URL.</summary>
    public string? ZuoraEnvironment { get; init; }

    public TimeSpan ZuoraJobTimeout { get; init; } = DefaultZuoraJobTimeout;

    /// <summary>HISTORICAL_SLICES: how many slices a historical read of a job source is split into (1: not split).</summary>
    public int HistoricalSlices { get; init; } = 1;

    /// <summary>HISTORICAL_SLICE_FROM: where the slices' equal lengths start (the first slice also holds everything before).</summary>
    public DateTimeOffset HistoricalSliceFrom { get; init; } = DefaultHistoricalSliceFrom;

    public static readonly DateTimeOffset DefaultHistoricalSliceFrom = new(2015, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// HISTORICAL_SLICE_ROWS when not set: a million records is about 0.5–2 GB of AQuA CSV (500 B to 2 KB a row), within
    /// Zuora's 2,047 MB file limit and two 500,000-record segments; staged at a pessimistic 5 MB/s that is at most some
    /// 400 s of Extract's 840 s, and one such AQuA query stays far inside Zuora's 3 hours. 100 slices hold 100 million.
    /// </summary>
    public const int DefaultHistoricalSliceRows = 1_000_000;

    /// <summary>HISTORICAL_SLICE_ROWS: the records one slice of a historical read should hold, from the object's count (0: use <see cref="HistoricalSlices"/>).</summary>
    public int HistoricalSliceRows { get; init; } = DefaultHistoricalSliceRows;

    /// <summary>How a historical read is sliced, from HISTORICAL_SLICES, HISTORICAL_SLICE_ROWS and HISTORICAL_SLICE_FROM.</summary>
    public SliceSizing SliceSizing => new(HistoricalSlices, HistoricalSliceRows, HistoricalSliceFrom);

    /// <summary>Wall-clock time one Extract invocation may read for (Lambda's real time, not the pipeline's clock).</summary>
    public TimeSpan ExtractTimeLimit { get; init; } = DefaultExtractTimeLimit;

    public int SyntheticScale { get; init; } = DefaultSyntheticScale;

    public ulong SyntheticSeed { get; init; } = DefaultSyntheticSeed;

    public int PartSizeMb { get; init; } = DefaultPartSizeMb;

    /// <summary>Overrides <see cref="PartSizeMb"/> with an exact byte count (tests stage small parts).</summary>
    public long? PartSizeBytesOverride { get; init; }

    public TimeSpan RunLockLease { get; init; } = DefaultRunLockLease;

    /// <summary>How long runs, their object records and load claims stay in the status table (its TTL removes them after).</summary>
    public TimeSpan StatusRetention { get; init; } = DefaultStatusRetention;

    public string ConnectorId { get; init; } = SyncOptions.DefaultConnectorId;

    /// <summary>FULL_RESYNC (<see cref="FullResyncSchedule.Parse"/>; StartRun reads it): how often objects are read whole again. Empty when not set.</summary>
    public IReadOnlyDictionary<string, TimeSpan> FullResyncEvery { get; init; } = new Dictionary<string, TimeSpan>();

    public required RegionEndpoint Region { get; init; }

    public Uri? S3Endpoint { get; init; }

    public Uri? DynamoDbEndpoint { get; init; }

    public Uri? RedshiftDataEndpoint { get; init; }

    public Uri? StepFunctionsEndpoint { get; init; }

    public Uri? SecretsManagerEndpoint { get; init; }

    /// <summary>The destination checks' STS (check 1), Redshift and Redshift Serverless (check 2) endpoints (tests only).</summary>
    public Uri? StsEndpoint { get; init; }

    public Uri? RedshiftEndpoint { get; init; }

    public Uri? RedshiftServerlessEndpoint { get; init; }

    public long PartSizeBytes => PartSizeBytesOverride ?? PartSizeMb * 1024L * 1024L;

    /// <summary>The settings of this process's environment.</summary>
    public static FunctionSettings FromEnvironment() => FromVariables(Environment.GetEnvironmentVariable);

    /// <summary>The settings from <paramref name="variable"/> (a name → value lookup; null or blank = not set).</summary>
    public static FunctionSettings FromVariables(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        var variables = new SettingVariables(variable, Error);
        var settings = new FunctionSettings
        {
            StagingBucket = variables.Required("STAGING_BUCKET", "the S3 bucket where extracted files are staged"),
            StatusTable = variables.Required("STATUS_TABLE", "the DynamoDB table holding connector and run status"),
            Redshift = ReadTarget(variables.Optional),
            RedshiftSchema = variables.Optional("REDSHIFT_SCHEMA") ?? "zuora",
            CopyRoleArn = variables.Required("COPY_ROLE_ARN", "the IAM role Redshift assumes to read the staging bucket"),
            CustomerRoleArn = variables.Optional("CUSTOMER_ROLE_ARN"),
            CustomerExternalId = variables.Optional("CUSTOMER_EXTERNAL_ID"),
            Source = variables.Optional("SOURCE") ?? SyntheticSource,
            SourceSecretArn = variables.Optional("SOURCE_SECRET_ARN"),
            ZuoraEnvironment = variables.Optional("ZUORA_ENV"),
            ZuoraJobTimeout = TimeSpan.FromMinutes(variables.Integer("ZUORA_JOB_TIMEOUT_MINUTES", (int)DefaultZuoraJobTimeout.TotalMinutes, 1, MaxZuoraJobTimeoutMinutes)),
            HistoricalSlices = variables.Integer("HISTORICAL_SLICES", 1, 1, ExportSlices.MaxSlices),
            HistoricalSliceFrom = SliceFrom(variables.Optional("HISTORICAL_SLICE_FROM")),
            HistoricalSliceRows = variables.Integer("HISTORICAL_SLICE_ROWS", DefaultHistoricalSliceRows, 0, int.MaxValue),
            SyntheticScale = variables.Integer("SYNTHETIC_SCALE", DefaultSyntheticScale, 1, int.MaxValue),
            SyntheticSeed = Seed(variables.Optional("SYNTHETIC_SEED")),
            PartSizeMb = variables.Integer("PART_SIZE_MB", DefaultPartSizeMb, 1, 5 * 1024),
            RunLockLease = Hours(variables.Optional("RUN_LOCK_HOURS")),
            StatusRetention = RetentionDays(variables.Optional("STATUS_RETENTION_DAYS")),
            ExtractTimeLimit = TimeSpan.FromSeconds(variables.Integer("EXTRACT_TIME_LIMIT_SECONDS", (int)DefaultExtractTimeLimit.TotalSeconds, 1, 890)),
            ConnectorId = variables.Optional("CONNECTOR_ID") ?? SyncOptions.DefaultConnectorId,
            FullResyncEvery = FullResync(variables.Optional("FULL_RESYNC")),
            Region = variables.Region(),
            S3Endpoint = variables.Endpoint("SSYNC_S3_ENDPOINT"),
            DynamoDbEndpoint = variables.Endpoint("SSYNC_DYNAMODB_ENDPOINT"),
            RedshiftDataEndpoint = variables.Endpoint("SSYNC_REDSHIFT_DATA_ENDPOINT"),
            StepFunctionsEndpoint = variables.Endpoint("SSYNC_STEPFUNCTIONS_ENDPOINT"),
            SecretsManagerEndpoint = variables.Endpoint("SSYNC_SECRETSMANAGER_ENDPOINT"),
            StsEndpoint = variables.Endpoint("SSYNC_STS_ENDPOINT"),
            RedshiftEndpoint = variables.Endpoint("SSYNC_REDSHIFT_ENDPOINT"),
            RedshiftServerlessEndpoint = variables.Endpoint("SSYNC_REDSHIFT_SERVERLESS_ENDPOINT"),
        };
        settings.Validate();
        return settings;
    }

    private static DateTimeOffset SliceFrom(string? text) =>
        text is null
            ? DefaultHistoricalSliceFrom
            : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                ? new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
                : throw new FunctionSettingsException("HISTORICAL_SLICE_FROM", $"HISTORICAL_SLICE_FROM '{text}' is not a date as yyyy-MM-dd (UTC), such as 2015-01-01");

    /// <summary>Checks what the variables cannot check one by one; throws <see cref="FunctionSettingsException"/> naming the variable.</summary>
    public void Validate()
    {
        if (Source is not (SyntheticSource or ZuoraSource))
        {
            throw new FunctionSettingsException("SOURCE", $"SOURCE '{Source}' is not a source the functions have; use '{SyntheticSource}' or '{ZuoraSource}'");
        }

        if (Source == ZuoraSource)
        {
            ValidateZuora();
        }

        foreach (var role in CopyRoleArn.Split(','))
        {
            if (!RoleArn().IsMatch(role.Trim()))
            {
                throw new FunctionSettingsException("COPY_ROLE_ARN", $"COPY_ROLE_ARN '{CopyRoleArn}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>, or a comma-separated chain of them)");
            }
        }

        if (CustomerRoleArn is not null && CustomerExternalId is null)
        {
            throw new FunctionSettingsException("CUSTOMER_EXTERNAL_ID", "CUSTOMER_EXTERNAL_ID is not set but CUSTOMER_ROLE_ARN is: the customer's role is assumed with the external ID they were given");
        }

        if (CustomerRoleArn is null && CustomerExternalId is not null)
        {
            throw new FunctionSettingsException("CUSTOMER_ROLE_ARN", "CUSTOMER_ROLE_ARN is not set but CUSTOMER_EXTERNAL_ID is: set both, or neither");
        }

        if (CustomerRoleArn is not null && !RoleArn().IsMatch(CustomerRoleArn))
        {
            throw new FunctionSettingsException("CUSTOMER_ROLE_ARN", $"CUSTOMER_ROLE_ARN '{CustomerRoleArn}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)");
        }

        if (SourceSecretArn is not null && !SecretArn().IsMatch(SourceSecretArn))
        {
            throw new FunctionSettingsException("SOURCE_SECRET_ARN", $"SOURCE_SECRET_ARN '{SourceSecretArn}' is not a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)");
        }

        SettingVariables.CheckConnectorId(ConnectorId, Error);

        if (DestinationSchemaName.Problem(RedshiftSchema) is { } schemaProblem)
        {
            throw new FunctionSettingsException("REDSHIFT_SCHEMA", $"REDSHIFT_SCHEMA: {schemaProblem}");
        }
    }

    /// <summary>
    /// The Zuora source's options from <see cref="ZuoraEnvironment"/> and <see cref="ZuoraJobTimeout"/>, with the state
    /// machine's check intervals. One object has at most two jobs (its export and its deletes) at a time: the jobs at
    /// once per tenant are at most twice the Map's object concurrency.
    /// </summary>
    public ZuoraOptions ZuoraOptions()
    {
        ValidateZuora();
        return new ZuoraOptions
        {
            BaseUrl = ZuoraEnvironments.Resolve(ZuoraEnvironment!),
            JobTimeout = ZuoraJobTimeout,
            PollInterval = ZuoraCheckInterval,
            MaxPollInterval = MaxZuoraCheckInterval,
        };
    }

    private void ValidateZuora()
    {
        if (SourceSecretArn is null)
        {
            throw new FunctionSettingsException("SOURCE_SECRET_ARN", "SOURCE_SECRET_ARN is not set but SOURCE is 'zuora': the Zuora OAuth client's credentials are read from that Secrets Manager secret ({\"clientId\": \"...\", \"clientSecret\": \"...\"})");
        }

        if (ZuoraEnvironment is null)
        {
            throw new FunctionSettingsException("ZUORA_ENV", $"ZUORA_ENV is not set but SOURCE is 'zuora': set the tenant's environment ({string.Join(", ", ZuoraEnvironments.Known.Keys)}) or its REST base URL");
        }

        try
        {
            ZuoraEnvironments.Resolve(ZuoraEnvironment);
        }
        catch (ArgumentException e)
        {
            throw new FunctionSettingsException("ZUORA_ENV", $"ZUORA_ENV: {e.Message}");
        }
    }

    private static IReadOnlyDictionary<string, TimeSpan> FullResync(string? text)
    {
        try
        {
            return FullResyncSchedule.Parse(text);
        }
        catch (FormatException e)
        {
            throw new FunctionSettingsException("FULL_RESYNC", $"FULL_RESYNC: {e.Message}");
        }
    }

    private static RedshiftTarget ReadTarget(Func<string, string?> optional)
    {
        var cluster = optional("REDSHIFT_CLUSTER_ID");
        var workgroup = optional("REDSHIFT_WORKGROUP");
        var database = optional("REDSHIFT_DATABASE");
        var user = optional("REDSHIFT_DB_USER");
        if (cluster is null && workgroup is null)
        {
            throw new FunctionSettingsException("REDSHIFT_CLUSTER_ID", "neither REDSHIFT_CLUSTER_ID nor REDSHIFT_WORKGROUP is set: set one (a provisioned cluster, or a Redshift Serverless workgroup)");
        }

        if (cluster is not null && workgroup is not null)
        {
            throw new FunctionSettingsException("REDSHIFT_WORKGROUP", $"both REDSHIFT_CLUSTER_ID ('{cluster}') and REDSHIFT_WORKGROUP ('{workgroup}') are set: set only one");
        }

        if (database is null)
        {
            throw new FunctionSettingsException("REDSHIFT_DATABASE", "environment variable REDSHIFT_DATABASE is not set: it names the Redshift database to load into");
        }

        if (cluster is not null && user is null)
        {
            throw new FunctionSettingsException("REDSHIFT_DB_USER", $"environment variable REDSHIFT_DB_USER is not set: a provisioned cluster ('{cluster}') is reached as a database user");
        }

        if (workgroup is not null && user is not null)
        {
            throw new FunctionSettingsException("REDSHIFT_DB_USER", $"REDSHIFT_DB_USER ('{user}') does not apply to a Serverless workgroup ('{workgroup}'): unset it");
        }

        try
        {
            return RedshiftTarget.From(cluster, database, user, workgroup);
        }
        catch (ArgumentException e)
        {
            var name = RedshiftTarget.VariableOf(e);
            throw new FunctionSettingsException(name, $"{name}: {e.Message}");
        }
    }

    private static ulong Seed(string? text) =>
        text is null ? DefaultSyntheticSeed
        : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seed) ? seed
        : throw new FunctionSettingsException("SYNTHETIC_SEED", $"SYNTHETIC_SEED '{text}' is not a whole number from 0 to {ulong.MaxValue}");

    private static TimeSpan Hours(string? text)
    {
        if (text is null)
        {
            return DefaultRunLockLease;
        }

        return double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var hours) && hours > 0 && hours <= 24 * 366
            ? TimeSpan.FromHours(hours)
            : throw new FunctionSettingsException("RUN_LOCK_HOURS", $"RUN_LOCK_HOURS '{text}' is not a positive number of hours (at most a year)");
    }

    private static TimeSpan RetentionDays(string? text) =>
        text is null ? DefaultStatusRetention
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days is >= 1 and <= 3653 ? TimeSpan.FromDays(days)
        : throw new FunctionSettingsException("STATUS_RETENTION_DAYS", $"STATUS_RETENTION_DAYS '{text}' is not a whole number of days from 1 to 3653");

    private static FunctionSettingsException Error(string variable, string message) => new(variable, message);

    [GeneratedRegex(@"^arn:aws[a-z\-]*:iam::\d{12}:role/[\w+=,.@/-]+$")]
    private static partial Regex RoleArn();

    [GeneratedRegex(@"^arn:aws[a-z\-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$")]
    private static partial Regex SecretArn();

}

/// <summary>A function's configuration is missing or wrong; <see cref="Variable"/> is the environment variable to fix.</summary>
public sealed class FunctionSettingsException(string variable, string message) : Exception(message)
{
    public string Variable { get; } = variable;
}
