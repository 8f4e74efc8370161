namespace ServerlessSync.Aws.Auth;

/// <summary>One of the documented causes of an authentication error: a code to quote, a sentence saying what is wrong, and the fix.</summary>
/// <param name="Code">stable, for scripts and the status: <c>AUTH_…</c></param>
/// <param name="Sentence">what is wrong, in words the database's owner can act on</param>
/// <param name="Fix">what to change</param>
public sealed record AuthCause(string Code, string Sentence, string Fix)
{
    /// <summary>"CODE: sentence Fix: fix", one line.</summary>
    public override string ToString() => $"{Code}: {Sentence} Fix: {Fix}";
}

/// <summary>
/// The four documented causes of authentication errors (docs/aws.md, "When access is refused"), and the one
/// classifier that maps an AWS error (its code and message text, as any client or COPY reports it) to one of them.
/// Used by the Data API client (so a run's error carries the cause), the customer role's credentials and
/// <c>doctor --destination redshift</c>.
/// </summary>
public static class AuthCauses
{
    /// <summary>GetClusterCredentials is not allowed, or allowed on another cluster ARN, region or account.</summary>
    public static readonly AuthCause GetClusterCredentials = new("AUTH_GET_CLUSTER_CREDENTIALS", "The identity calling the Data API may not get temporary credentials for this database user and database: redshift:GetClusterCredentials is missing, or it names another cluster, region or account.", "Allow redshift:GetClusterCredentials on arn:aws:redshift:{region}:{account}:dbuser:{cluster}/{user} and arn:aws:redshift:{region}:{account}:dbname:{cluster}/{database}, with the cluster's own region and account (`serverless-sync setup print` prints the policy).");

    /// <summary>A role's trust policy does not let the calling principal (this stack's role, or Redshift for COPY) assume it.</summary>
    public static readonly AuthCause TrustPolicy = new("AUTH_TRUST_POLICY", "A role's trust policy does not let the caller assume it: the customer role must trust this stack's account with the external id, and the COPY role must trust redshift.amazonaws.com and be associated with the cluster or namespace.", "Set the role's trust policy to the one `serverless-sync setup print` prints (customer role: this stack's loader role as principal, sts:ExternalId as condition; COPY role: the service principal redshift.amazonaws.com), and check the external id matches CUSTOMER_EXTERNAL_ID.");

    /// <summary>Serverless permissions used for a provisioned cluster, or the reverse.</summary>
    public static readonly AuthCause ServerlessProvisionedMismatch = new("AUTH_SERVERLESS_PROVISIONED_MISMATCH", "The permissions are for the other kind of Redshift: redshift-serverless:GetCredentials works only for a Serverless workgroup, redshift:GetClusterCredentials only for a provisioned cluster.", "For a provisioned cluster allow redshift:GetClusterCredentials on its dbuser and dbname ARNs and set REDSHIFT_CLUSTER_ID; for a Serverless workgroup allow redshift-serverless:GetCredentials on the workgroup ARN and set REDSHIFT_WORKGROUP.");

    /// <summary>A policy was changed moments ago and AWS has not applied it everywhere yet.</summary>
    public static readonly AuthCause PropagationDelay = new("AUTH_PROPAGATION_DELAY", "Access was refused right after a policy change: IAM changes take a few minutes to reach every service, so the request was retried with backoff.", "Nothing when it passed on a retry; when it was still refused after 10 minutes the policy itself is wrong: see the other causes (`serverless-sync doctor --destination redshift`).");

    /// <summary>Every cause, in the documented order.</summary>
    public static IReadOnlyList<AuthCause> All { get; } = [GetClusterCredentials, TrustPolicy, ServerlessProvisionedMismatch, PropagationDelay];

    /// <summary>
    /// Whether an error means "access refused" (and so may be a propagation delay): the codes AWS services use for it
    /// (<c>AccessDenied</c>, <c>AccessDeniedException</c>, <c>UnauthorizedOperation</c>, <c>NotAuthorized</c>,
    /// <c>InvalidClientTokenId</c> is not one: a wrong key is not a delay), or a message saying "is not authorized to".
    /// </summary>
    public static bool IsAccessRefused(string? code, string? message) =>
        code is "AccessDenied" or "AccessDeniedException" or "UnauthorizedOperation" or "NotAuthorized" or "UnauthorizedException" or "AccessDeniedFault"
        || (message is not null && (message.Contains("is not authorized to", StringComparison.OrdinalIgnoreCase)
            || message.Contains("Not authorized to get credentials of role", StringComparison.OrdinalIgnoreCase)
            || message.Contains("not authorized to assume", StringComparison.OrdinalIgnoreCase)));

    /// <summary>
    /// The cause of an access error, or null when the error is no access error or names none of the causes.
    /// <paramref name="serverlessTarget"/>: whether the destination is a Serverless workgroup (null: unknown), which tells
    /// a mismatch from a plain missing permission.
    /// </summary>
    public static AuthCause? Classify(string? code, string? message, bool? serverlessTarget = null)
    {
        if (!IsAccessRefused(code, message) && !MentionsTrust(message))
        {
            return null;
        }

        var text = message ?? "";
        var serverlessAction = text.Contains("redshift-serverless:", StringComparison.OrdinalIgnoreCase);
        var clusterAction = text.Contains("redshift:GetClusterCredentials", StringComparison.OrdinalIgnoreCase)
            || text.Contains(":dbuser:", StringComparison.OrdinalIgnoreCase) || text.Contains(":dbname:", StringComparison.OrdinalIgnoreCase);
        if ((serverlessAction && serverlessTarget == false) || (clusterAction && serverlessTarget == true))
        {
            return ServerlessProvisionedMismatch;
        }

        if (serverlessAction)
        {
            // Refused GetCredentials on a workgroup: the permission a provisioned cluster's policy lacks.
            return ServerlessProvisionedMismatch;
        }

        if (text.Contains("redshift:GetClusterCredentials", StringComparison.OrdinalIgnoreCase))
        {
            return GetClusterCredentials;
        }

        // Before the dbuser ARN: COPY's "User arn:…:dbuser:… is not authorized to assume IAM Role …" is the COPY role's trust.
        if (MentionsTrust(text))
        {
            return TrustPolicy;
        }

        return clusterAction ? GetClusterCredentials : null;
    }

    private static bool MentionsTrust(string? message) =>
        message is not null
        && (message.Contains("sts:AssumeRole", StringComparison.OrdinalIgnoreCase)
            || message.Contains("not authorized to assume", StringComparison.OrdinalIgnoreCase)
            || message.Contains("Not authorized to get credentials of role", StringComparison.OrdinalIgnoreCase)
            || message.Contains("trust policy", StringComparison.OrdinalIgnoreCase));
}
