using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3.Model;
using Microsoft.AspNetCore.Http;
using ServerlessSync.Aws.Auth;
using ServerlessSync.Aws.Doctor;
using ServerlessSync.Aws.RedshiftData;
using ServerlessSync.Aws.S3;
using ServerlessSync.Core.Model;
using ServerlessSync.Testing;
using ServerlessSync.Testing.Aws;
using ServerlessSync.Testing.Http;

namespace ServerlessSync.Aws.Tests.Doctor;

/// <summary>
/// The destination checks that talk to AWS's control plane, against moto_server: AssumeRole with and without the external id,
/// GetClusterCredentials for a created cluster and for none, the staging bucket's probes. moto does not enforce trust
/// policies or external ids: a refused AssumeRole is answered by a local STS stand-in with AWS's error.
/// </summary>
public sealed class DoctorMotoTests
{
    private const string Account = "123456789012";
    private static readonly AWSCredentials Keys = new BasicAWSCredentials("doctor-test", "doctor-test");

    private static DestinationSettings Settings(string cluster = "doctor-cluster", string bucket = "no-bucket", string? customerRole = null, string? externalId = null, Uri? sts = null) => new()
    {
        Target = RedshiftTarget.ProvisionedCluster(cluster, "dev", "sync_loader"),
        StagingBucket = bucket,
        CopyRoleArn = $"arn:aws:iam::{Account}:role/serverless-sync-copy",
        CustomerRoleArn = customerRole,
        CustomerExternalId = externalId,
        Region = RegionEndpoint.USEast1,
        Endpoints = new DoctorEndpoints { Sts = sts ?? TestStack.MotoEndpoint, Redshift = TestStack.MotoEndpoint, S3 = TestStack.MotoEndpoint },
    };

    private static RedshiftDoctor Doctor(DestinationSettings settings) =>
        new(settings, Keys, new DoctorOptions { Clock = new ImmediateTimeProvider(DateTimeOffset.UnixEpoch), Access = AccessRetry.None });

    [Fact]
    public async Task CustomerRole_AssumedWithTheExternalId_ButAlsoWithout_WarnsThatTheTrustPolicyLacksTheCondition()
    {
        var role = await CreateRoleAsync("customer-" + Guid.NewGuid().ToString("N")[..8]);

        var (result, identity) = await Doctor(Settings(customerRole: role, externalId: "right-id")).CheckCustomerRoleAsync(CancellationToken.None);

        // moto assumes any role with any external id: the confused-deputy guard sees it.
        Assert.Equal(CheckOutcome.Warn, result.Outcome);
        Assert.Contains("also without it", result.Message, StringComparison.Ordinal);
        Assert.Contains("\"sts:ExternalId\": \"right-id\"", result.Fix, StringComparison.Ordinal);
        Assert.IsType<SessionAWSCredentials>(identity);
    }

    [Fact]
    public async Task CustomerRole_WithoutAnExternalId_FailsWithTheTrustPolicyToApply()
    {
        var (result, identity) = await Doctor(Settings(customerRole: $"arn:aws:iam::{Account}:role/customer")).CheckCustomerRoleAsync(CancellationToken.None);

        Assert.Equal(CheckOutcome.Fail, result.Outcome);
        Assert.Null(identity);
        Assert.Contains("CUSTOMER_EXTERNAL_ID", result.Fix, StringComparison.Ordinal);
        Assert.Contains("\"sts:AssumeRole\"", result.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CustomerRole_WrongExternalId_RefusedByStsAsAwsAnswers_FailsAsATrustPolicyMismatch()
    {
        // STS's answer to an AssumeRole whose external id the trust policy does not accept.
        await using var sts = await LocalEndpoint.StartAsync(async context =>
        {
            context.Response.StatusCode = 403;
            context.Response.ContentType = "text/xml";
            await context.Response.WriteAsync($"""<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::{Account}:user/ops is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::{Account}:role/customer</Message></Error><RequestId>r-1</RequestId></ErrorResponse>""");
        });

        var (result, _) = await Doctor(Settings(customerRole: $"arn:aws:iam::{Account}:role/customer", externalId: "wrong-id", sts: sts.Url)).CheckCustomerRoleAsync(CancellationToken.None);

        Assert.Equal(CheckOutcome.Fail, result.Outcome);
        Assert.Equal("AUTH_TRUST_POLICY", result.CauseCode);
        Assert.Contains("sts:AssumeRole", result.Message, StringComparison.Ordinal);
        Assert.Contains("\"sts:ExternalId\": \"wrong-id\"", result.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TemporaryCredentials_ForACreatedCluster_Pass()
    {
        var cluster = "doctor-" + Guid.NewGuid().ToString("N")[..10];
        await MotoQuery.CreateClusterAsync(cluster);

        var result = await Doctor(Settings(cluster)).CheckTemporaryCredentialsAsync(Keys, CancellationToken.None);

        Assert.True(result.Outcome == CheckOutcome.Pass, result.Message);
        Assert.Contains("database user IAM:sync_loader", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TemporaryCredentials_ForAClusterNotInThisRegionOrAccount_FailNamingTheSetting()
    {
        var result = await Doctor(Settings("no-such-cluster")).CheckTemporaryCredentialsAsync(Keys, CancellationToken.None);

        Assert.Equal(CheckOutcome.Fail, result.Outcome);
        Assert.Contains("ClusterNotFound", result.Message, StringComparison.Ordinal);
        Assert.Contains("REDSHIFT_CLUSTER_ID", result.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TemporaryCredentials_Serverless_AskGetCredentialsForTheWorkgroup_AndARefusalIsTheMismatchCause()
    {
        // moto has no Serverless backend: a local endpoint answers as the service does, first a refusal, then credentials.
        var requests = new List<(string? Target, string Body)>();
        var answers = new Queue<(int Status, string Body)>([
            (400, """{"__type": "AccessDeniedException", "message": "User: arn:aws:iam::123456789012:user/ops is not authorized to perform: redshift-serverless:GetCredentials on resource: arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/0b1c"}"""),
            (200, """{"dbUser": "IAMR:loader", "dbPassword": "secret", "expiration": 1.7e9}"""),
        ]);
        await using var endpoint = await LocalEndpoint.StartAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            requests.Add((context.Request.Headers["X-Amz-Target"].ToString(), await reader.ReadToEndAsync()));
            var (status, body) = answers.Dequeue();
            await AwsJson.WriteAsync(context, "application/x-amz-json-1.1", status, body);
        });
        var settings = Settings() with { Target = RedshiftTarget.Serverless("analytics-wg", "dev"), Endpoints = new DoctorEndpoints { RedshiftServerless = endpoint.Url } };

        var refused = await Doctor(settings).CheckTemporaryCredentialsAsync(Keys, CancellationToken.None);
        var allowed = await Doctor(settings).CheckTemporaryCredentialsAsync(Keys, CancellationToken.None);

        Assert.Equal(CheckOutcome.Fail, refused.Outcome);
        Assert.Equal("AUTH_SERVERLESS_PROVISIONED_MISMATCH", refused.CauseCode);
        Assert.Contains("redshift-serverless:GetCredentials", refused.Fix, StringComparison.Ordinal);
        Assert.True(allowed.Outcome == CheckOutcome.Pass, allowed.Message);
        Assert.Contains("database user IAMR:loader", allowed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", allowed.Message, StringComparison.Ordinal);
        Assert.All(requests, r => Assert.Equal("RedshiftServerless.GetCredentials", r.Target));
        using var sent = System.Text.Json.JsonDocument.Parse(requests[0].Body);
        Assert.Equal("analytics-wg", sent.RootElement.GetProperty("workgroupName").GetString());
        Assert.Equal("dev", sent.RootElement.GetProperty("dbName").GetString());
        Assert.Equal(900, sent.RootElement.GetProperty("durationSeconds").GetInt32());
    }

    [Fact]
    public async Task Network_WithoutDirect_PassesSayingTheDataApiNeedsNoInboundPath_WithDirect_ConnectsOrNamesWhatToAllow()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var open = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var closedListener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closedListener.Start();
        var closed = ((IPEndPoint)closedListener.LocalEndpoint).Port;
        closedListener.Stop();

        var dataApiOnly = await Doctor(Settings()).CheckNetworkAsync(CancellationToken.None);
        var reachable = await Doctor(Settings() with { Direct = true, ClusterEndpoint = $"127.0.0.1:{open}" }).CheckNetworkAsync(CancellationToken.None);
        var unreachable = await Doctor(Settings() with { Direct = true, ClusterEndpoint = $"127.0.0.1:{closed}" }).CheckNetworkAsync(CancellationToken.None);

        Assert.Equal(CheckOutcome.Pass, dataApiOnly.Outcome);
        Assert.Contains("needs no inbound rule", dataApiOnly.Message, StringComparison.Ordinal);
        Assert.Equal(CheckOutcome.Pass, reachable.Outcome);
        Assert.Equal(CheckOutcome.Fail, unreachable.Outcome);
        Assert.Contains($"allow inbound TCP {closed}", unreachable.Fix, StringComparison.Ordinal);
        Assert.Contains("egress address", unreachable.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StagingBucket_Allowed_ListsPutsReadsAndDeletes_LeavingNothing()
    {
        using var s3 = S3ClientFactory.Create(Keys, RegionEndpoint.USEast1, TestStack.MotoEndpoint);
        var bucket = TestStack.UniqueName("doctor");
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket });

        var result = await Doctor(Settings(bucket: bucket)).CheckStagingBucketAsync(CancellationToken.None);

        Assert.True(result.Outcome == CheckOutcome.Pass, result.Message);
        var left = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        Assert.Empty(left.S3Objects ?? []);
    }

    [Fact]
    public async Task StagingBucket_Missing_FailsNamingTheSetting()
    {
        var result = await Doctor(Settings(bucket: TestStack.UniqueName("absent"))).CheckStagingBucketAsync(CancellationToken.None);

        Assert.Equal(CheckOutcome.Fail, result.Outcome);
        Assert.Contains("NoSuchBucket", result.Message, StringComparison.Ordinal);
        Assert.Contains("STAGING_BUCKET", result.Fix, StringComparison.Ordinal);
    }

    private static async Task<string> CreateRoleAsync(string name)
    {
        var trust = Uri.EscapeDataString("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"right-id"}}}]}""");
        await MotoQuery.PostFormAsync("iam", $"Action=CreateRole&Version=2010-05-08&RoleName={name}&AssumeRolePolicyDocument={trust}");
        return $"arn:aws:iam::{Account}:role/{name}";
    }
}
