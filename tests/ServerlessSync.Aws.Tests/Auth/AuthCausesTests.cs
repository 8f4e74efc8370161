using ServerlessSync.Aws.Auth;

namespace ServerlessSync.Aws.Tests.Auth;

/// <summary>Each documented error form (code and message text, as the service or COPY reports it) maps to its cause.</summary>
public sealed class AuthCausesTests
{
    public static TheoryData<string?, string, bool?, string> DocumentedForms => new()
    {
        // The Data API, for the loader's role, when GetClusterCredentials is missing.
        { "AccessDeniedException", "User: arn:aws:sts::123456789012:assumed-role/serverless-sync-LoaderRole/fn is not authorized to perform: redshift:GetClusterCredentials on resource: arn:aws:redshift:us-east-1:123456789012:dbuser:sync-test/sync_loader", false, "AUTH_GET_CLUSTER_CREDENTIALS" },
        // Redshift's own API, a policy naming another cluster ARN (the resource in the message is the one asked for).
        { "AccessDenied", "User: arn:aws:iam::123456789012:user/ops is not authorized to perform: redshift:GetClusterCredentials on resource: arn:aws:redshift:eu-west-1:123456789012:dbname:other/dev", null, "AUTH_GET_CLUSTER_CREDENTIALS" },
        // STS: the customer role's trust policy does not name this stack (or the external id differs).
        { "AccessDenied", "User: arn:aws:sts::111111111111:assumed-role/serverless-sync-LoaderRole/fn is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/customer", null, "AUTH_TRUST_POLICY" },
        // COPY: the COPY role does not trust Redshift, or is not associated with the cluster.
        { null, "Not authorized to get credentials of role arn:aws:iam::123456789012:role/serverless-sync-copy", null, "AUTH_TRUST_POLICY" },
        { null, "User arn:aws:redshift:us-east-1:123456789012:dbuser:sync-test/sync_loader is not authorized to assume IAM Role arn:aws:iam::123456789012:role/serverless-sync-copy", false, "AUTH_TRUST_POLICY" },
        // Serverless permissions for a provisioned cluster, and the reverse.
        { "AccessDeniedException", "User: arn:aws:sts::123456789012:assumed-role/loader/fn is not authorized to perform: redshift-serverless:GetCredentials on resource: arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/abc", false, "AUTH_SERVERLESS_PROVISIONED_MISMATCH" },
        { "AccessDeniedException", "User: arn:aws:sts::123456789012:assumed-role/loader/fn is not authorized to perform: redshift:GetClusterCredentials on resource: arn:aws:redshift:us-east-1:123456789012:dbuser:wg/IAMR:loader", true, "AUTH_SERVERLESS_PROVISIONED_MISMATCH" },
        { "AccessDeniedException", "User: arn:aws:sts::123456789012:assumed-role/loader/fn is not authorized to perform: redshift-serverless:GetCredentials on resource: arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/abc", null, "AUTH_SERVERLESS_PROVISIONED_MISMATCH" },
    };

    [Theory]
    [MemberData(nameof(DocumentedForms))]
    public void Classify_DocumentedErrorForm_MapsToItsCause(string? code, string message, bool? serverless, string expected)
    {
        var cause = AuthCauses.Classify(code, message, serverless);

        Assert.NotNull(cause);
        Assert.Equal(expected, cause.Code);
        Assert.False(string.IsNullOrWhiteSpace(cause.Fix));
    }

    [Theory]
    [InlineData("ValidationException", "Cluster sync-test not found")]
    [InlineData("ThrottlingException", "Rate exceeded")]
    [InlineData("InvalidClientTokenId", "The security token included in the request is invalid")]
    public void Classify_NotAnAccessError_IsNoCause(string code, string message)
    {
        Assert.Null(AuthCauses.Classify(code, message));
        Assert.False(AuthCauses.IsAccessRefused(code, message));
    }

    [Fact]
    public void All_AreTheFourDocumentedCauses_EachWithCodeSentenceAndFix()
    {
        Assert.Equal(["AUTH_GET_CLUSTER_CREDENTIALS", "AUTH_TRUST_POLICY", "AUTH_SERVERLESS_PROVISIONED_MISMATCH", "AUTH_PROPAGATION_DELAY"], AuthCauses.All.Select(c => c.Code));
        Assert.All(AuthCauses.All, c => Assert.True(c.Sentence.Length > 20 && c.Fix.Length > 20, c.Code));
    }
}
