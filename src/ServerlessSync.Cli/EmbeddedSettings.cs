using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Sql;

namespace ServerlessSync.Cli;

/// <summary>Everything the command line decides about one embedded connector.</summary>
internal sealed record EmbeddedSettings
{
    public const string DefaultHome = ".serverless-sync";
    public const string SyntheticSource = "synthetic";
    public const string FilesSourcePrefix = "files:";
    public const string ZuoraSource = "zuora";

    /// <summary><c>--objects all</c>: every object of the source, whatever the connector selected before.</summary>
    public const string AllObjects = "all";

    public string Home { get; init; } = DefaultHome;

    /// <summary><c>synthetic</c>, <c>files:DIR</c> or <c>zuora</c>.</summary>
    public string Source { get; init; } = SyntheticSource;

    public string? DestinationPath { get; init; }

    public string DestinationSchema { get; init; } = "zuora";

    public int? Scale { get; init; }

    /// <summary>For <c>zuora</c>: an environment name or the REST base URL (<see cref="Zuora.ZuoraEnvironments"/>).</summary>
    public string? ZuoraEnvironment { get; init; }

    /// <summary>For <c>zuora</c>: a JSON file with <c>clientId</c> and <c>clientSecret</c>; null = the environment variables.</summary>
    public string? ZuoraCredentialsFile { get; init; }

    /// <summary>For <c>zuora</c>: the entity of a multi-entity tenant (<see cref="Zuora.ZuoraCredentials.EntityIds"/>); null = ZUORA_ENTITY_IDS or the credentials file.</summary>
    public string? ZuoraEntityIds { get; init; }

    /// <summary>For <c>zuora</c>: the first wait in seconds between a job's status polls (<see cref="Zuora.ZuoraOptions.PollInterval"/>).</summary>
    public int ZuoraPollSeconds { get; init; } = 2;

    /// <summary>Where ZUORA_CLIENT_ID, ZUORA_CLIENT_SECRET and ZUORA_ENV are read (the process environment; tests give their own).</summary>
    public Func<string, string?> EnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    public ulong Seed { get; init; } = 20261126;

    public SyncOptions Sync { get; init; } = new();

    /// <summary>Tests only: wraps the source the pipeline reads (to hold a sync at a point, say); null in the CLI.</summary>
    internal Func<ISource, ISource>? WrapSource { get; init; }

    public long PartSizeBytes { get; init; } = 64L * 1024 * 1024;

    public string HomePath => Path.GetFullPath(Home);

    public string WarehousePath => Path.GetFullPath(DestinationPath ?? Path.Combine(HomePath, "warehouse.duckdb"));

    public string StatusPath => Path.Combine(HomePath, "status.db");

    public string StagingPath => Path.Combine(HomePath, "staging");

    public string TenantStatePath => Path.Combine(HomePath, "tenant.json");

    public string LockPath => Path.Combine(HomePath, "sync.lock");

    public bool IsSynthetic => Source == SyntheticSource;

    public bool IsZuora => Source == ZuoraSource;

    /// <summary>The name the source reports (<see cref="Core.Ports.ISource.Name"/>), known without opening it.</summary>
    public string SourceName => IsSynthetic ? SyntheticSource : IsZuora ? Zuora.ZuoraSource.SourceName : Sources.Files.FilesSource.SourceName;

    public string? FilesDirectory => Source.StartsWith(FilesSourcePrefix, StringComparison.Ordinal) ? Source[FilesSourcePrefix.Length..] : null;

    public void Validate()
    {
        if (File.Exists(HomePath))
        {
            throw new UsageException($"--home {HomePath} is a file; name a directory (it is created when missing)");
        }

        if (!IsSynthetic && !IsZuora && string.IsNullOrWhiteSpace(FilesDirectory))
        {
            throw new UsageException($"--source '{Source}' is not a source; use 'synthetic', 'files:DIR' or 'zuora'");
        }

        if (ZuoraPollSeconds is < 1 or > 300)
        {
            throw new UsageException($"--zuora-poll-seconds {ZuoraPollSeconds} must be between 1 and 300");
        }

        if (Scale is < 1)
        {
            throw new UsageException($"--scale {Scale} must be at least 1");
        }

        if (PartSizeBytes < 1024)
        {
            throw new UsageException("--part-size-mb must be positive");
        }

        if (DestinationSchemaName.Problem(DestinationSchema) is { } schemaProblem)
        {
            throw new UsageException($"--schema: {schemaProblem}");
        }

        try
        {
            Sync.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}

/// <summary>The user asked for something that cannot be done as asked (exit code 2).</summary>
internal class UsageException(string message) : Exception(message);

/// <summary>Another sync holds the home's lock (exit code 2, as every <see cref="UsageException"/>).</summary>
internal sealed class SyncRunningException(string message) : UsageException(message);

/// <summary>A reading command on a home where the connector has not synced (exit code 2).</summary>
internal sealed class NotSyncedYetException(string connectorId, string home)
    : Exception($"connector '{connectorId}' has not synced yet in {home}; run 'sync' first");
