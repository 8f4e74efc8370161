namespace ServerlessSync.Aws.RedshiftData;

/// <summary>
/// Where statements run, in one of the two forms the Data API accepts without a secret: a provisioned
/// cluster (<c>ClusterIdentifier</c> + <c>Database</c> + <c>DbUser</c>; the Data API gets temporary
/// credentials for the user through GetClusterCredentials) or a Redshift Serverless workgroup
/// (<c>WorkgroupName</c> + <c>Database</c>; the caller's IAM identity maps to the database user).
/// </summary>
public sealed record RedshiftTarget
{
    private RedshiftTarget(string? clusterIdentifier, string database, string? dbUser, string? workgroupName)
    {
        ClusterIdentifier = clusterIdentifier;
        Database = database;
        DbUser = dbUser;
        WorkgroupName = workgroupName;
    }

    public string? ClusterIdentifier { get; }

    public string Database { get; }

    public string? DbUser { get; }

    public string? WorkgroupName { get; }

    public bool IsServerless => WorkgroupName is not null;

    public static RedshiftTarget ProvisionedCluster(string clusterIdentifier, string database, string dbUser) =>
        From(clusterIdentifier, database, dbUser, workgroupName: null);

    public static RedshiftTarget Serverless(string workgroupName, string database) =>
        From(clusterIdentifier: null, database, dbUser: null, workgroupName);

    /// <summary>
    /// Builds a target from configuration values, any of which may be missing; throws an
    /// <see cref="ArgumentException"/> naming the member that is missing or does not belong.
    /// </summary>
    public static RedshiftTarget From(string? clusterIdentifier, string? database, string? dbUser, string? workgroupName)
    {
        clusterIdentifier = Blank(clusterIdentifier);
        database = Blank(database);
        dbUser = Blank(dbUser);
        workgroupName = Blank(workgroupName);
        const string forms = "a Redshift target is either ClusterIdentifier + Database + DbUser (provisioned cluster) or WorkgroupName + Database (Redshift Serverless)";

        if (clusterIdentifier is not null && workgroupName is not null)
        {
            throw new ArgumentException($"both ClusterIdentifier ('{clusterIdentifier}') and WorkgroupName ('{workgroupName}') are set: {forms}", nameof(workgroupName));
        }

        if (clusterIdentifier is null && workgroupName is null)
        {
            throw new ArgumentException($"ClusterIdentifier and WorkgroupName are both missing: {forms}", nameof(clusterIdentifier));
        }

        if (clusterIdentifier is not null)
        {
            if (database is null)
            {
                throw new ArgumentException($"ClusterIdentifier '{clusterIdentifier}' is set but Database is missing: {forms}", nameof(database));
            }

            if (dbUser is null)
            {
                throw new ArgumentException($"ClusterIdentifier '{clusterIdentifier}' is set but DbUser is missing: {forms}", nameof(dbUser));
            }

            if (clusterIdentifier.Length > 63)
            {
                throw new ArgumentException($"ClusterIdentifier is {clusterIdentifier.Length} characters; the Data API allows at most 63", nameof(clusterIdentifier));
            }

            return new RedshiftTarget(clusterIdentifier, database, dbUser, null);
        }

        if (database is null)
        {
            throw new ArgumentException($"WorkgroupName '{workgroupName}' is set but Database is missing: {forms}", nameof(database));
        }

        if (dbUser is not null)
        {
            throw new ArgumentException($"DbUser ('{dbUser}') does not apply to a Serverless workgroup ('{workgroupName}'): {forms}", nameof(dbUser));
        }

        if (workgroupName!.Length is < 3 or > 128)
        {
            throw new ArgumentException($"WorkgroupName is {workgroupName.Length} characters; the Data API allows 3 to 128", nameof(workgroupName));
        }

        return new RedshiftTarget(null, database, null, workgroupName);
    }

    /// <summary>The functions' environment variable for the member an <see cref="ArgumentException"/> of <see cref="From"/> names.</summary>
    public static string VariableOf(ArgumentException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.ParamName switch
        {
            "clusterIdentifier" => "REDSHIFT_CLUSTER_ID",
            "workgroupName" => "REDSHIFT_WORKGROUP",
            "dbUser" => "REDSHIFT_DB_USER",
            _ => "REDSHIFT_DATABASE",
        };
    }

    public override string ToString() =>
        IsServerless ? $"workgroup {WorkgroupName}, database {Database}" : $"cluster {ClusterIdentifier}, database {Database}, user {DbUser}";

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
