using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using Amazon;
using Amazon.S3.Model;
using RedshiftDataDouble;
using ServerlessSync.Aws.Http;
using ServerlessSync.Aws.RedshiftData;
using ServerlessSync.Functions.Tests.Support;

namespace ServerlessSync.Functions.Tests.Workflow;

/// <summary>
/// What the workflow tests rely on from the Data API double, through its wire API: the end of a WithEvent submission
/// announced once (where EventBridge's event comes from), and a rejected COPY line reported as PostgreSQL numbers it.
/// </summary>
public sealed class DataApiDoubleForWorkflowTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly ConcurrentQueue<(StatementEnded Ended, Task<DescribeStatementResponse> SeenThen)> _ended = new();
    private readonly TaskCompletionSource _twoEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FunctionsTestHost _host = null!;
    private RedshiftDataClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await FunctionsTestHost.StartAsync();
        _client = new RedshiftDataClient(new AwsClientOptions(FunctionsTestHost.Credentials, RegionEndpoint.USEast1) { ServiceUrl = _host.Redshift.Endpoint });
        _host.Redshift.StatementEnded += ended =>
        {
            _ended.Enqueue((ended, _client.DescribeStatementAsync(new DescribeStatementRequest(ended.StatementId), None)));
            if (_ended.Count >= 2)
            {
                // TrySet: two ends raised at once may both see two.
                _twoEnded.TrySetResult();
            }
        };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task StatementEnded_OncePerWithEventSubmission_WithItsFinalState_NothingForOthersOrRepeats()
    {
        var target = FunctionsTestHost.Target;
        var finished = await _client.ExecuteStatementAsync(new ExecuteStatementRequest(target, "SELECT 1") { WithEvent = true, StatementName = "one", ClientToken = "token-1" }, None);
        await _client.ExecuteStatementAsync(new ExecuteStatementRequest(target, "SELECT 1") { WithEvent = true, StatementName = "one", ClientToken = "token-1" }, None);
        var failed = await _client.BatchExecuteStatementAsync(new BatchExecuteStatementRequest(target, ["SELECT 1", "SELECT * FROM missing_table"]) { WithEvent = true, StatementName = "two" }, None);
        var quiet = await _client.ExecuteStatementAsync(new ExecuteStatementRequest(target, "SELECT 2") { StatementName = "three" }, None);
        await _client.DescribeStatementAsync(new DescribeStatementRequest(quiet.Id) { WaitTimeSeconds = 30 }, None);
        await _twoEnded.Task;
        await Task.WhenAll(_ended.Select(e => e.SeenThen));
        await _host.Redshift.DisposeAsync();

        var ended = _ended.ToList();
        Assert.Equal([(finished.Id, "one", "FINISHED"), (failed.Id, "two", "FAILED")], ended.OrderBy(e => e.Ended.StatementName, StringComparer.Ordinal).Select(e => (e.Ended.StatementId, e.Ended.StatementName, e.Ended.State)));
        Assert.All(ended, e => Assert.Equal(target.ClusterIdentifier, e.Ended.ClusterIdentifier));
        Assert.Equal(0, ended.Single(e => e.Ended.StatementId == failed.Id).Ended.RedshiftQueryId);
        foreach (var (e, seenThen) in ended)
        {
            Assert.Equal(e.State, (await seenThen).Status);
        }

        Assert.Empty(_host.Redshift.StatementEndedErrors);
    }

    [Fact]
    public async Task RejectedCopyLine_IsTheRecordPostgresNames_WhenFieldsHoldLineBreaks()
    {
        // A break quoted in the first record is not counted by PostgreSQL; one in a later record is.
        const string csv = "\"a\nfirst\",1\n\"b\",2\n\"c\nthird\",3\n\"bad\",x\n\"e\",5\n";
        using (var gzipped = new MemoryStream())
        {
            await using (var gzip = new GZipStream(gzipped, CompressionLevel.Fastest, leaveOpen: true))
            {
                await gzip.WriteAsync(Encoding.UTF8.GetBytes(csv));
            }

            await _host.S3.PutObjectAsync(new PutObjectRequest { BucketName = _host.Bucket, Key = "copy/part.csv.gz", InputStream = new MemoryStream(gzipped.ToArray()) });
        }

        var target = FunctionsTestHost.Target;
        var load = await _client.BatchExecuteStatementAsync(
            new BatchExecuteStatementRequest(target, [
                "CREATE TABLE lines (s VARCHAR(100), n BIGINT)",
                $"COPY lines FROM 's3://{_host.Bucket}/copy/part.csv.gz' IAM_ROLE '{FunctionsTestHost.CopyRoleArn}' FORMAT AS CSV GZIP",
            ]) { WaitTimeSeconds = 30 },
            None);
        Assert.Equal(StatementStatus.Failed, load.Status);

        var error = Assert.Single(await _host.Redshift.QueryAsync("SELECT line_number, trim(column_name) AS column_name, trim(raw_line) AS raw_line FROM sys_load_error_detail"));
        Assert.Equal((5L, "n", "\"bad\",x"), ((long)error["line_number"]!, (string)error["column_name"]!, (string)error["raw_line"]!));
    }
}
