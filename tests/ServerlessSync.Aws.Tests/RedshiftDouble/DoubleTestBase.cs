using Amazon.S3;
using RedshiftDataDouble;
using ServerlessSync.Testing;

namespace ServerlessSync.Aws.Tests.RedshiftDouble;

/// <summary>
/// Starts a double of its own for each test (xunit makes a class instance per test): its own PostgreSQL
/// database, an S3 client on moto, a signed client on the double's endpoint. Dropped after the test.
/// </summary>
public abstract class DoubleTestBase : IAsyncLifetime
{
    private RedshiftDataDoubleServer? _server;
    private DataApiTestClient? _client;

    internal RedshiftDataDoubleServer Server => _server ?? throw new InvalidOperationException("not started");

    internal DataApiTestClient Client => _client ?? throw new InvalidOperationException("not started");

    internal AmazonS3Client S3 { get; } = DoubleS3.CreateClient();

    /// <summary>Rows per GetStatementResult page for this test class's double.</summary>
    protected virtual int ResultPageSize => 1000;

    public async Task InitializeAsync()
    {
        _server = await RedshiftDataDoubleServer.StartAsync(CreateOptions(
            [
                RedshiftDataTarget.Cluster(DataApiTestClient.Cluster, DataApiTestClient.Database, DataApiTestClient.DbUser),
                RedshiftDataTarget.Workgroup(DataApiTestClient.Workgroup, DataApiTestClient.Database),
            ]));
        _client = new DataApiTestClient(_server.Endpoint);
    }

    /// <summary>The double's options for this test class: every strictness on (the defaults) unless a class says otherwise.</summary>
    protected virtual RedshiftDataDoubleOptions CreateOptions(IReadOnlyList<RedshiftDataTarget> targets) => new()
    {
        AdminConnectionString = TestStack.PostgresConnectionString,
        S3 = S3,
        Targets = targets,
        ResultPageSize = ResultPageSize,
    };

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        S3.Dispose();
    }
}
