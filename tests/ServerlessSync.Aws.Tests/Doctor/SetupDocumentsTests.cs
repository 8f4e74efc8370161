using System.Text.Json;
using Amazon;
using ServerlessSync.Aws.Doctor;
using ServerlessSync.Aws.RedshiftData;

namespace ServerlessSync.Aws.Tests.Doctor;

/// <summary>What <c>setup print</c> prints: IAM documents that parse and say exactly what the checklist grants, and the SQL.</summary>
public sealed class SetupDocumentsTests
{
    private static readonly DestinationSettings Provisioned = new()
    {
        Target = RedshiftTarget.ProvisionedCluster("analytics", "dev", "serverless_sync"), Region = RegionEndpoint.EUWest1,
        StagingBucket = "serverless-sync-111111111111-eu-west-1-abc", CopyRoleArn = "arn:aws:iam::222222222222:role/copy",
        CustomerRoleArn = "arn:aws:iam::222222222222:role/customer", CustomerExternalId = "ext-42", LoaderRoleArn = "arn:aws:iam::111111111111:role/stack-LoaderRole-X",
    };

    [Fact]
    public void CustomerRolePolicy_Provisioned_GrantsGetClusterCredentialsOnTheDbUserAndDbNameArns_TheDataApi_AndTheBucket()
    {
        using var policy = JsonDocument.Parse(SetupDocuments.CustomerRolePolicy(Provisioned));

        Assert.Equal("2012-10-17", policy.RootElement.GetProperty("Version").GetString());
        var statements = policy.RootElement.GetProperty("Statement").EnumerateArray().ToDictionary(s => s.GetProperty("Sid").GetString()!);
        Assert.Equal("redshift:GetClusterCredentials", statements["TemporaryCredentials"].GetProperty("Action").GetString());
        Assert.Equal(
            ["arn:aws:redshift:eu-west-1:222222222222:dbuser:analytics/serverless_sync", "arn:aws:redshift:eu-west-1:222222222222:dbname:analytics/dev"],
            statements["TemporaryCredentials"].GetProperty("Resource").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("arn:aws:redshift:eu-west-1:222222222222:cluster:analytics", statements["RunStatements"].GetProperty("Resource").GetString());
        Assert.Equal("*", statements["ReadStatements"].GetProperty("Resource").GetString());
        Assert.Equal("s3:ListBucket", statements["ListStagingBucket"].GetProperty("Action").GetString());
        Assert.Equal("arn:aws:s3:::serverless-sync-111111111111-eu-west-1-abc", statements["ListStagingBucket"].GetProperty("Resource").GetString());
        Assert.Equal(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], statements["StagedFiles"].GetProperty("Action").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("arn:aws:s3:::serverless-sync-111111111111-eu-west-1-abc/*", statements["StagedFiles"].GetProperty("Resource").GetString());
        Assert.DoesNotContain(statements.Values, s => s.GetProperty("Action").ToString().Contains("redshift-serverless", StringComparison.Ordinal));
    }

    [Fact]
    public void CustomerRolePolicy_Serverless_GrantsGetCredentialsOnTheWorkgroup_NotGetClusterCredentials()
    {
        var serverless = Provisioned with { Target = RedshiftTarget.Serverless("arn:aws:redshift-serverless:eu-west-1:222222222222:workgroup/0b1c", "dev") };

        using var policy = JsonDocument.Parse(SetupDocuments.CustomerRolePolicy(serverless));

        var statements = policy.RootElement.GetProperty("Statement").EnumerateArray().ToDictionary(s => s.GetProperty("Sid").GetString()!);
        Assert.Equal("redshift-serverless:GetCredentials", statements["TemporaryCredentials"].GetProperty("Action").GetString());
        Assert.Equal("arn:aws:redshift-serverless:eu-west-1:222222222222:workgroup/0b1c", statements["TemporaryCredentials"].GetProperty("Resource").GetString());
        Assert.DoesNotContain("GetClusterCredentials", policy.RootElement.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TrustPolicies_CustomerRoleTrustsTheLoaderRoleWithTheExternalId_CopyRoleTrustsRedshift()
    {
        using var customer = JsonDocument.Parse(SetupDocuments.CustomerRoleTrustPolicy(Provisioned));
        using var copy = JsonDocument.Parse(SetupDocuments.CopyRoleTrustPolicy());

        var statement = customer.RootElement.GetProperty("Statement")[0];
        Assert.Equal("arn:aws:iam::111111111111:role/stack-LoaderRole-X", statement.GetProperty("Principal").GetProperty("AWS").GetString());
        Assert.Equal("sts:AssumeRole", statement.GetProperty("Action").GetString());
        Assert.Equal("ext-42", statement.GetProperty("Condition").GetProperty("StringEquals").GetProperty("sts:ExternalId").GetString());
        var copyStatement = copy.RootElement.GetProperty("Statement")[0];
        Assert.Equal("redshift.amazonaws.com", copyStatement.GetProperty("Principal").GetProperty("Service").GetString());
        Assert.Equal("sts:AssumeRole", copyStatement.GetProperty("Action").GetString());
    }

    [Fact]
    public void Sql_Provisioned_CreatesTheUserAndGrantsCreateAndTemporary_OrAllOnAPreCreatedSchema()
    {
        var sql = SetupDocuments.Sql(Provisioned).Split('\n');

        Assert.Equal("CREATE USER \"serverless_sync\" PASSWORD DISABLE;", sql[0]);
        Assert.Equal("GRANT CREATE, TEMPORARY ON DATABASE \"dev\" TO \"serverless_sync\";", sql[1]);
        Assert.Contains("-- GRANT ALL ON SCHEMA \"zuora\" TO \"serverless_sync\";", sql);
    }

    [Fact]
    public void Sql_Serverless_GrantsTheRoleMappedUser_WithoutCreateUser()
    {
        var sql = SetupDocuments.Sql(Provisioned with { Target = RedshiftTarget.Serverless("analytics-wg", "dev") });

        Assert.DoesNotContain("CREATE USER", sql, StringComparison.Ordinal);
        Assert.Contains("GRANT CREATE, TEMPORARY ON DATABASE \"dev\" TO \"IAMR:customer\";", sql, StringComparison.Ordinal);
    }
}
