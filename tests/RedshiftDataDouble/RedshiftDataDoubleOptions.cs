using System.Data;
using Amazon.S3;

namespace RedshiftDataDouble;

/// <summary>
/// A warehouse the double answers for: a provisioned cluster reached as a database user (or through a
/// Secrets Manager secret), or a serverless workgroup. Requests naming any other cluster, workgroup,
/// database, user or secret get ResourceNotFoundException. All targets share the instance's one database.
/// </summary>
public sealed record RedshiftDataTarget
{
    /// <summary>The database user a workgroup's statements run as when none is named: the IAM role the caller would sign with, as Redshift Serverless maps it.</summary>
    public const string DefaultWorkgroupUser = "IAMR:redshift-data-double";

    /// <summary>The database user a secret's statements run as when none is named.</summary>
    public const string DefaultSecretUser = "secret_user";

    private RedshiftDataTarget(string? clusterIdentifier, string? workgroupName, string database, string? dbUser, string? secretArn, string databaseUser)
    {
        ArgumentException.ThrowIfNullOrEmpty(database);
        ArgumentException.ThrowIfNullOrEmpty(databaseUser);
        ClusterIdentifier = clusterIdentifier;
        WorkgroupName = workgroupName;
        Database = database;
        DbUser = dbUser;
        SecretArn = secretArn;
        DatabaseUser = databaseUser;
    }

    public string? ClusterIdentifier { get; }

    public string? WorkgroupName { get; }

    public string Database { get; }

    public string? DbUser { get; }

    public string? SecretArn { get; }

    /// <summary>
    /// The database user (a PostgreSQL role, NOSUPERUSER, with <see cref="RedshiftDataDoubleOptions.DatabaseUserGrants"/>)
    /// the target's statements run as: <see cref="DbUser"/> for a cluster, the secret's user, the workgroup's IAM identity.
    /// </summary>
    public string DatabaseUser { get; }

    /// <summary>A cluster reached with temporary credentials as <paramref name="dbUser"/>.</summary>
    public static RedshiftDataTarget Cluster(string clusterIdentifier, string database, string dbUser)
    {
        ArgumentException.ThrowIfNullOrEmpty(clusterIdentifier);
        ArgumentException.ThrowIfNullOrEmpty(dbUser);
        return new(clusterIdentifier, null, database, dbUser, null, dbUser);
    }

    /// <summary>A cluster reached through a Secrets Manager secret (the request names <c>SecretArn</c> instead of <c>DbUser</c>).</summary>
    public static RedshiftDataTarget ClusterWithSecret(string clusterIdentifier, string database, string secretArn, string databaseUser = DefaultSecretUser)
    {
        ArgumentException.ThrowIfNullOrEmpty(clusterIdentifier);
        ArgumentException.ThrowIfNullOrEmpty(secretArn);
        return new(clusterIdentifier, null, database, null, secretArn, databaseUser);
    }

    /// <summary>A serverless workgroup (by name or ARN, exactly as requests will spell it), whose statements run as <paramref name="databaseUser"/>.</summary>
    public static RedshiftDataTarget Workgroup(string workgroupName, string database, string databaseUser = DefaultWorkgroupUser)
    {
        ArgumentException.ThrowIfNullOrEmpty(workgroupName);
        return new(null, workgroupName, database, null, null, databaseUser);
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

    /// <summary>The S3 client COPY reads manifests and data files with (moto in tests).</summary>
    public required IAmazonS3 S3 { get; init; }

    /// <summary>The warehouses requests may name. At least one.</summary>
    public required IReadOnlyList<RedshiftDataTarget> Targets { get; init; }

    /// <summary>Rows per GetStatementResult page; small values exercise <c>NextToken</c>.</summary>
    public int ResultPageSize { get; init; } = 1000;

    /// <summary>The clock for statement timestamps and for WaitTimeSeconds.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    // Strictness: what Redshift and the Data API refuse, the double refuses. Each can be switched off for a test whose
    // subject does not yet meet it; the double's own tests keep them all on (README.md, "Strictness").

    /// <summary>The Data API's limit on one row of a result (UTF-8 bytes of its values): GetStatementResult refuses a larger row.</summary>
    public int MaxResultRowBytes { get; init; } = 64 * 1024;

    /// <summary>The Data API's limit on a whole result (UTF-8 bytes of its values): GetStatementResult refuses a larger result.</summary>
    public long MaxResultBytes { get; init; } = 100L * 1024 * 1024;

    /// <summary>DescribeStatement, GetStatementResult and CancelStatement answer only the access key that submitted the statement.</summary>
    public bool StatementsVisibleToSubmitterOnly { get; init; } = true;

    /// <summary>Quoted identifiers are folded to lower case, as Redshift does with <c>enable_case_sensitive_identifier</c> off.</summary>
    public bool FoldQuotedIdentifiers { get; init; } = true;

    /// <summary>VARCHAR(n) holds at most n bytes of UTF-8 (PostgreSQL counts characters): INSERT, UPDATE and COPY fail beyond.</summary>
    public bool VarcharLengthInBytes { get; init; } = true;

    /// <summary>
    /// Statements run as the target's <see cref="RedshiftDataTarget.DatabaseUser"/>, a NOSUPERUSER role with
    /// <see cref="DatabaseUserGrants"/>; off, they run as the PostgreSQL superuser of <see cref="AdminConnectionString"/>.
    /// </summary>
    public bool RunAsDatabaseUser { get; init; } = true;

    /// <summary>
    /// What the database users are granted at start, run by the superuser in the instance's database, once per user:
    /// <c>{database}</c> and <c>{user}</c> stand for the quoted database and user names. The default is what a loader
    /// needs: CREATE (schemas) and TEMPORARY on the database. Every user also has what Redshift gives PUBLIC: CREATE and
    /// USAGE on schema public, TEMPORARY on the database.
    /// </summary>
    public IReadOnlyList<string> DatabaseUserGrants { get; init; } = DefaultDatabaseUserGrants;

    /// <summary>What a loader needs, the default of <see cref="DatabaseUserGrants"/>: CREATE and TEMPORARY on the database.</summary>
    public static IReadOnlyList<string> DefaultDatabaseUserGrants { get; } = ["GRANT CREATE, TEMPORARY ON DATABASE {database} TO {user}"];

    /// <summary>PostgreSQL-only syntax Redshift does not accept (ON CONFLICT, RETURNING, MERGE … WHEN MATCHED AND, …) fails the statement.</summary>
    public bool RefusePostgresOnlySyntax { get; init; } = true;

    /// <summary>
    /// COPY's <c>NULL AS</c> string also matches a quoted field (<c>"\N"</c> loads as NULL). Redshift's documentation does not say
    /// whether it does; on by default, the harsher reading, so a loader that writes its NULL string quoted loses the text.
    /// Off, fields follow PostgreSQL: a quoted field is never NULL.
    /// </summary>
    public bool NullStringMatchesQuotedFields { get; init; } = true;

    /// <summary>Transactions are SERIALIZABLE (Redshift's isolation): a conflict fails with Redshift's error 1023.</summary>
    public bool SerializableIsolation { get; init; } = true;

    /// <summary>
    /// The level the double's own transactions (a batch, a COPY outside one) begin with: Npgsql begins READ COMMITTED
    /// unless told, whatever the database's default.
    /// </summary>
    internal IsolationLevel TransactionIsolation => SerializableIsolation ? IsolationLevel.Serializable : IsolationLevel.ReadCommitted;

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
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxResultRowBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxResultBytes, 1);
        ArgumentNullException.ThrowIfNull(DatabaseUserGrants);
    }
}
