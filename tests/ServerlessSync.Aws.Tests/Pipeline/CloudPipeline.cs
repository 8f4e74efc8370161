using System.Collections.Concurrent;
using Amazon;
using ServerlessSync.Aws.Http;
using Amazon.Runtime;
using Amazon.S3;
using RedshiftDataDouble;
using ServerlessSync.Aws.DynamoDb;
using ServerlessSync.Aws.Redshift;
using ServerlessSync.Aws.RedshiftData;
using ServerlessSync.Aws.S3;
using ServerlessSync.Aws.Tests.DynamoDb;
using ServerlessSync.Aws.Tests.Stack;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Staging;
using ServerlessSync.Testing;

namespace ServerlessSync.Aws.Tests.Pipeline;

/// <summary>
/// The pipeline's steps composed over the cloud adapters, in this process, against the local stack: S3 staging
/// on moto, the status store on moto, the Redshift warehouse through the Data API double (PostgreSQL, COPY
/// from moto). The runner is the CLI's (<see cref="InProcessPipeline"/>): it calls the load step once the manifest is
/// committed, as S3's event invokes the load function, and hears a load's end from the double's statement-ended event
/// (<see cref="DataApiLoadEnds"/>), as the Data API's EventBridge event invokes LoadCompleted.
/// </summary>
internal sealed class CloudPipeline : IAsyncDisposable
{
    public const string Schema = "zuora";
    public const string CopyRole = "arn:aws:iam::123456789012:role/serverless-sync-copy";
    public static readonly RedshiftTarget Target = RedshiftTarget.ProvisionedCluster("sync-test", "dev", "sync_loader");
    public static readonly RedshiftTarget ServerlessTarget = RedshiftTarget.Serverless("sync-workgroup", "dev");

    private readonly StatusTable _table = new();

    private CloudPipeline(IAmazonS3 s3, string bucket, RedshiftDataDoubleServer redshift, TimeProvider clock)
    {
        S3 = s3;
        Bucket = bucket;
        Redshift = redshift;
        Clock = clock;
        Staging = new S3StagingStore(s3, new S3StagingOptions(bucket));
        Status = _table.Store();
        // Retries without backoff: the backoff itself is tested on a fake clock with the client.
        DataApi = new RedshiftDataClient(new AwsClientOptions(new BasicAWSCredentials("local", "local"), RegionEndpoint.USEast1)
        {
            ServiceUrl = redshift.Endpoint,
            Retry = AwsRetryPolicy.Default with { BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero },
        });
        Warehouse = WarehouseFor(Target);
        LoadEnds = new DataApiLoadEnds(redshift);
    }

    public IAmazonS3 S3 { get; }

    public string Bucket { get; }

    public RedshiftDataDoubleServer Redshift { get; }

    public TimeProvider Clock { get; }

    public S3StagingStore Staging { get; }

    /// <summary>The double's statement-ended events, as the runner waits on them.</summary>
    public DataApiLoadEnds LoadEnds { get; }

    public DynamoDbStatusStore Status { get; }

    public RedshiftDataClient DataApi { get; }

    public RedshiftWarehouse Warehouse { get; }

    public StatusTable Table => _table;

    /// <param name="clock">the pipeline's clock</param>
    /// <param name="databaseUserGrants">what the loading database user is granted, when not the double's default (CREATE and TEMPORARY on the database)</param>
    /// <param name="nullStringMatchesQuotedFields">the double's reading of a quoted NULL string (<see cref="RedshiftDataDoubleOptions.NullStringMatchesQuotedFields"/>)</param>
    public static async Task<CloudPipeline> StartAsync(TimeProvider clock, IReadOnlyList<string>? databaseUserGrants = null, bool nullStringMatchesQuotedFields = true)
    {
        var s3 = LocalS3.CreateClient();
        var bucket = await LocalS3.CreateBucketAsync(s3, "pipeline");
        RedshiftDataTarget[] targets =
        [
            RedshiftDataTarget.Cluster(Target.ClusterIdentifier!, Target.Database, Target.DbUser!),
            RedshiftDataTarget.Workgroup(ServerlessTarget.WorkgroupName!, ServerlessTarget.Database),
        ];
        var redshift = await RedshiftDataDoubleServer.StartAsync(
            new RedshiftDataDoubleOptions
            {
                AdminConnectionString = TestStack.PostgresConnectionString,
                S3 = s3,
                Targets = targets,
                DatabaseUserGrants = databaseUserGrants ?? RedshiftDataDoubleOptions.DefaultDatabaseUserGrants,
                NullStringMatchesQuotedFields = nullStringMatchesQuotedFields,
            },
            CancellationToken.None);
        var pipeline = new CloudPipeline(s3, bucket, redshift, clock);
        await pipeline._table.InitializeAsync();
        return pipeline;
    }

    /// <summary>
    /// A warehouse over the same Data API and staging bucket, connecting as <paramref name="target"/>; its clock
    /// (compared with the Data API's timestamps) is the system's unless given.
    /// </summary>
    public RedshiftWarehouse WarehouseFor(RedshiftTarget target, TimeProvider? clock = null) =>
        new(DataApi, Staging, new RedshiftWarehouseOptions(target, Schema, CopyRole), clock ?? TimeProvider.System);

    /// <summary>
    /// The pipeline over <paramref name="source"/>, composed by the CLI's factory; <paramref name="staging"/> may wrap the
    /// bucket (to disturb staged files as a real failure would).
    /// </summary>
    public InProcessPipeline Pipeline(ISource source, IStagingStore? staging = null) =>
        new(source, staging ?? Staging, Warehouse, Status, Status, Clock)
        {
            StagingOptions = new StagingOptions { PartSizeBytes = 256 * 1024 },
            LoadEnds = LoadEnds,
        };

    /// <summary>A runner over <paramref name="source"/>, as <see cref="Pipeline"/> composes it.</summary>
    public InProcessSyncRunner Runner(ISource source, bool keepStagedFiles = false, IStagingStore? staging = null) =>
        Pipeline(source, staging).CreateRunner(keepStagedFiles);

    /// <summary>Every key in the bucket under <paramref name="prefix"/>.</summary>
    public async Task<List<string>> KeysAsync(string prefix = "runs/")
    {
        var keys = new List<string>();
        await foreach (var item in Staging.ListAsync(prefix, CancellationToken.None))
        {
            keys.Add(item.Key);
        }

        return keys;
    }

    public async ValueTask DisposeAsync()
    {
        DataApi.Dispose();
        await Redshift.DisposeAsync();
        await _table.DisposeAsync();
        S3.Dispose();
    }
}

/// <summary>
/// The Data API's completion events as the in-process runner hears them: the double's <c>StatementEnded</c>, which it
/// raises where the Data API would put its EventBridge event. An end that comes before anyone waits for it is kept.
/// </summary>
internal sealed class DataApiLoadEnds : ILoadEndSignal
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _ends = new(StringComparer.Ordinal);

    public DataApiLoadEnds(RedshiftDataDoubleServer redshift) =>
        redshift.StatementEnded += ended => End(ended.StatementId).TrySetResult();

    public Task WaitForEndAsync(string statementId, CancellationToken cancellationToken) =>
        End(statementId).Task.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken); // a lost event fails the test, not hangs it

    private TaskCompletionSource End(string statementId) =>
        _ends.GetOrAdd(statementId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
