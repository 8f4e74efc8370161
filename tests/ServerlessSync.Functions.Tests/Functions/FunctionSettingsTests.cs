using ServerlessSync.Functions.Hosting;

namespace ServerlessSync.Functions.Tests.Functions;

public sealed class FunctionSettingsTests
{
    private const string ZuoraSecretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:zuora-oauth-AbCdEf";

    private static readonly Dictionary<string, string?> Cluster = new(StringComparer.Ordinal)
    {
        ["STAGING_BUCKET"] = "serverless-sync-staging",
        ["STATUS_TABLE"] = "serverless-sync-status",
        ["REDSHIFT_CLUSTER_ID"] = "analytics",
        ["REDSHIFT_DATABASE"] = "dev",
        ["REDSHIFT_DB_USER"] = "sync_loader",
        ["COPY_ROLE_ARN"] = "arn:aws:iam::123456789012:role/serverless-sync-copy",
        ["AWS_REGION"] = "eu-west-1",
    };

    [Fact]
    public void TheRequiredVariables_AreEnough_TheRestHaveDefaults()
    {
        var settings = Read(Cluster);

        Assert.Equal(("serverless-sync-staging", "serverless-sync-status", "cluster analytics, database dev, user sync_loader"), (settings.StagingBucket, settings.StatusTable, settings.Redshift.ToString()));
        Assert.Equal(("zuora", "synthetic", "default", "eu-west-1"), (settings.RedshiftSchema, settings.Source, settings.ConnectorId, settings.Region.SystemName));
        Assert.Equal((64L * 1024 * 1024, TimeSpan.FromHours(24), 100_000, 20261126UL), (settings.PartSizeBytes, settings.RunLockLease, settings.SyntheticScale, settings.SyntheticSeed));
        Assert.Null(settings.CustomerRoleArn);
        Assert.Null(settings.S3Endpoint);
        Assert.Empty(settings.FullResyncEvery);
        Assert.Equal(TimeSpan.FromDays(90), settings.StatusRetention);
    }

    [Fact]
    public void FullResync_ReadWithTheSharedSyntax()
    {
        var settings = Read(With(Cluster, ("FULL_RESYNC", "invoice=7, *=30")));

        Assert.Equal(new Dictionary<string, TimeSpan> { ["invoice"] = TimeSpan.FromDays(7), ["*"] = TimeSpan.FromDays(30) }, settings.FullResyncEvery);
    }

    [Fact]
    public void EveryVariable_IsRead()
    {
        var settings = Read(With(Cluster,
            ("REDSHIFT_CLUSTER_ID", ""), ("REDSHIFT_DB_USER", ""), ("REDSHIFT_WORKGROUP", "sync-wg"), ("REDSHIFT_SCHEMA", "billing"),
            ("CUSTOMER_ROLE_ARN", "arn:aws:iam::210987654321:role/customer-sync"), ("CUSTOMER_EXTERNAL_ID", "ext-42"),
            ("SOURCE_SECRET_ARN", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:zuora-abc123"),
            ("SYNTHETIC_SCALE", "5000"), ("SYNTHETIC_SEED", "7"), ("PART_SIZE_MB", "16"), ("RUN_LOCK_HOURS", "1.5"), ("CONNECTOR_ID", "tenant-1"), ("STATUS_RETENTION_DAYS", "7"),
            ("SSYNC_S3_ENDPOINT", "http://127.0.0.1:4569"), ("SSYNC_DYNAMODB_ENDPOINT", "http://127.0.0.1:4567"),
            ("SSYNC_REDSHIFT_DATA_ENDPOINT", "http://127.0.0.1:4570/"), ("SSYNC_STEPFUNCTIONS_ENDPOINT", "http://127.0.0.1:4571/")));

        Assert.True(settings.Redshift.IsServerless);
        Assert.Equal(TimeSpan.FromDays(7), settings.StatusRetention);
        Assert.Equal(("billing", "arn:aws:iam::210987654321:role/customer-sync", "ext-42"), (settings.RedshiftSchema, settings.CustomerRoleArn, settings.CustomerExternalId));
        Assert.Equal((5000, 7UL, 16L * 1024 * 1024, TimeSpan.FromMinutes(90), "tenant-1"), (settings.SyntheticScale, settings.SyntheticSeed, settings.PartSizeBytes, settings.RunLockLease, settings.ConnectorId));
        Assert.Equal(
            ["http://127.0.0.1:4569/", "http://127.0.0.1:4567/", "http://127.0.0.1:4570/", "http://127.0.0.1:4571/"],
            new[] { settings.S3Endpoint, settings.DynamoDbEndpoint, settings.RedshiftDataEndpoint, settings.StepFunctionsEndpoint }.Select(u => u!.ToString()));
    }

    [Theory]
    [InlineData("STAGING_BUCKET")]
    [InlineData("STATUS_TABLE")]
    [InlineData("REDSHIFT_CLUSTER_ID")]
    [InlineData("REDSHIFT_DATABASE")]
    [InlineData("REDSHIFT_DB_USER")]
    [InlineData("COPY_ROLE_ARN")]
    [InlineData("AWS_REGION")]
    public void AMissingRequiredVariable_IsNamed(string name)
    {
        var error = Assert.Throws<FunctionSettingsException>(() => Read(With(Cluster, (name, " "))));

        Assert.Equal(name, error.Variable);
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PART_SIZE_MB", "64MB", "PART_SIZE_MB '64MB' is not a whole number from 1 to 5120")]
    [InlineData("SYNTHETIC_SCALE", "0", "SYNTHETIC_SCALE '0' is not a whole number from 1 to 2147483647")]
    [InlineData("SYNTHETIC_SEED", "-1", "SYNTHETIC_SEED '-1' is not a whole number")]
    [InlineData("RUN_LOCK_HOURS", "0", "RUN_LOCK_HOURS '0' is not a positive number of hours")]
    [InlineData("STATUS_RETENTION_DAYS", "0", "STATUS_RETENTION_DAYS '0' is not a whole number of days from 1 to 3653")]
    [InlineData("SOURCE", "salesforce", "SOURCE 'salesforce' is not a source the functions have; use 'synthetic' or 'zuora'")]
    [InlineData("SOURCE", "zuora", "SOURCE_SECRET_ARN is not set but SOURCE is 'zuora'")]
    [InlineData("ZUORA_JOB_TIMEOUT_MINUTES", "181", "ZUORA_JOB_TIMEOUT_MINUTES '181' is not a whole number from 1 to 180")]
    [InlineData("HISTORICAL_SLICE_ROWS", "-1", "HISTORICAL_SLICE_ROWS '-1' is not a whole number from 0 to")]
    [InlineData("EXTRACT_TIME_LIMIT_SECONDS", "900", "EXTRACT_TIME_LIMIT_SECONDS '900' is not a whole number from 1 to 890")]
    [InlineData("COPY_ROLE_ARN", "serverless-sync-copy", "COPY_ROLE_ARN 'serverless-sync-copy' is not an IAM role ARN")]
    [InlineData("CUSTOMER_ROLE_ARN", "arn:aws:iam::210987654321:role/customer-sync", "CUSTOMER_EXTERNAL_ID is not set but CUSTOMER_ROLE_ARN is")]
    [InlineData("CUSTOMER_EXTERNAL_ID", "ext-42", "CUSTOMER_ROLE_ARN is not set but CUSTOMER_EXTERNAL_ID is")]
    [InlineData("SOURCE_SECRET_ARN", "zuora-secret", "SOURCE_SECRET_ARN 'zuora-secret' is not a Secrets Manager secret ARN")]
    [InlineData("CONNECTOR_ID", "a b", "CONNECTOR_ID: connector id 'a b' must be")]
    [InlineData("REDSHIFT_SCHEMA", "zuora;drop", "REDSHIFT_SCHEMA: schema 'zuora;drop' must be")]
    [InlineData("REDSHIFT_SCHEMA", "Zuora", "REDSHIFT_SCHEMA: schema 'Zuora' has capitals, but Redshift folds names to lower case: write it as 'zuora'")]
    [InlineData("REDSHIFT_WORKGROUP", "sync-wg", "both REDSHIFT_CLUSTER_ID ('analytics') and REDSHIFT_WORKGROUP ('sync-wg') are set")]
    [InlineData("AWS_REGION", "Ireland", "AWS_REGION 'Ireland' is not a region name")]
    [InlineData("FULL_RESYNC", "invoice=7,account=soon", "FULL_RESYNC: full re-sync 'account=soon': 'soon' is not a positive number of days")]
    [InlineData("SSYNC_S3_ENDPOINT", "localhost:4569", "SSYNC_S3_ENDPOINT 'localhost:4569' is not an absolute http(s) URL")]
    public void AnInvalidVariable_IsNamedWithWhatIsWrong(string name, string value, string expected)
    {
        var error = Assert.Throws<FunctionSettingsException>(() => Read(With(Cluster, (name, value))));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, FunctionSettings.DefaultHistoricalSliceRows)]
    [InlineData("0", 0)]
    [InlineData("250000", 250_000)]
    public void HistoricalSliceRows_DefaultZeroOrGiven_InTheSliceSizing(string? value, int expected)
    {
        var settings = Read(value is null ? Cluster : With(Cluster, ("HISTORICAL_SLICE_ROWS", value), ("HISTORICAL_SLICES", "3")));

        Assert.Equal(expected, settings.SliceSizing.RowsPerSlice);
        Assert.Equal(value is null ? 1 : 3, settings.SliceSizing.FixedCount);
    }

    [Fact]
    public void ZuoraSource_WithSecretAndEnvironment_GivesTheSourcesOptions()
    {
        var settings = Read(With(Cluster, ("SOURCE", "zuora"), ("SOURCE_SECRET_ARN", ZuoraSecretArn), ("ZUORA_ENV", "eu-sandbox"), ("ZUORA_JOB_TIMEOUT_MINUTES", "12")));

        var options = settings.ZuoraOptions();

        Assert.Equal(new Uri("https://rest.sandbox.eu.zuora.com"), options.BaseUrl);
        Assert.Equal(TimeSpan.FromMinutes(12), options.JobTimeout);
    }

    [Theory]
    [InlineData(null, "ZUORA_ENV is not set but SOURCE is 'zuora'")]
    [InlineData("moon", "ZUORA_ENV: ")]
    [InlineData("http://rest.zuora.com", "ZUORA_ENV: ")]
    public void ZuoraSource_WithoutAUsableEnvironment_IsRefusedNamingZuoraEnv(string? environment, string expected)
    {
        var error = Assert.Throws<FunctionSettingsException>(() => Read(With(Cluster, ("SOURCE", "zuora"), ("SOURCE_SECRET_ARN", ZuoraSecretArn), ("ZUORA_ENV", environment))));

        Assert.Equal("ZUORA_ENV", error.Variable);
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AWorkgroupWithADatabaseUser_IsRefusedNamingTheUser()
    {
        var error = Assert.Throws<FunctionSettingsException>(() => Read(With(Cluster, ("REDSHIFT_CLUSTER_ID", ""), ("REDSHIFT_WORKGROUP", "sync-wg"))));

        Assert.Equal("REDSHIFT_DB_USER", error.Variable);
    }

    [Fact]
    public void AHostFromSettingsMissingAVariable_FailsBeforeAnyCall()
    {
        var error = Assert.Throws<FunctionSettingsException>(() => FunctionSettings.FromVariables(With(Cluster, ("STATUS_TABLE", null)).GetValueOrDefault));

        Assert.Equal("environment variable STATUS_TABLE is not set: it names the DynamoDB table holding connector and run status", error.Message);
    }

    private static FunctionSettings Read(Dictionary<string, string?> variables) => FunctionSettings.FromVariables(variables.GetValueOrDefault);

    private static Dictionary<string, string?> With(Dictionary<string, string?> variables, params (string Name, string? Value)[] changes)
    {
        var copy = new Dictionary<string, string?>(variables, StringComparer.Ordinal);
        foreach (var (name, value) in changes)
        {
            copy[name] = value;
        }

        return copy;
    }
}
