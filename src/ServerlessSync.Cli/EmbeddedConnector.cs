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

    private EmbeddedConnector(EmbeddedSettings settings, ISource source, TimeProvider clock, SyntheticTenant? tenant, bool readOnly)
    {
        Settings = settings;
        source = settings.WrapSource?.Invoke(source) ?? source;
        Source = source;
        Clock = clock;
        Tenant = tenant;
        _status = new SqliteStatusStore(settings.StatusPath, readOnly);
        Staging = new LocalDirectoryStagingStore(settings.StagingPath);
        _warehouse = readOnly
            ? DuckDbWarehouse.OpenReadOnly(settings.WarehousePath, settings.DestinationSchema)
            : new DuckDbWarehouse(settings.WarehousePath, settings.DestinationSchema);
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

    /// <summary>Opens the home of <paramref name="settings"/>, creating what a sync needs.</summary>
    /// <param name="settings">the connector's settings</param>
    /// <param name="systemClock">the machine's clock</param>
    /// <param name="notices">where the Zuora source's notices (retries, waits, halved windows) go</param>
    public static EmbeddedConnector Open(EmbeddedSettings settings, TimeProvider systemClock, TextWriter? notices = null) =>
        Open(settings, systemClock, notices, readOnly: false);

    /// <summary>
    /// Opens a home that has synced, to read it (<c>verify</c>): nothing is created or written, so a read-only home can be
    /// read; a home without a status file has not synced yet. Returns the connector as stored, which syncs this source.
    /// </summary>
    /// <param name="settings">the connector's settings</param>
    /// <param name="systemClock">the machine's clock</param>
    /// <param name="notices">where the Zuora source's notices go</param>
    /// <param name="cancellationToken">stops the read of the connector</param>
    public static async Task<(EmbeddedConnector Embedded, ConnectorState Connector)> OpenForReadingAsync(EmbeddedSettings settings, TimeProvider systemClock, TextWriter? notices, CancellationToken cancellationToken)
    {
        var connector = await ReadConnectorAsync(settings, cancellationToken);
        ConnectorSourceMismatchException.ThrowIfAnother(connector, settings.SourceName);
        return (Open(settings, systemClock, notices, readOnly: true), connector);
    }

    /// <summary>
    /// The connector of a home that has synced, read without writing anything and without its source (<c>status</c>);
    /// throws <see cref="NotSyncedYetException"/> before the first sync.
    /// </summary>
    /// <param name="settings">the connector's settings</param>
    /// <param name="cancellationToken">stops the read</param>
    public static async Task<ConnectorState> ReadConnectorAsync(EmbeddedSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        if (!File.Exists(settings.StatusPath))
        {
            throw new NotSyncedYetException(settings.Sync.ConnectorId, settings.HomePath);
        }

        await using var status = new SqliteStatusStore(settings.StatusPath, readOnly: true);
        return await status.GetConnectorAsync(settings.Sync.ConnectorId, cancellationToken)
            ?? throw new NotSyncedYetException(settings.Sync.ConnectorId, settings.HomePath);
    }

    /// <summary>
    /// The status store of a home that has synced, opened read-only, and the clock its times are shown against: the
    /// synthetic tenant's when the connector syncs one (so "ago" follows <c>tenant advance</c>), else the machine's.
    /// </summary>
    /// <param name="settings">the connector's settings</param>
    /// <param name="connector">the connector, as <see cref="ReadConnectorAsync"/> read it</param>
    /// <param name="systemClock">the machine's clock</param>
    public static (SqliteStatusStore Status, TimeProvider Clock) OpenStatusForReading(EmbeddedSettings settings, ConnectorState connector, TimeProvider systemClock)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(connector);
        var clock = connector.Source == EmbeddedSettings.SyntheticSource && File.Exists(settings.TenantStatePath)
            ? SyntheticTenant.Open(settings.TenantStatePath, systemClock).Clock
            : systemClock;
        return (new SqliteStatusStore(settings.StatusPath, readOnly: true), clock);
    }

    private static EmbeddedConnector Open(EmbeddedSettings settings, TimeProvider systemClock, TextWriter? notices, bool readOnly)
    {
        settings.Validate();
        if (settings.IsZuora)
        {
            var zuora = ZuoraConnection.CreateSource(settings, systemClock, message => notices?.WriteLine(message));
            settings = CreateHomeFor(settings, zuora.Name, zuora.Objects, readOnly);
            return new EmbeddedConnector(settings, zuora, systemClock, null, readOnly);
        }

        if (settings.IsSynthetic)
        {
            settings = CreateHomeFor(settings, EmbeddedSettings.SyntheticSource, SyntheticSource.ObjectNames, readOnly);
            SyntheticTenant tenant;
            try
            {
                tenant = readOnly
                    ? SyntheticTenant.Open(settings.TenantStatePath, systemClock)
                    : SyntheticTenant.OpenOrCreate(settings.TenantStatePath, settings.Scale, settings.Seed, systemClock);
            }
            catch (FileNotFoundException)
            {
                throw new NotSyncedYetException(settings.Sync.ConnectorId, settings.HomePath);
            }
            catch (InvalidOperationException e)
            {
                // An explicit --scale that disagrees with the tenant already in this home.
                throw new UsageException(e.Message);
            }

            return new EmbeddedConnector(settings, tenant.Source, tenant.Clock, tenant, readOnly);
        }

        var directory = Path.GetFullPath(settings.FilesDirectory!);
        if (!Directory.Exists(directory))
        {
            throw new UsageException($"--source files:{settings.FilesDirectory}: directory {directory} does not exist");
        }

        var files = new FilesSource(directory);
        settings = CreateHomeFor(settings, files.Name, files.Objects, readOnly);
        return new EmbeddedConnector(settings, files, systemClock, null, readOnly);
    }

    /// <summary>
    /// Creates the home, once the objects asked for are known to be the source's: a request refused for a misspelt object
    /// leaves nothing behind. <c>--objects all</c> becomes every object of the source.
    /// </summary>
    private static EmbeddedSettings CreateHomeFor(EmbeddedSettings settings, string sourceName, IReadOnlyList<string> objects, bool readOnly)
    {
        if (settings.Sync.Objects is [EmbeddedSettings.AllObjects])
        {
            settings = settings with { Sync = settings.Sync with { Objects = objects } };
        }
        else if (settings.Sync.Objects is { } requested)
        {
            UnknownObjectException.ThrowIfUnknown(sourceName, requested, objects);
        }

        if (!readOnly)
        {
            Directory.CreateDirectory(settings.HomePath);
        }

        return settings;
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
    public FileStream AcquireSyncLock() => AcquireSyncLock(Settings);

    /// <summary>Holds the lock of <paramref name="settings"/>'s home (which must exist) for a sync; <see cref="UsageException"/> when another sync holds it.</summary>
    public static FileStream AcquireSyncLock(EmbeddedSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        try
        {
            return new FileStream(settings.LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (UnauthorizedAccessException)
        {
            throw new UsageException($"cannot write to --home {settings.HomePath} (read-only or not yours); sync needs a home it can write: fix its permissions or choose another --home");
        }
        catch (IOException e) when (!HomeErrors.IsDiskFull(e))
        {
            throw new SyncRunningException($"another sync is running with --home {settings.HomePath} (lock {settings.LockPath})");
        }
    }

    /// <summary>Whether a sync holds the home's lock now; reading commands ask without creating the lock file.</summary>
    public static bool SyncIsRunning(EmbeddedSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        try
        {
            using var probe = new FileStream(settings.LockPath, FileMode.Open, FileAccess.Read, FileShare.None);
            return false;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _warehouse.DisposeAsync();
        await _status.DisposeAsync();
        (Source as IDisposable)?.Dispose();
    }
}
