using Npgsql;
using RedshiftDataDouble;
using ServerlessSync.Testing;

namespace ServerlessSync.Aws.Tests.RedshiftDouble;

public sealed class ServerLifetimeTests
{
    [Fact]
    public async Task DisposeAsync_WhileAStatementRuns_AbortsItAndDropsTheDatabase()
    {
        using var s3 = DoubleS3.CreateClient();
        var server = await RedshiftDataDoubleServer.StartAsync(new RedshiftDataDoubleOptions
        {
            AdminConnectionString = TestStack.PostgresConnectionString,
            S3 = s3,
            Targets = [RedshiftDataTarget.Cluster(DataApiTestClient.Cluster, DataApiTestClient.Database, DataApiTestClient.DbUser)],
        });
        using (var client = new DataApiTestClient(server.Endpoint))
        {
            await client.ExecuteAsync("SELECT pg_sleep(60)");
        }

        await server.DisposeAsync();

        Assert.False(await DatabaseExistsAsync(server.DatabaseName));
    }

    [Fact]
    public async Task StartAsync_NoTargets_IsRefused()
    {
        using var s3 = DoubleS3.CreateClient();

        await Assert.ThrowsAsync<ArgumentException>(() => RedshiftDataDoubleServer.StartAsync(new RedshiftDataDoubleOptions
        {
            AdminConnectionString = TestStack.PostgresConnectionString,
            S3 = s3,
            Targets = [],
        }));
    }

    private static async Task<bool> DatabaseExistsAsync(string name)
    {
        await using var admin = new NpgsqlConnection(TestStack.PostgresConnectionString);
        await admin.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = $1", admin);
        query.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        return (long)(await query.ExecuteScalarAsync())! > 0;
    }
}
