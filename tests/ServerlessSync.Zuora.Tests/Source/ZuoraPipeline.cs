using System.Globalization;
using DuckDB.NET.Data;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Staging;
using ServerlessSync.Embedded.DuckDb;
using ServerlessSync.Embedded.LocalStaging;
using ServerlessSync.Embedded.Sqlite;
using ServerlessSync.Testing;
using ServerlessSync.Testing.Zuora;

namespace ServerlessSync.Zuora.Tests.Source;

/// <summary>
/// The embedded pipeline (local staging directory, DuckDB warehouse, SQLite status) with a <see cref="ZuoraSource"/>
/// talking to a <see cref="FakeZuora"/>, all on one <see cref="ImmediateTimeProvider"/>: polls, backoff and token expiry
/// follow its clock and nothing waits in real time. Removes its directory when disposed.
/// </summary>
internal sealed class ZuoraPipeline : IAsyncDisposable
{
    public const string ConnectorId = "zuora-test";
    public static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private readonly SqliteStatusStore _status;
    private readonly LocalDirectoryStagingStore _staging;
    private readonly DuckDbWarehouse _warehouse;
    private readonly ZuoraOptions _options;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ssync-zuora-" + Guid.NewGuid().ToString("N"));

    private ZuoraPipeline(FakeZuora fake, ImmediateTimeProvider clock, ZuoraOptions options)
    {
        Fake = fake;
        Clock = clock;
        Directory.CreateDirectory(_root);
        _options = options;
        Source = NewSource();
        _status = new SqliteStatusStore(Path.Combine(_root, "status.db"));
        _staging = new LocalDirectoryStagingStore(Path.Combine(_root, "staging"));
        WarehousePath = Path.Combine(_root, "warehouse.duckdb");
        _warehouse = new DuckDbWarehouse(WarehousePath);
    }

    public FakeZuora Fake { get; }

    public ImmediateTimeProvider Clock { get; }

    /// <summary>The source the runs use (its describe cache lives as long as it does; see <see cref="RenewSource"/>).</summary>
    public ZuoraSource Source { get; private set; }

    public System.Collections.Concurrent.ConcurrentQueue<string> Log { get; } = new();

    public string WarehousePath { get; }

    public SqliteStatusStore Status => _status;

    /// <summary>A pipeline over <paramref name="tenant"/>; <paramref name="configure"/> may change the source's options, <paramref name="fakeOptions"/> the fake's.</summary>
    public static async Task<ZuoraPipeline> StartAsync(FakeZuoraTenant tenant, Func<ZuoraOptions, ZuoraOptions>? configure = null, int pollsPerStep = 1, Func<FakeZuoraOptions, FakeZuoraOptions>? fakeOptions = null)
    {
        var clock = new ImmediateTimeProvider(T0);
        var fakeDefaults = new FakeZuoraOptions { TimeProvider = clock, PollsPerStep = pollsPerStep };
        var fake = await FakeZuora.StartAsync(tenant, fakeOptions is null ? fakeDefaults : fakeOptions(fakeDefaults));
        var options = new ZuoraOptions { BaseUrl = fake.Url };
        return new ZuoraPipeline(fake, clock, configure is null ? options : configure(options));
    }

    /// <summary>
    /// How many objects' export jobs the runner keeps running at once (<see cref="InProcessPipeline.JobConcurrency"/>); 1
    /// reads each object through the source's own read, one after another.
    /// </summary>
    public int JobConcurrency { get; set; } = InProcessSyncRunner.DefaultJobConcurrency;

    /// <summary>One sync run of <paramref name="objects"/> through every step.</summary>
    public Task<RunRecord> RunAsync(params string[] objects) => RunAsync(null, objects);

    /// <summary>One sync run of <paramref name="objects"/>, re-reading whole those <paramref name="fullResyncEvery"/> names when due.</summary>
    public Task<RunRecord> RunAsync(IReadOnlyDictionary<string, TimeSpan>? fullResyncEvery, params string[] objects)
    {
        var pipeline = new InProcessPipeline(Source, _staging, _warehouse, _status, _status, Clock)
        {
            StagingOptions = new StagingOptions { PartSizeBytes = 64 * 1024 },
            JobConcurrency = JobConcurrency,
        };
        return pipeline.CreateRunner().RunAsync(new SyncOptions { ConnectorId = ConnectorId, Objects = objects, Lookback = TimeSpan.Zero, FullResyncEvery = fullResyncEvery }, null, CancellationToken.None);
    }

    /// <summary>A new source in place of the old one, as the next sync's process would have (it describes objects afresh).</summary>
    public void RenewSource()
    {
        Source.Dispose();
        Source = NewSource();
    }

    public async Task<DateTimeOffset?> CursorAsync(string objectName) =>
        (await _status.GetObjectsAsync(ConnectorId, CancellationToken.None)).SingleOrDefault(o => o.ObjectName == objectName)?.Cursor;

    public long Scalar(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>The rows of <paramref name="sql"/>, each value as DuckDB.NET returns it (DBNull as null).</summary>
    public List<object?[]> Rows(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        Source.Dispose();
        await _warehouse.DisposeAsync();
        await _status.DisposeAsync();
        await Fake.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a failed test may still hold a file
        }
    }

    private ZuoraSource NewSource() =>
        new(_options, new ZuoraCredentials(Fake.Options.ClientId, Fake.Options.ClientSecret), new TimeoutsNeverElapseClock(Clock), log: Log.Enqueue);

    private DuckDBConnection Open()
    {
        var connection = new DuckDBConnection(new DuckDBConnectionStringBuilder { DataSource = WarehousePath }.ConnectionString);
        connection.Open();
        return connection;
    }
}
