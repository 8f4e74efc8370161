namespace ServerlessSync.Aws.Doctor;

/// <summary>The seven checks of <c>doctor --destination redshift</c>, in the order of the customer's checklist (docs/aws.md).</summary>
public static class DestinationChecks
{
    // The checklist's numbers, in its order.
    public const int CustomerRole = 1, TemporaryCredentials = 2, DataApi = 3, Privileges = 4, StagingBucket = 5, CopyProbe = 6, Network = 7;

    /// <summary>Each check's number, name and what it proves (the CLI's --help prints them).</summary>
    public static IReadOnlyList<(int Number, string Name, string Proves)> All { get; } =
    [
        (CustomerRole, "customer role", "the customer role can be assumed with the external id, and not without it (its trust policy); SKIP without a customer role"),
        (TemporaryCredentials, "temporary credentials", "redshift:GetClusterCredentials for the db user and database of the provisioned cluster, or redshift-serverless:GetCredentials for the workgroup"),
        (DataApi, "Data API", "the Data API runs a statement and the same identity reads its result"),
        (Privileges, "database privileges", "CREATE and TEMPORARY on the database; with a pre-created schema, ALL on it instead of CREATE (TEMPORARY still needed)"),
        (StagingBucket, "staging bucket", "ListBucket on the bucket; PutObject, GetObject and DeleteObject of a probe object under the staging prefix, removed afterwards"),
        (CopyProbe, "COPY probe", "a probe file in the loader's own staged format, COPYed with the COPY role into a temporary table and read back: quoted \\N stays text, \"\" stays empty, CR/LF/tab/backslash and multibyte text survive, timestamps with offsets, decimal(28,9), boolean NULLs"),
        (Network, "network", "the Data API needs no inbound path to the cluster; with --direct, TCP reachability of the endpoint's port 5439"),
    ];

    public static string NameOf(int number) => All[number - 1].Name;
}
