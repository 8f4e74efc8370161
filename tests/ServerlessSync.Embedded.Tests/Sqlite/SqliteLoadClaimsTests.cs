using Microsoft.Data.Sqlite;
using ServerlessSync.Core.Ports;
using ServerlessSync.Embedded.Sqlite;

namespace ServerlessSync.Embedded.Tests.Sqlite;

public sealed class SqliteLoadClaimsTests : IAsyncLifetime
{
    private const string Connector = "acme";
    private const string Load = "acme/run-1/account";
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(20);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sqlite-claims-" + Guid.NewGuid().ToString("N"));
    private SqliteStatusStore _store = null!;

    private string DatabasePath => Path.Combine(_directory, "status.db");

    public Task InitializeAsync()
    {
        _store = new SqliteStatusStore(DatabasePath);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task FirstClaim_IsClaimed_SecondClaimant_SeesHolderAndExpiry()
    {
        var first = await _store.TryClaimAsync(Connector, Load, "a", T0, Lease, None);
        var second = await _store.TryClaimAsync(Connector, Load, "b", T0.AddMinutes(1), Lease, None);

        Assert.Equal(LoadClaimResult.Claimed, first.Result);
        Assert.Equal(LoadClaimResult.HeldByAnother, second.Result);
        Assert.Equal("a", second.Holder);
        Assert.Equal(T0 + Lease, second.LeaseExpiresAt);
    }

    [Fact]
    public async Task ExpiredLease_IsTakenOver_AndTheOldHoldersReleaseChangesNothing()
    {
        await _store.TryClaimAsync(Connector, Load, "a", T0, Lease, None);

        var takeover = await _store.TryClaimAsync(Connector, Load, "b", T0 + Lease, Lease, None);
        await _store.ReleaseAsync(Connector, Load, "a", "late failure", T0 + Lease, None);
        var third = await _store.TryClaimAsync(Connector, Load, "c", T0 + Lease, Lease, None);

        Assert.Equal(LoadClaimResult.Claimed, takeover.Result);
        Assert.Equal(LoadClaimResult.HeldByAnother, third.Result);
        Assert.Equal("b", third.Holder);
        Assert.Equal(2L, Attempts());
    }

    [Fact]
    public async Task Loaded_AnswersAlreadyLoaded_WithTheRecordedOutcome_Forever()
    {
        var outcome = new LoadOutcome(5, 4, 3, 2, false);
        await _store.TryClaimAsync(Connector, Load, "a", T0, Lease, None);
        await _store.MarkLoadedAsync(Connector, Load, "a", outcome, T0.AddMinutes(1), None);

        var replay = await _store.TryClaimAsync(Connector, Load, "b", T0.AddDays(30), Lease, None);
        await _store.MarkLoadedAsync(Connector, Load, "b", new LoadOutcome(0, 0, 0, 0, true), T0.AddDays(30), None);
        var again = await _store.TryClaimAsync(Connector, Load, "c", T0.AddDays(31), Lease, None);

        Assert.Equal(LoadClaimResult.AlreadyLoaded, replay.Result);
        Assert.Equal(outcome, replay.Outcome);
        Assert.Equal(outcome, again.Outcome);
    }

    [Fact]
    public async Task Released_IsClaimableAgain_AndKeepsTheError()
    {
        await _store.TryClaimAsync(Connector, Load, "a", T0, Lease, None);
        await _store.ReleaseAsync(Connector, Load, "a", "COPY failed: line 2", T0.AddMinutes(1), None);
        Assert.Equal("COPY failed: line 2", Column("error"));

        var retry = await _store.TryClaimAsync(Connector, Load, "b", T0.AddMinutes(2), Lease, None);

        Assert.Equal(LoadClaimResult.Claimed, retry.Result);
        Assert.Equal(2L, Attempts());
        Assert.Equal("LOADING", Column("state"));
    }

    [Fact]
    public async Task ClaimsAreKeyedPerConnectorAndLoad()
    {
        await _store.TryClaimAsync(Connector, Load, "a", T0, Lease, None);

        Assert.Equal(LoadClaimResult.Claimed, (await _store.TryClaimAsync("other", Load, "b", T0, Lease, None)).Result);
        Assert.Equal(LoadClaimResult.Claimed, (await _store.TryClaimAsync(Connector, "acme/run-1/contact", "b", T0, Lease, None)).Result);
    }

    private long Attempts() => (long)Query("attempts")!;

    private string? Column(string name) => (string?)Query(name);

    private object? Query(string column)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {column} FROM load_claims WHERE connector_id = $c AND load_id = $l";
        command.Parameters.AddWithValue("$c", Connector);
        command.Parameters.AddWithValue("$l", Load);
        return command.ExecuteScalar();
    }
}
