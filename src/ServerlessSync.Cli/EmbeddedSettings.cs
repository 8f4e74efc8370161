using ServerlessSync.Core.Pipeline;

namespace ServerlessSync.Cli;

/// <summary>Everything the command line decides about one embedded connector.</summary>
internal sealed record EmbeddedSettings
{
    public const string DefaultHome = ".serverless-sync";
    public const string SyntheticSource = "synthetic";
    public const string FilesSourcePrefix = "files:";

    public string Home { get; init; } = DefaultHome;

    /// <summary><c>synthetic</c> or <c>files:DIR</c>.</summary>
    public string Source { get; init; } = SyntheticSource;

    public string? DestinationPath { get; init; }

    public string DestinationSchema { get; init; } = "zuora";

    public int? Scale { get; init; }

    public ulong Seed { get; init; } = 20261126;

    public SyncOptions Sync { get; init; } = new();

    public long PartSizeBytes { get; init; } = 64L * 1024 * 1024;

    public string HomePath => Path.GetFullPath(Home);

    public string WarehousePath => Path.GetFullPath(DestinationPath ?? Path.Combine(HomePath, "warehouse.duckdb"));

    public string StatusPath => Path.Combine(HomePath, "status.db");

    public string StagingPath => Path.Combine(HomePath, "staging");

    public string TenantStatePath => Path.Combine(HomePath, "tenant.json");

    public string LockPath => Path.Combine(HomePath, "sync.lock");

    public bool IsSynthetic => Source == SyntheticSource;

    public string? FilesDirectory => Source.StartsWith(FilesSourcePrefix, StringComparison.Ordinal) ? Source[FilesSourcePrefix.Length..] : null;

    public void Validate()
    {
        if (!IsSynthetic && string.IsNullOrWhiteSpace(FilesDirectory))
        {
            throw new UsageException($"--source '{Source}' is not a source; use 'synthetic' or 'files:DIR'");
        }

        if (Scale is < 1)
        {
            throw new UsageException($"--scale {Scale} must be at least 1");
        }

        if (PartSizeBytes < 1024)
        {
            throw new UsageException("--part-size-mb must be positive");
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
internal sealed class UsageException(string message) : Exception(message);
