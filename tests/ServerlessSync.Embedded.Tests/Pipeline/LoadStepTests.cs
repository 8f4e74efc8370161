using Microsoft.Extensions.Time.Testing;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Staging;
using ServerlessSync.Embedded.DuckDb;
using ServerlessSync.Embedded.LocalStaging;
using ServerlessSync.Embedded.Sqlite;
using ServerlessSync.Embedded.Tests.Sqlite;

namespace ServerlessSync.Embedded.Tests.Pipeline;

/// <summary>The load step over the embedded adapters: a warehouse that completes loads on submission (DuckDB).</summary>
public sealed class LoadStepTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;

    private static readonly ObjectSchema Schema = new("account",
    [
        new ColumnSchema("id", ColumnType.String),
        new ColumnSchema("updateddate", ColumnType.Timestamp),
        new ColumnSchema("name", ColumnType.String),
    ]);

    private readonly TempDirectory _temp = new();
    private readonly StatusFile _file = new();
    private readonly FakeTimeProvider _clock = new(T0);
    private SqliteStatusStore _claims = null!;
    private LocalDirectoryStagingStore _staging = null!;
    private DuckDbWarehouse _warehouse = null!;

    public async Task InitializeAsync()
    {
        await _file.InitializeAsync();
        _claims = _file.Open();
        _staging = new LocalDirectoryStagingStore(Path.Combine(_temp.Path, "staging"));
        _warehouse = new DuckDbWarehouse(Path.Combine(_temp.Path, "warehouse.duckdb"));
    }

    public async Task DisposeAsync()
    {
        await _warehouse.DisposeAsync();
        await _file.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task OnManifestCreated_WarehouseCompletesAtOnce_RecordsTheLoadAndAnswersLoaded()
    {
        var key = await StageAsync();

        var start = await Step("loader-1", _warehouse).OnManifestCreatedAsync(key, None);

        Assert.Equal(LoadStartResult.Loaded, start.Result);
        Assert.Null(start.StatementId);
        Assert.Equal(2, start.Report!.Outcome.Inserted);
        var loadId = (await StagedManifests.ReadAsync(_staging, key, None)).LoadId;
        var again = await _claims.TryClaimAsync("conn", loadId, "loader-2", _clock.GetUtcNow(), TimeSpan.FromMinutes(5), None);
        Assert.Equal((LoadClaimResult.AlreadyLoaded, 2L), (again.Result, again.Outcome!.Inserted));
    }

    [Fact]
    public async Task OnManifestCreated_Cancelled_ReleasesTheClaimAndKeepsTheFiles_SoARetryLoadsAtOnce()
    {
        var key = await StageAsync();

        await Assert.ThrowsAsync<OperationCanceledException>(() => Step("loader-1", new CancelledWarehouse()).OnManifestCreatedAsync(key, None));

        Assert.Contains(_staging.ListAsync("runs/", None).ToBlockingEnumerable(), o => o.Key == key);
        var retry = await Step("loader-2", _warehouse).OnManifestCreatedAsync(key, None);
        Assert.Equal(LoadStartResult.Loaded, retry.Result);
    }

    [Fact]
    public async Task OnManifestCreated_ManifestCarriesATokenButNoWorkflowIsAnswered_FailsNamingIt()
    {
        var key = await StageAsync(taskToken: "token-1");

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => Step("loader-1", _warehouse).OnManifestCreatedAsync(key, None));

        Assert.Contains("task token", e.Message, StringComparison.Ordinal);
    }

    private LoadStep Step(string claimant, IWarehouse warehouse) =>
        new(_staging, warehouse, _claims, callbacks: null, _clock, new LoadStepOptions(claimant, TimeSpan.FromMinutes(20)));

    private async Task<string> StageAsync(string? taskToken = null)
    {
        var stager = new ObjectStager(_staging, new StagingOptions(), _clock);
        var manifest = await stager.StageAsync("conn", "run-1", Schema, SyncWindow.Historical(T0), Rows(), taskToken, null, None);
        return StagingKeys.Manifest(manifest.ConnectorId, manifest.RunId, manifest.ObjectName);
    }

    private static async IAsyncEnumerable<SourceRow> Rows()
    {
        yield return new SourceRow(["a", T0.AddHours(-2), "first"], false);
        yield return new SourceRow(["b", T0.AddHours(-1), "second"], false);
        await Task.CompletedTask;
    }

    /// <summary>A warehouse stopped while it loads (Ctrl-C, the function's time running out).</summary>
    private sealed class CancelledWarehouse : IWarehouse
    {
        public Task<LoadSubmission> SubmitLoadAsync(StagedManifest manifest, IReadOnlyList<string> partLocations, DateTimeOffset syncedAt, string submissionName, CancellationToken cancellationToken) =>
            throw new OperationCanceledException("stopped");

        public Task<LoadCompletion> ReadCompletionAsync(StagedManifest manifest, IReadOnlyList<string> partLocations, string statementId, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<ObjectSchema?> DescribeAsync(string objectName, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<LiveRowsPage> ReadLiveRowsAsync(ObjectSchema schema, string? afterId, int pageSize, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
