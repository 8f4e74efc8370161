using Amazon.S3;

namespace RedshiftDataDouble;

/// <summary>
/// A warehouse the double answers for: a provisioned cluster reached as a database user (or through a
/// Secrets Manager secret), or a serverless workgroup. Requests naming any other cluster, workgroup,
/// database, user or secret get ResourceNotFoundException. All targets share the instance's one database.
/// </summary>
public sealed record RedshiftDataTarget
{
    private RedshiftDataTarget(string? clusterIdentifier, string? workgroupName, string database, string? dbUser, string? secretArn)
    {
        ArgumentException.ThrowIfNullOrEmpty(database);
        ClusterIdentifier = clusterIdentifier;
        WorkgroupName = workgroupName;
        Database = database;
        DbUser = dbUser;
        SecretArn = secretArn;
    }

    public string? ClusterIdentifier { get; }

    public string? WorkgroupName { get; }

    public string Database { get; }

    public string? DbUser { get; }

    public string? SecretArn { get; }

    /// <summary>A cluster reached with temporary credentials as <paramref name="dbUser"/>.</summary>
    public static RedshiftDataTarget Cluster(string clusterIdentifier, string database, string dbUser)
    {
        ArgumentException.ThrowIfNullOrEmpty(clusterIdentifier);
        ArgumentException.ThrowIfNullOrEmpty(dbUser);
        return new(clusterIdentifier, null, database, dbUser, null);
    }

    /// <summary>A cluster reached through a Secrets Manager secret (the request names <c>SecretArn</c> instead of <c>DbUser</c>).</summary>
    public static RedshiftDataTarget ClusterWithSecret(string clusterIdentifier, string database, string secretArn)
    {
        ArgumentException.ThrowIfNullOrEmpty(clusterIdentifier);
        ArgumentException.ThrowIfNullOrEmpty(secretArn);
        return new(clusterIdentifier, null, database, null, secretArn);
    }

    /// <summary>A serverless workgroup (by name or ARN, exactly as requests will spell it).</summary>
    public static RedshiftDataTarget Workgroup(string workgroupName, string database)
    {
        ArgumentException.ThrowIfNullOrEmpty(workgroupName);
        return new(null, workgroupName, database, null, null);
    }
}

/// <summary>How to start a <see cref="RedshiftDataDoubleServer"/>.</summary>
public sealed class RedshiftDataDoubleOptions
{
    /// <summary>
    /// An Npgsql connection string for a PostgreSQL 15 superuser. The double creates a database of its own
    /// through it at start and drops it at dispose.
    /// </summary>
    public required string AdminConnectionString { get; init; }

    /// <summary>The S3 client COPY reads manifests and data files with (s3rver in tests).</summary>
    public required IAmazonS3 S3 { get; init; }

    /// <summary>The warehouses requests may name. At least one.</summary>
    public required IReadOnlyList<RedshiftDataTarget> Targets { get; init; }

    /// <summary>Rows per GetStatementResult page; small values exercise <c>NextToken</c>.</summary>
    public int ResultPageSize { get; init; } = 1000;

    /// <summary>The clock for statement timestamps and for WaitTimeSeconds.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(AdminConnectionString);
        ArgumentNullException.ThrowIfNull(S3);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        if (Targets is not { Count: > 0 })
        {
            throw new ArgumentException("name at least one target (a cluster or a workgroup) the double answers for", nameof(Targets));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(ResultPageSize, 1);
    }
}
