using ServerlessSync.Core.Model;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Staging;
using ServerlessSync.Core.Verification;
using ServerlessSync.Embedded.DuckDb;
using ServerlessSync.Embedded.LocalStaging;
using ServerlessSync.Embedded.Sqlite;
using ServerlessSync.Sources.Files;
using ServerlessSync.Sources.Synthetic;

namespace ServerlessSync.Cli;

/// <summary>
/// The one place the embedded pipeline is composed: source, directory staging store, DuckDB warehouse and
/// SQLite status store, all under the home directory, wired into the same steps the cloud runs.
/// </summary>
internal sealed class EmbeddedConnector : IAsyncDisposable
{
    private readonly DuckDbWarehouse _warehouse;
    private readonly SqliteStatusStore _status;

    private EmbeddedConnector(EmbeddedSettings settings, ISource source, TimeProvider clock, SyntheticTenant? tenant)
    {
        Settings = settings;
        Source = source;
        Clock = clock;
        Tenant = tenant;
        _status = new SqliteStatusStore(settings.StatusPath);
        Staging = new LocalDirectoryStagingStore(settings.StagingPath);
        _warehouse = new DuckDbWarehouse(settings.WarehousePath, settings.DestinationSchema);
        Pipeline = new InProcessPipeline(source, Staging, _warehouse, _status, _status, clock)
        {
            StagingOptions = new StagingOptions { PartSizeBytes = settings.PartSizeBytes },
        };
    }

    public EmbeddedSettings Settings { get; }

    public ISource Source { get; }

    /// <summary>The pipeline's clock: the synthetic tenant's clock (so <c>tenant advance</c> moves time), else the system's.</summary>
    public TimeProvider Clock { get; }

    public SyntheticTenant? Tenant { get; }

    public IStatusStore Status => _status;

    public LocalDirectoryStagingStore Staging { get; }

    public IWarehouse Warehouse => _warehouse;

    /// <summary>Opens the home of <paramref name="settings"/>; the Zuora source's notices (retries, waits, halved windows) go to <paramref name="notices"/>.</summary>
    public static EmbeddedConnector Open(EmbeddedSettings settings, TimeProvider systemClock, TextWriter? notices = null)
    {
        settings.Validate();
        Directory.CreateDirectory(settings.HomePath);
        if (settings.IsZuora)
        {
            var zuora = ZuoraConnection.CreateSource(settings, systemClock, message => notices?.WriteLine(message));
            return new EmbeddedConnector(settings, zuora, systemClock, null);
        }

        if (settings.IsSynthetic)
        {
            SyntheticTenant tenant;
            try
            {
                tenant = SyntheticTenant.OpenOrCreate(settings.TenantStatePath, settings.Scale, settings.Seed, systemClock);
            }
            catch (InvalidOperationException e)
            {
                // An explicit --scale that disagrees with the tenant already in this home.
                throw new UsageException(e.Message);
            }

            return new EmbeddedConnector(settings, tenant.Source, tenant.Clock, tenant);
        }

        var directory = Path.GetFullPath(settings.FilesDirectory!);
        if (!Directory.Exists(directory))
        {
            throw new UsageException($"--source files:{settings.FilesDirectory}: directory {directory} does not exist");
        }

        return new EmbeddedConnector(settings, new FilesSource(directory), systemClock, null);
    }

    /// <summary>
    /// The pipeline over this home, composed as the cloud's functions are: <see cref="InProcessPipeline.CreateRunner"/>
    /// runs a sync. The home's own file lock, not a run lock, keeps syncs of one home apart.
    /// </summary>
    public InProcessPipeline Pipeline { get; }

    /// <summary>
    /// The connector as stored (null before its first sync); throws <see cref="ConnectorSourceMismatchException"/> when it
    /// syncs another source than this one, so <c>verify</c> and <c>doctor</c> never compare or check the wrong source.
    /// </summary>
    public async Task<ConnectorState?> ConnectorOfThisSourceAsync(CancellationToken cancellationToken)
    {
        var connector = await Status.GetConnectorAsync(Settings.Sync.ConnectorId, cancellationToken);
        ConnectorSourceMismatchException.ThrowIfAnother(connector, Source);
        return connector;
    }

    /// <summary>With the home's lock held no other run can be active: a run still RUNNING was abandoned.</summary>
    public Task<RunRecord?> CloseAbandonedRunAsync(CancellationToken cancellationToken) =>
        new FinishRunStep(Status, Clock).CloseAbandonedAsync(Settings.Sync.ConnectorId, cancellationToken);

    public Verifier CreateVerifier() => new(Source, Warehouse);

    /// <summary>Holds the home's lock for a sync: two syncs of one home never overlap.</summary>
    public FileStream AcquireSyncLock()
    {
        try
        {
            return new FileStream(Settings.LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException)
        {
            throw new UsageException($"another sync is running with --home {Settings.HomePath} (lock {Settings.LockPath})");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _warehouse.DisposeAsync();
        await _status.DisposeAsync();
        (Source as IDisposable)?.Dispose();
    }
}
