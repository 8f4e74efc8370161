using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Amazon;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Time.Testing;
using RedshiftDataDouble;
using ServerlessSync.Aws.DynamoDb;
using ServerlessSync.Aws.Http;
using ServerlessSync.Aws.RedshiftData;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Staging;
using ServerlessSync.Functions.Hosting;
using ServerlessSync.Sources.Synthetic;
using ServerlessSync.Testing;
using ServerlessSync.Testing.Aws;
using ServerlessSync.Testing.Http;

namespace ServerlessSync.Functions.Tests.Support;

/// <summary>How a <see cref="FunctionsTestHost"/> is set up; every member has a default.</summary>
public sealed record FunctionsTestHostOptions
{
    /// <summary>The pipeline's clock; null = a <see cref="FakeTimeProvider"/> at <see cref="FunctionsTestHost.SampleTime"/>.</summary>
    public TimeProvider? Clock { get; init; }

    /// <summary>Rows of the synthetic tenant (small: a test run extracts every object).</summary>
    public int SyntheticScale { get; init; } = 2_000;

    /// <summary>Compressed bytes at which a staged part closes (small, so objects have several parts).</summary>
    public long PartSizeBytes { get; init; } = 64 * 1024;

    /// <summary>The Redshift destination (and the Data API double's target); null = <see cref="FunctionsTestHost.Target"/>, a provisioned cluster.</summary>
    public RedshiftTarget? Destination { get; init; }

    /// <summary>A customer role (ARN, external id) the warehouse's calls assume through STS (moto's); null = none.</summary>
    public (string RoleArn, string ExternalId)? CustomerRole { get; init; }

    /// <summary>The database user's grants in the Data API double (null: its defaults, CREATE and TEMPORARY on the database).</summary>
    public IReadOnlyList<string>? DatabaseUserGrants { get; init; }

    /// <summary>Changes the settings the host is built from (after the stack's endpoints are in).</summary>
    public Func<FunctionSettings, FunctionSettings>? Configure { get; init; }
}

/// <summary>
/// The functions composed against the local stack, for any test that calls the function classes (this project's
/// handler tests, and the workflow tests that run the state machine's Lambda tasks on them). Start one per test with
/// <see cref="StartAsync"/> and dispose it; each gets its own bucket and status table on moto, Data API
/// double (a PostgreSQL database of its own, COPY reading moto's S3) and Step Functions callback endpoint
/// (<see cref="StepFunctions"/>), so tests run in parallel.
/// <list type="bullet">
/// <item>Call a function by its class (<see cref="StartRun"/>, <see cref="Extract"/>…), or by its name with
/// <see cref="InvokeAsync(string, string)"/> (<c>StartRun</c>, <c>Extract</c>, <c>Load</c>, <c>LoadCompleted</c>,
/// <c>RecordObject</c>, <c>Cleanup</c>, <c>FinishRun</c>): JSON in, JSON out, exceptions as Lambda would report them.</item>
/// <item>Nothing delivers S3 or EventBridge events here: after Extract wrote a manifest, <see cref="DeliverManifestEventAsync"/>
/// plays S3 → Load and, for each load submitted, the Data API's completion event → LoadCompleted, which answers the
/// task token on <see cref="StepFunctions"/> (where <see cref="LocalStepFunctions.WaitForAnswerAsync"/> picks
/// it up). <see cref="ManifestCreatedEvent"/> and <see cref="StatementEvent"/> build those events for finer control.</item>
/// <item>The clock is a <see cref="FakeTimeProvider"/> at <see cref="SampleTime"/> unless given, so the run the
/// <c>events/</c> samples describe (connector <c>default</c>, run <see cref="SampleRunId"/>, windows ending at
/// <see cref="SampleTime"/>) is the run StartRun plans. The host claims loads as <see cref="SampleClaimant"/>, the
/// claimant in the samples' statement names.</item>
/// </list>
/// </summary>
public sealed class FunctionsTestHost : IAsyncDisposable
{
    /// <summary>When the samples' run starts: the fake clock's time.</summary>
    public static readonly DateTimeOffset SampleTime = new(2026, 11, 26, 21, 30, 0, TimeSpan.Zero);

    /// <summary>The run id (and execution name) of the samples.</summary>
    public const string SampleRunId = "20261126T213000Z-a1b2c3";

    /// <summary>The claimant in the samples' statement names.</summary>
    public const string SampleClaimant = "lambda-3f6c2a9e5b8d4c1fa0e7b6d5c4b3a291";

    public const string CopyRoleArn = "arn:aws:iam::123456789012:role/serverless-sync-copy";

    public static readonly RedshiftTarget Target = RedshiftTarget.ProvisionedCluster("sync-test", "dev", "sync_loader");

    private readonly StringWriter _log = new();
    private readonly RedshiftDataClient _dataApi;
    private readonly IAmazonDynamoDB _dynamoDb;

    private readonly LocalRedshiftServerless? _serverless;

    private FunctionsTestHost(FunctionSettings settings, TimeProvider clock, IAmazonS3 s3, IAmazonDynamoDB dynamoDb, RedshiftDataDoubleServer redshift, LocalStepFunctions stepFunctions, LocalRedshiftServerless? serverless)
    {
        _serverless = serverless;
        Settings = settings;
        Clock = clock;
        S3 = s3;
        _dynamoDb = dynamoDb;
        Redshift = redshift;
        StepFunctions = stepFunctions;
        Host = new FunctionHost(settings, clock, Credentials, TextWriter.Synchronized(_log))
        {
            LoadOptions = new LoadStepOptions(SampleClaimant, LoadStepOptions.DefaultClaimLease),
        };
        _dataApi = new RedshiftDataClient(new AwsClientOptions(Credentials, RegionEndpoint.USEast1) { ServiceUrl = redshift.Endpoint });
        StartRun = new StartRunFunction(Host);
        Extract = new ExtractFunction(Host);
        Load = new LoadFunction(Host);
        LoadCompleted = new LoadCompletedFunction(Host);
        RecordObject = new RecordObjectFunction(Host);
        Cleanup = new CleanupFunction(Host);
        FinishRun = new FinishRunFunction(Host);
        Doctor = new DoctorFunction(Host);
    }

    /// <summary>What every client signs with: the local servers (moto, the doubles) take any credentials.</summary>
    public static AWSCredentials Credentials { get; } = new BasicAWSCredentials("AKIDLOCALTEST", "local-test-secret");

    public FunctionHost Host { get; }

    public FunctionSettings Settings { get; }

    public TimeProvider Clock { get; }

    /// <summary>The clock, when it is the default fake one (to move time in a test).</summary>
    public FakeTimeProvider? FakeClock => Clock as FakeTimeProvider;

    /// <summary>A client of the test's S3 (moto), configured as the functions' own.</summary>
    public IAmazonS3 S3 { get; }

    public string Bucket => Settings.StagingBucket;

    public DynamoDbStatusStore Status => Host.Status;

    public RedshiftDataDoubleServer Redshift { get; }

    public LocalStepFunctions StepFunctions { get; }

    public StartRunFunction StartRun { get; }

    public ExtractFunction Extract { get; }

    public LoadFunction Load { get; }

    public LoadCompletedFunction LoadCompleted { get; }

    public RecordObjectFunction RecordObject { get; }

    public CleanupFunction Cleanup { get; }

    public FinishRunFunction FinishRun { get; }

    public DoctorFunction Doctor { get; }

    /// <summary>The JSON log lines the functions wrote so far.</summary>
    public IReadOnlyList<string> LogLines => _log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static async Task<FunctionsTestHost> StartAsync(FunctionsTestHostOptions? options = null)
    {
        options ??= new FunctionsTestHostOptions();
        AwsCalls.Install();
        if (options.CustomerRole is not null)
        {
            // The SDK's STS client (inside AssumeRoleAWSCredentials) takes its endpoint from here: moto serves STS.
            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_STS", TestStack.S3Endpoint.ToString());
        }

        var clock = options.Clock ?? new FakeTimeProvider(SampleTime);
        var settings = new FunctionSettings
        {
            StagingBucket = TestStack.UniqueName("functions"),
            StatusTable = TestStack.UniqueName("status"),
            Redshift = options.Destination ?? Target,
            CustomerRoleArn = options.CustomerRole?.RoleArn,
            CustomerExternalId = options.CustomerRole?.ExternalId,
            RedshiftSchema = "zuora",
            CopyRoleArn = CopyRoleArn,
            SyntheticScale = options.SyntheticScale,
            PartSizeBytesOverride = options.PartSizeBytes,
            Region = RegionEndpoint.USEast1,
            S3Endpoint = TestStack.S3Endpoint,
            DynamoDbEndpoint = TestStack.DynamoDbEndpoint,
        };

        var s3 = ServiceClients.S3(Credentials, settings.Region, settings.S3Endpoint);
        var dynamoDb = ServiceClients.DynamoDb(Credentials, settings.Region, settings.DynamoDbEndpoint);
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = settings.StagingBucket });
        await DynamoDbStatusStore.CreateTableAsync(dynamoDb, settings.StatusTable, CancellationToken.None);
        var redshift = await RedshiftDataDoubleServer.StartAsync(new RedshiftDataDoubleOptions
        {
            AdminConnectionString = TestStack.PostgresConnectionString,
            S3 = s3,
            DatabaseUserGrants = options.DatabaseUserGrants ?? RedshiftDataDoubleOptions.DefaultDatabaseUserGrants,
            Targets = [settings.Redshift.WorkgroupName is { } workgroup
                ? RedshiftDataTarget.Workgroup(workgroup, settings.Redshift.Database)
                : RedshiftDataTarget.Cluster(settings.Redshift.ClusterIdentifier!, settings.Redshift.Database, settings.Redshift.DbUser!)],
        });
        var stepFunctions = await LocalStepFunctions.StartAsync();
        // The destination checks: STS and Redshift's GetClusterCredentials on moto (the cluster created in the account the
        // checks sign as: the customer role's, when one is assumed), GetCredentials on a local Serverless stand-in.
        LocalRedshiftServerless? serverless = null;
        if (settings.Redshift.IsServerless)
        {
            serverless = await LocalRedshiftServerless.StartAsync();
        }
        else
        {
            await MotoQuery.CreateClusterAsync(settings.Redshift.ClusterIdentifier!, await AccountKeyAsync(settings));
        }

        settings = settings with
        {
            RedshiftDataEndpoint = redshift.Endpoint,
            StepFunctionsEndpoint = stepFunctions.Url,
            StsEndpoint = TestStack.MotoEndpoint,
            RedshiftEndpoint = TestStack.MotoEndpoint,
            RedshiftServerlessEndpoint = serverless?.Url,
        };
        if (options.Configure is { } configure)
        {
            settings = configure(settings);
        }

        return new FunctionsTestHost(settings, clock, s3, dynamoDb, redshift, stepFunctions, serverless);
    }

    /// <summary>An access key of the account the Data API is called in: the customer role's session (moto keeps assumed keys in the role's account), else ours.</summary>
    private static async Task<string> AccountKeyAsync(FunctionSettings settings)
    {
        if (settings.CustomerRoleArn is null)
        {
            return Credentials.GetCredentials().AccessKey;
        }

        using var sts = new Amazon.SecurityToken.AmazonSecurityTokenServiceClient(Credentials, new Amazon.SecurityToken.AmazonSecurityTokenServiceConfig { ServiceURL = TestStack.MotoEndpoint.ToString(), AuthenticationRegion = settings.Region.SystemName });
        var assumed = await sts.AssumeRoleAsync(new Amazon.SecurityToken.Model.AssumeRoleRequest { RoleArn = settings.CustomerRoleArn, RoleSessionName = "functions-test-host", ExternalId = settings.CustomerExternalId });
        return assumed.Credentials.AccessKeyId;
    }

    /// <summary>Invokes the function named <paramref name="function"/> (<c>StartRun</c>, <c>Extract</c>, …) with <paramref name="inputJson"/>; returns its output.</summary>
    public async Task<JsonNode> InvokeAsync(string function, string inputJson)
    {
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(inputJson));
        await using var output = await InvokeAsync(function, input);
        return (await JsonNode.ParseAsync(output))!;
    }

    /// <summary>As Lambda calls the handler: the input stream in, the output stream back.</summary>
    public Task<Stream> InvokeAsync(string function, Stream input) => function switch
    {
        StartRunFunction.Name => StartRun.HandleAsync(input),
        ExtractFunction.Name => Extract.HandleAsync(input),
        SubmitExportFunction.Name => new SubmitExportFunction(Host).HandleAsync(input),
        LoadFunction.Name => Load.HandleAsync(input),
        LoadCompletedFunction.Name => LoadCompleted.HandleAsync(input),
        RecordObjectFunction.Name => RecordObject.HandleAsync(input),
        CleanupFunction.Name => Cleanup.HandleAsync(input),
        FinishRunFunction.Name => FinishRun.HandleAsync(input),
        DoctorFunction.Name => Doctor.HandleAsync(input),
        _ => throw new ArgumentException($"no function '{function}'", nameof(function)),
    };

    /// <summary>The staging bucket's S3 notification for a created object (the key URL-encoded as S3 sends it).</summary>
    public string ManifestCreatedEvent(string key, string eventName = "ObjectCreated:Put") =>
        new JsonObject
        {
            ["Records"] = new JsonArray(new JsonObject
            {
                ["eventVersion"] = "2.1",
                ["eventSource"] = "aws:s3",
                ["awsRegion"] = "us-east-1",
                ["eventName"] = eventName,
                ["s3"] = new JsonObject
                {
                    ["bucket"] = new JsonObject { ["name"] = Bucket },
                    ["object"] = new JsonObject { ["key"] = Uri.EscapeDataString(key).Replace("%2F", "/", StringComparison.Ordinal).Replace("%20", "+", StringComparison.Ordinal) },
                },
            }),
        }.ToJsonString();

    /// <summary>The Data API's EventBridge event for the statement <paramref name="statementId"/> named <paramref name="statementName"/>.</summary>
    public static string StatementEvent(string statementName, string statementId, string state) =>
        new JsonObject
        {
            ["version"] = "0",
            ["id"] = Guid.NewGuid().ToString(),
            ["detail-type"] = "Redshift Data Statement Status Change",
            ["source"] = "aws.redshift-data",
            ["account"] = "123456789012",
            ["time"] = SampleTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["region"] = "us-east-1",
            ["resources"] = new JsonArray("arn:aws:redshift:us-east-1:123456789012:cluster:sync-test"),
            ["detail"] = new JsonObject
            {
                ["statementName"] = statementName,
                ["statementId"] = statementId,
                ["redshiftQueryId"] = -1,
                ["state"] = state,
            },
        }.ToJsonString();

    /// <summary>The name the host's loads are submitted under for <paramref name="manifestKey"/>.</summary>
    public string StatementName(string manifestKey) => LoadSubmissionName.Format(Host.LoadOptions.Claimant, manifestKey);

    /// <summary>Waits for the statement to end, as EventBridge does before it sends the event; returns its state (FINISHED, FAILED or ABORTED).</summary>
    public async Task<string> WaitForStatementAsync(string statementId)
    {
        try
        {
            await _dataApi.WaitForStatementAsync(statementId, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(2), CancellationToken.None);
            return "FINISHED";
        }
        catch (RedshiftStatementFailedException e)
        {
            return e.Message.Contains("ABORTED", StringComparison.Ordinal) ? "ABORTED" : "FAILED";
        }
    }

    /// <summary>
    /// Plays the events that follow a manifest's arrival: S3's notification to Load, then, for a load it submitted, the Data
    /// API's completion event to LoadCompleted. Returns both outputs (the second null when nothing was submitted).
    /// </summary>
    public async Task<(JsonNode Load, JsonNode? Completed)> DeliverManifestEventAsync(string manifestKey)
    {
        var load = await InvokeAsync(LoadFunction.Name, ManifestCreatedEvent(manifestKey));
        var submitted = load["manifests"]!.AsArray().FirstOrDefault(m => (string?)m!["result"] == "Submitted");
        if (submitted is null)
        {
            return (load, null);
        }

        var statementId = (string)submitted["statementId"]!;
        var state = await WaitForStatementAsync(statementId);
        var completed = await InvokeAsync(LoadCompletedFunction.Name, StatementEvent(StatementName(manifestKey), statementId, state));
        return (load, completed);
    }

    /// <summary>Every key in the staging bucket under <paramref name="prefix"/>.</summary>
    public async Task<List<string>> KeysAsync(string prefix = "")
    {
        var keys = new List<string>();
        await foreach (var item in Host.Staging.ListAsync(prefix, CancellationToken.None))
        {
            keys.Add(item.Key);
        }

        return keys;
    }

    /// <summary>Live rows of <c>zuora.{table}</c> in the Data API double's PostgreSQL; 0 when the table does not exist.</summary>
    public async Task<long> LiveRowCountAsync(string table)
    {
        var exists = await Redshift.QueryAsync($"SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'zuora' AND table_name = '{table}'");
        if (Convert.ToInt64(exists[0]["n"], System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return 0;
        }

        var rows = await Redshift.QueryAsync($"SELECT count(*) AS n FROM zuora.\"{table}\" WHERE NOT _deleted");
        return Convert.ToInt64(rows[0]["n"], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Makes the manifest's load fail in COPY the way bad data would: replaces its first part with two records, a good one
    /// and, on line 2, one whose <c>updateddate</c> is not a timestamp, and rewrites the manifest to match (size, rows,
    /// hash). Returns the part's key and the bad line's number (2).
    /// </summary>
    public async Task<(string PartKey, long Line)> BreakFirstPartAsync(string manifestKey)
    {
        var manifest = await StagedManifests.ReadAsync(Host.Staging, manifestKey, CancellationToken.None);
        var part = manifest.Parts[0];
        string Record(string id, string updated) =>
            string.Join(',', manifest.Columns.Select(c => c.Name switch
            {
                "id" => $"\"{id}\"",
                "updateddate" => updated,
                _ => manifest.NullMarker,
            })) + ",false\n";

        using var compressed = new MemoryStream();
        using (var rewrittenPart = manifest.Codec.OpenCompressor(compressed, CompressionLevel.Fastest))
        {
            rewrittenPart.Write(Encoding.UTF8.GetBytes(Record("good-row", "2026-11-26 21:00:00.000000+00") + Record("broken-row", "not a timestamp")));
        }

        var bytes = compressed.ToArray();
        await S3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = part.Key, InputStream = new MemoryStream(bytes) });
        var broken = part with { Bytes = bytes.Length, Rows = 2, Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)) };
        var rewritten = manifest with
        {
            Parts = [broken, .. manifest.Parts.Skip(1)],
            Rows = manifest.Rows - part.Rows + 2,
            Bytes = manifest.Bytes - part.Bytes + bytes.Length,
        };
        await S3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = manifestKey, InputStream = new MemoryStream(rewritten.ToJson()) });
        return (part.Key, 2);
    }

    /// <summary>
    /// Moves the synthetic tenant in the staging bucket forward by <paramref name="span"/>, as <c>tenant advance</c> does
    /// locally: new, updated and deleted rows appear, and the tenant's clock (the clock StartRun plans with) runs that much
    /// ahead. StartRun must have created the tenant.
    /// </summary>
    public async Task AdvanceTenantAsync(TimeSpan span)
    {
        var path = Path.Combine(Path.GetTempPath(), $"advance-{Guid.NewGuid():N}.json");
        try
        {
            using (var response = await S3.GetObjectAsync(Bucket, SyntheticTenantFile.Key))
            {
                await response.WriteResponseStreamToFileAsync(path, append: false, CancellationToken.None);
            }

            SyntheticTenant.Open(path, Clock).Advance(span);
            await S3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = SyntheticTenantFile.Key, FilePath = path });
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The status table's item, as DynamoDB holds it, or null.</summary>
    public async Task<Dictionary<string, AttributeValue>?> ItemAsync(string pk, string sk)
    {
        var response = await _dynamoDb.GetItemAsync(new GetItemRequest
        {
            TableName = Settings.StatusTable,
            Key = new() { ["pk"] = new AttributeValue { S = pk }, ["sk"] = new AttributeValue { S = sk } },
            ConsistentRead = true,
        });
        return response.Item is { Count: > 0 } item ? item : null;
    }

    public async ValueTask DisposeAsync()
    {
        Host.Dispose();
        _dataApi.Dispose();
        await StepFunctions.DisposeAsync();
        await Redshift.DisposeAsync();
        if (_serverless is not null)
        {
            await _serverless.DisposeAsync();
        }

        await _dynamoDb.DeleteTableAsync(new DeleteTableRequest { TableName = Settings.StatusTable });
        _dynamoDb.Dispose();
        S3.Dispose();
    }
}
