using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Staging;
using ServerlessSync.Core.Verification;
using ServerlessSync.Sources.Synthetic;
using ServerlessSync.Testing.Pipeline;

namespace ServerlessSync.Aws.Tests.Pipeline;

/// <summary>
/// Whole syncs through the cloud adapters: synthetic tenant → S3 (moto) → COPY and merge through the Data API
/// (the double over PostgreSQL) → status in DynamoDB (moto). What is asserted is what a user would look at:
/// rows in the warehouse equal to the source, the bucket emptied after committed loads, and the status items.
/// </summary>
public sealed class CloudPipelineTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly SyntheticTenant _tenant = SyntheticTenant.CreateInMemory(scale: 2_000, seed: 11, new FakeTimeProvider(Start));
    private CloudPipeline _pipeline = null!;

    public async Task InitializeAsync() => _pipeline = await CloudPipeline.StartAsync(_tenant.Clock);

    public async Task DisposeAsync() => await _pipeline.DisposeAsync();

    [Fact]
    public async Task HistoricalThenIncremental_WarehouseEqualsSource_BucketEmptied_StatusInDynamoDb()
    {
        var first = await _pipeline.Runner(_tenant.Source).RunAsync(new SyncOptions(), null, None);

        Assert.Equal(RunStatus.Succeeded, first.Status);
        Assert.Equal(RunMode.Historical, first.Mode);
        Assert.All(first.Objects, o => Assert.Equal(RunStatus.Succeeded, o.Status));
        await AssertWarehouseEqualsSourceAsync();
        Assert.Empty(await _pipeline.KeysAsync());
        var connector = await _pipeline.Status.GetConnectorAsync(SyncOptions.DefaultConnectorId, None);
        Assert.Equal(ConnectorStatus.Active, connector!.Status);
        var cursors = await _pipeline.Status.GetObjectsAsync(SyncOptions.DefaultConnectorId, None);
        Assert.Equal(_tenant.Source.Objects.Order(StringComparer.Ordinal), cursors.Select(o => o.ObjectName).Order(StringComparer.Ordinal));
        Assert.All(cursors, o => Assert.Equal(first.Objects.Single(r => r.ObjectName == o.ObjectName).WindowEnd, o.Cursor));

        _tenant.Advance(TimeSpan.FromDays(2));
        var second = await _pipeline.Runner(_tenant.Source).RunAsync(new SyncOptions(), null, None);

        Assert.Equal(RunStatus.Succeeded, second.Status);
        Assert.Equal(RunMode.Incremental, second.Mode);
        Assert.True(second.Objects.Sum(o => o.RowsUpdated) > 0, "the advance updated rows");
        Assert.True(second.Objects.Sum(o => o.RowsDeleted) > 0, "the advance deleted rows");
        await AssertWarehouseEqualsSourceAsync();
        Assert.Empty(await _pipeline.KeysAsync());
        var runs = await _pipeline.Status.ListRunsAsync(SyncOptions.DefaultConnectorId, 10, None);
        Assert.Equal([second.RunId, first.RunId], runs.Select(r => r.RunId));
    }

    [Fact]
    public async Task EveryLoad_IsOneBatch_WithAClientTokenFromTheManifest_AndAnEvent()
    {
        await _pipeline.Runner(_tenant.Source).RunAsync(new SyncOptions { Objects = ["account", "contact"] }, null, None);

        var loads = _pipeline.Redshift.Requests.Where(r => r.Operation == "BatchExecuteStatement" && r.Sqls.Any(s => s.StartsWith("COPY", StringComparison.Ordinal))).ToList();
        Assert.Equal(2, loads.Count);
        Assert.All(loads, r =>
        {
            Assert.True(r.WithEvent);
            Assert.Matches("^[0-9a-f]{64}$", r.ClientToken);
            Assert.Equal(CloudPipeline.Target.DbUser, r.DbUser);
            Assert.Equal(CloudPipeline.Target.ClusterIdentifier, r.ClusterIdentifier);
        });
    }

    [Fact]
    public async Task BadRowInAPart_RunFailsNamingFileLineColumnAndReason_StagedFilesStay_CursorStays_RetryConverges()
    {
        var corrupt = new BreakLineTwoOfTheFirstPart(_pipeline, "invoice");
        var runner = _pipeline.Runner(_tenant.Source, staging: new ManifestCommitTap(_pipeline.Staging, corrupt.OnManifestCommittedAsync));

        var failed = await runner.RunAsync(new SyncOptions { Objects = ["account", "invoice"] }, null, None);

        Assert.True(corrupt.Broken);
        Assert.Equal(RunStatus.Failed, failed.Status);
        var invoice = failed.Objects.Single(o => o.ObjectName == "invoice");
        Assert.Equal(RunStatus.Failed, invoice.Status);
        Assert.Contains($"s3://{_pipeline.Bucket}/{corrupt.PartKey} line 2", invoice.Error, StringComparison.Ordinal);
        Assert.Contains("column amount", invoice.Error, StringComparison.Ordinal);
        Assert.Contains("not-a-number", invoice.Error, StringComparison.Ordinal);
        Assert.True(failed.Objects.Single(o => o.ObjectName == "account").Status == RunStatus.Succeeded, failed.Objects.Single(o => o.ObjectName == "account").Error);
        Assert.Contains(corrupt.PartKey, await _pipeline.KeysAsync());
        Assert.Contains(invoice.ManifestKey, await _pipeline.KeysAsync());
        var cursors = await _pipeline.Status.GetObjectsAsync(SyncOptions.DefaultConnectorId, None);
        Assert.DoesNotContain(cursors, o => o.ObjectName == "invoice" && o.Cursor is not null);
        Assert.Equal(0, await LiveRowCountAsync("invoice"));

        var retry = await _pipeline.Runner(_tenant.Source).RunAsync(new SyncOptions { Objects = ["account", "invoice"] }, null, None);

        Assert.True(retry.Status == RunStatus.Succeeded, string.Join("; ", retry.Objects.Select(o => $"{o.ObjectName}: {o.Error}")));
        await AssertWarehouseEqualsSourceAsync(["account", "invoice"]);
    }

    /// <summary>
    /// A run whose loads the Data API refuses (GetClusterCredentials not allowed for the loader) fails with the cause's code
    /// and fix in its status: the object's error, the connector's last error and the status API's document.
    /// </summary>
    [Fact]
    public async Task RunRefusedByTheDataApi_FailsWithTheAuthCauseCodeAndFix_InTheRunTheConnectorAndTheStatusApi()
    {
        const string denied = "User: arn:aws:sts::123456789012:assumed-role/serverless-sync-LoaderRole/fn is not authorized to perform: redshift:GetClusterCredentials on resource: arn:aws:redshift:us-east-1:123456789012:dbuser:sync-test/sync_loader";
        await using var refusing = await Testing.Http.LocalEndpoint.StartAsync(context => Testing.Http.AwsJson.WriteErrorAsync(context, "application/x-amz-json-1.1", 400, "AccessDeniedException", denied));
        using var dataApi = new Aws.RedshiftData.RedshiftDataClient(new Aws.Http.AwsClientOptions(new Amazon.Runtime.BasicAWSCredentials("k", "s"), Amazon.RegionEndpoint.USEast1) { ServiceUrl = refusing.Url });
        var warehouse = new Aws.Redshift.RedshiftWarehouse(dataApi, _pipeline.Staging, new Aws.Redshift.RedshiftWarehouseOptions(CloudPipeline.Target, CloudPipeline.Schema, CloudPipeline.CopyRole), TimeProvider.System);
        var runner = new InProcessPipeline(_tenant.Source, _pipeline.Staging, warehouse, _pipeline.Status, _pipeline.Status, _tenant.Clock) { LoadEnds = _pipeline.LoadEnds }.CreateRunner(false);

        var run = await runner.RunAsync(new SyncOptions { Objects = ["account"] }, null, None);

        Assert.Equal(RunStatus.Failed, run.Status);
        var error = run.Objects.Single().Error;
        Assert.Contains("AUTH_GET_CLUSTER_CREDENTIALS", error, StringComparison.Ordinal);
        Assert.Contains("Fix: Allow redshift:GetClusterCredentials on arn:aws:redshift:{region}:{account}:dbuser:{cluster}/{user}", error, StringComparison.Ordinal);
        var connector = await _pipeline.Status.GetConnectorAsync(SyncOptions.DefaultConnectorId, None);
        Assert.Contains("AUTH_GET_CLUSTER_CREDENTIALS", connector!.LastError, StringComparison.Ordinal);
        var document = await new Core.Status.StatusQueries(_pipeline.Status).GetStatusAsync(SyncOptions.DefaultConnectorId, 5, None);
        var json = Core.Status.StatusJsonContext.Indented(document!, Core.Status.StatusJsonContext.Default.ConnectorStatusView);
        Assert.Contains("AUTH_GET_CLUSTER_CREDENTIALS", json, StringComparison.Ordinal);
        Assert.Contains("redshift:GetClusterCredentials on arn:aws:redshift", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManifestEventDeliveredTwice_LoadsOnce_AndReportsTheFirstOutcome()
    {
        var run = await _pipeline.Runner(_tenant.Source, keepStagedFiles: true).RunAsync(new SyncOptions { Objects = ["account"] }, null, None);
        var manifestKey = run.Objects.Single().ManifestKey!;
        var batchesBefore = _pipeline.Redshift.Requests.Count(r => r.Operation == "BatchExecuteStatement");

        var load = _pipeline.Pipeline(_tenant.Source).CreateLoadStep();
        var replay = await load.OnManifestCreatedAsync(manifestKey, None);

        Assert.Equal(LoadStartResult.AlreadyLoaded, replay.Result);
        var report = replay.Report!;
        Assert.True(report.Outcome.AlreadyLoaded);
        Assert.Equal(run.Objects.Single().RowsInserted, report.Outcome.Inserted);
        Assert.Equal(batchesBefore, _pipeline.Redshift.Requests.Count(r => r.Operation == "BatchExecuteStatement"));
        await AssertWarehouseEqualsSourceAsync(["account"]);
    }

    private async Task<int> LiveRowCountAsync(string objectName)
    {
        var schema = await _pipeline.Warehouse.DescribeAsync(objectName, None);
        var count = 0;
        if (schema is not null)
        {
            await foreach (var unused in _pipeline.Warehouse.ReadLiveRowsAsync(schema, None))
            {
                count++;
            }
        }

        return count;
    }

    private async Task AssertWarehouseEqualsSourceAsync(IReadOnlyList<string>? objects = null)
    {
        var results = await new Verifier(_tenant.Source, _pipeline.Warehouse).VerifyAsync(objects ?? _tenant.Source.Objects, None);
        Assert.All(results, r => Assert.True(r.Matches, $"{r.ObjectName}: {r.Problem}"));
        Assert.True(results.Sum(r => r.SourceRows) > 0);
    }

    /// <summary>
    /// Plays a bad row arriving in a staged part: before the real load sees the manifest, the object's first part
    /// is replaced by one whose second line has a non-number in a decimal column, and the manifest is rewritten to
    /// match (so the parts check passes and COPY is what fails).
    /// </summary>
    private sealed class BreakLineTwoOfTheFirstPart(CloudPipeline pipeline, string objectName)
    {
        public bool Broken { get; private set; }

        public string PartKey { get; private set; } = "";

        public async Task OnManifestCommittedAsync(string manifestKey, CancellationToken cancellationToken)
        {
            var manifest = await StagedManifests.ReadAsync(pipeline.Staging, manifestKey, cancellationToken);
            if (!Broken && manifest.ObjectName == objectName)
            {
                Broken = true;
                await BreakAsync(manifestKey, manifest, cancellationToken);
            }
        }

        private async Task BreakAsync(string manifestKey, StagedManifest manifest, CancellationToken cancellationToken)
        {
            var part = manifest.Parts[0];
            PartKey = part.Key;
            List<IReadOnlyList<(string Field, bool Quoted)>> records;
            await using (var read = await pipeline.Staging.OpenReadAsync(part.Key, cancellationToken))
            await using (var decompressed = manifest.Codec.OpenDecompressor(read))
            using (var text = new StreamReader(decompressed, Encoding.UTF8))
            {
                records = [.. CsvFormat.ReadRecords(text).Take(3)];
            }

            var amount = manifest.Columns.Select(c => c.Name).ToList().IndexOf("amount");
            var lines = records.Select((record, line) => string.Join(',', record.Select((f, column) =>
                line == 1 && column == amount ? "not-a-number"
                : f.Quoted ? $"\"{f.Field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : f.Field))).ToList();
            using var buffer = new MemoryStream();
            await using (var compressed = manifest.Codec.OpenCompressor(buffer, CompressionLevel.Fastest))
            {
                await compressed.WriteAsync(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"), cancellationToken);
            }

            await WriteAsync(part.Key, buffer.ToArray(), cancellationToken);
            var broken = manifest with { Parts = [part with { Bytes = buffer.Length, Rows = records.Count }, .. manifest.Parts.Skip(1)] };
            await WriteAsync(manifestKey, broken.ToJson(), cancellationToken);
        }

        private async Task WriteAsync(string key, byte[] bytes, CancellationToken cancellationToken)
        {
            await using var writer = await pipeline.Staging.OpenWriteAsync(key, cancellationToken);
            await writer.Body.WriteAsync(bytes, cancellationToken);
            await writer.CommitAsync(cancellationToken);
        }
    }
}
