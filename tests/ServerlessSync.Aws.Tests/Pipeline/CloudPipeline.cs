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
/// on s3rver, the status store on dynalite, the Redshift warehouse through the Data API double (PostgreSQL, COPY
/// from s3rver). S3's object-created event is played by <see cref="ManifestEvents"/>: committing a manifest
/// calls the load step, as the event would invoke the load function.
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
        Events = new ManifestEvents(Staging);
    }

    public IAmazonS3 S3 { get; }

    public string Bucket { get; }

    public RedshiftDataDoubleServer Redshift { get; }

    public TimeProvider Clock { get; }

    public S3StagingStore Staging { get; }

    /// <summary>The staging store as the extract step sees it: committing a manifest raises its event.</summary>
    public ManifestEvents Events { get; }

    public DynamoDbStatusStore Status { get; }

    public RedshiftDataClient DataApi { get; }

    public RedshiftWarehouse Warehouse { get; }

    public StatusTable Table => _table;

    public static async Task<CloudPipeline> StartAsync(TimeProvider clock)
    {
        var s3 = LocalS3.CreateClient();
        var bucket = await LocalS3.CreateBucketAsync(s3, "pipeline");
        var redshift = await RedshiftDataDoubleServer.StartAsync(
            new RedshiftDataDoubleOptions
            {
                AdminConnectionString = TestStack.PostgresConnectionString,
                S3 = s3,
                Targets =
                [
                    RedshiftDataTarget.Cluster(Target.ClusterIdentifier!, Target.Database, Target.DbUser!),
                    RedshiftDataTarget.Workgroup(ServerlessTarget.WorkgroupName!, ServerlessTarget.Database),
                ],
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

    public LoadStep LoadStep(ITaskCallbacks callbacks) => new(Staging, Warehouse, Status, callbacks, Clock);

    /// <summary>
    /// A runner over <paramref name="source"/>, composed as the state machine chains the functions;
    /// <paramref name="onManifest"/> may wrap the load the event invokes (to disturb it as a real failure would).
    /// </summary>
    public InProcessSyncRunner Runner(ISource source, bool keepStagedFiles = false, Func<LoadStep, IManifestArrivalHandler>? onManifest = null)
    {
        var callbacks = new InProcessTaskCallbacks();
        var load = LoadStep(callbacks);
        Events.Subscribe(onManifest is null ? load : onManifest(load));
        var stager = new ObjectStager(Events, new StagingOptions { PartSizeBytes = 256 * 1024 }, Clock);
        return new InProcessSyncRunner(
            new StartRunStep(Status, source, Clock),
            new ExtractStep(source, stager, Status, Clock),
            new CompleteObjectStep(Status, Clock),
            new CleanupStep(Staging),
            new FinishRunStep(Status, Clock),
            callbacks,
            keepStagedFiles);
    }

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
/// Stands in for the bucket's event notification: a committed key ending in <c>.manifest.json</c> is handed
/// to the subscribed handler (the load step), after the object is in the bucket, as S3 → Lambda would.
/// </summary>
internal sealed class ManifestEvents(IStagingStore inner) : IStagingStore
{
    private IManifestArrivalHandler? _handler;

    public void Subscribe(IManifestArrivalHandler handler) => _handler = handler;

    public async Task<IStagedObjectWriter> OpenWriteAsync(string key, CancellationToken cancellationToken) =>
        new Writer(await inner.OpenWriteAsync(key, cancellationToken), key, this);

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) => inner.OpenReadAsync(key, cancellationToken);

    public IAsyncEnumerable<StagedObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    public Task DeleteAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken) => inner.DeleteAsync(keys, cancellationToken);

    public string LocationOf(string key) => inner.LocationOf(key);

    private sealed class Writer(IStagedObjectWriter inner, string key, ManifestEvents events) : IStagedObjectWriter
    {
        public Stream Body => inner.Body;

        public async Task CommitAsync(CancellationToken cancellationToken)
        {
            await inner.CommitAsync(cancellationToken);
            if (StagingKeys.IsManifest(key) && events._handler is { } handler)
            {
                await handler.OnManifestCreatedAsync(key, cancellationToken);
            }
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
