using Amazon;
using Amazon.Runtime;
using ServerlessSync.Aws.Http;
using ServerlessSync.Aws.RedshiftData;
using ServerlessSync.Aws.StepFunctions;

namespace ServerlessSync.Aws.Tests.Http;

/// <summary>Endpoints, options and cross-account credentials: what can be checked without AWS.</summary>
public sealed class AwsClientSetupTests
{
    [Fact]
    public void DefaultEndpoint_FollowsTheDocumentedPattern()
    {
        Assert.Equal(new Uri("https://redshift-data.eu-west-1.amazonaws.com/"), RedshiftDataClient.Service.DefaultEndpoint(RegionEndpoint.EUWest1));
        Assert.Equal(new Uri("https://states.us-east-1.amazonaws.com/"), StepFunctionsClient.Service.DefaultEndpoint(RegionEndpoint.USEast1));
        Assert.Equal(new Uri("https://states.cn-north-1.amazonaws.com.cn/"), StepFunctionsClient.Service.DefaultEndpoint(RegionEndpoint.CNNorth1));
    }

    [Fact]
    public void Service_ContentTypeAndTarget()
    {
        Assert.Equal("application/x-amz-json-1.1", RedshiftDataClient.Service.ContentType);
        Assert.Equal("application/x-amz-json-1.0", StepFunctionsClient.Service.ContentType);
        Assert.Equal("RedshiftData.DescribeStatement", RedshiftDataClient.Service.TargetOf("DescribeStatement"));
        Assert.Equal("AWSStepFunctions.SendTaskSuccess", StepFunctionsClient.Service.TargetOf("SendTaskSuccess"));
    }

    [Fact]
    public void Options_Invalid_AreRejectedAtConstruction()
    {
        var options = new AwsClientOptions(TestAws.Credentials, TestAws.Region);

        Assert.Throws<ArgumentException>(() => new RedshiftDataClient(options with { Retry = new AwsRetryPolicy { MaxAttempts = 0 } }));
        Assert.Throws<ArgumentException>(() => new RedshiftDataClient(options with { Retry = new AwsRetryPolicy { BaseDelay = TimeSpan.FromSeconds(2), MaxDelay = TimeSpan.FromSeconds(1) } }));
        Assert.Throws<ArgumentException>(() => new StepFunctionsClient(options with { AttemptTimeout = TimeSpan.Zero }));
        Assert.Throws<ArgumentException>(() => new StepFunctionsClient(options with { ServiceUrl = new Uri("/relative", UriKind.Relative) }));
    }

    [Fact]
    public void CustomerRole_CarriesRoleSessionAndExternalId()
    {
        var source = new BasicAWSCredentials("AKIDSOURCE", "secret");

        var credentials = CustomerRoleCredentials.Create(
            source, "arn:aws:iam::123456789012:role/serverless-sync-loader", "tenant-42-external", "ssync-tenant-42", TimeSpan.FromHours(1));

        Assert.Same(source, credentials.SourceCredentials);
        Assert.Equal("arn:aws:iam::123456789012:role/serverless-sync-loader", credentials.RoleArn);
        Assert.Equal("ssync-tenant-42", credentials.RoleSessionName);
        Assert.Equal("tenant-42-external", credentials.Options.ExternalId);
        Assert.Equal(3600, credentials.Options.DurationSeconds);
    }

    [Theory]
    [InlineData("arn:aws:iam::123:role/x", "external-id", "session", "roleArn")]
    [InlineData("arn:aws:s3:::bucket", "external-id", "session", "roleArn")]
    [InlineData("arn:aws:iam::123456789012:role/x", "e", "session", "externalId")]
    [InlineData("arn:aws:iam::123456789012:role/x", "has space", "session", "externalId")]
    [InlineData("arn:aws:iam::123456789012:role/x", "external-id", "s", "sessionName")]
    [InlineData("arn:aws:iam::123456789012:role/x", "external-id", "has/slash", "sessionName")]
    public void CustomerRole_BadInput_NamesTheParameter(string roleArn, string externalId, string sessionName, string parameter)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            CustomerRoleCredentials.Create(new AnonymousAWSCredentials(), roleArn, externalId, sessionName));

        Assert.Equal(parameter, error.ParamName);
    }

    [Fact]
    public void CustomerRole_DurationOutsideStsRange_IsRejected() =>
        Assert.Throws<ArgumentException>(() => CustomerRoleCredentials.Create(
            new AnonymousAWSCredentials(), "arn:aws-cn:iam::123456789012:role/x", "external-id", "session", TimeSpan.FromMinutes(5)));
}
