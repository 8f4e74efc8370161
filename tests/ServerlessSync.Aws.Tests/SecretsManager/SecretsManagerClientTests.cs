using System.Net;
using System.Text;
using ServerlessSync.Aws.SecretsManager;
using ServerlessSync.Aws.Tests.Http;
using ServerlessSync.Testing.Http;

namespace ServerlessSync.Aws.Tests.SecretsManager;

/// <summary>GetSecretValue against <see cref="LocalSecretsManager"/>: values, errors that name the ARN, retries, ARN checks.</summary>
public sealed class SecretsManagerClientTests
{
    private const string Arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:zuora/oauth-client-AbCdEf";
    private const string Credentials = """{"clientId":"zuora-client-7f3a","clientSecret":"s3cr3t-Zu0ra-v4lue"}""";
    private const string SecretPart = "s3cr3t-Zu0ra-v4lue";

    [Fact]
    public void Service_DocumentedEndpointTargetAndContentType()
    {
        Assert.Equal(new Uri("https://secretsmanager.eu-west-1.amazonaws.com/"), SecretsManagerClient.Service.DefaultEndpoint(TestAws.Region));
        Assert.Equal("secretsmanager.GetSecretValue", SecretsManagerClient.Service.TargetOf(SecretsManagerClient.GetSecretValue.Name));
        Assert.Equal(AwsJson.ContentType11, SecretsManagerClient.Service.ContentType);
        Assert.Equal("secretsmanager", SecretsManagerClient.Service.SigningName);
    }

    [Fact]
    public async Task GetSecretString_SecretString_ReturnsItSignedForSecretsManager()
    {
        await using var server = (await LocalSecretsManager.StartAsync()).WithString(Arn, Credentials);
        using var client = Client(server);

        var value = await client.GetSecretStringAsync(Arn, CancellationToken.None);

        Assert.Equal(Credentials, value);
        var authorization = Assert.Single(server.Authorizations);
        Assert.Contains($"Credential={TestAws.AccessKey}/", authorization, StringComparison.Ordinal);
        Assert.Contains("/eu-west-1/secretsmanager/aws4_request", authorization, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSecretString_OnlySecretBinary_DecodedAsUtf8()
    {
        const string text = """{"clientId":"zuora-ünïcode","clientSecret":"x"}""";
        await using var server = (await LocalSecretsManager.StartAsync()).WithBinary(Arn, Encoding.UTF8.GetBytes(text));
        using var client = Client(server);

        Assert.Equal(text, await client.GetSecretStringAsync(Arn, CancellationToken.None));
    }

    [Fact]
    public async Task GetSecretString_SecretBinaryNotUtf8_SecretReadExceptionWithoutTheBytes()
    {
        await using var server = (await LocalSecretsManager.StartAsync()).WithBinary(Arn, [0xC3, 0x28, 0xFF]);
        using var client = Client(server);

        var error = await Assert.ThrowsAsync<SecretReadException>(() => client.GetSecretStringAsync(Arn, CancellationToken.None));

        Assert.Contains(Arn, error.Message, StringComparison.Ordinal);
        Assert.Contains("not UTF-8", error.Message, StringComparison.Ordinal);
        Assert.Null(error.InnerException);
    }

    [Fact]
    public async Task GetSecretString_NotFound_NamesArnAndSourceSecretArnNotRetried()
    {
        await using var server = (await LocalSecretsManager.StartAsync()).WithString(Arn + "x", Credentials);
        using var client = Client(server);

        var error = await Assert.ThrowsAsync<SecretReadException>(() => client.GetSecretStringAsync(Arn, CancellationToken.None));

        Assert.Equal("ResourceNotFoundException", error.ErrorCode);
        Assert.Equal(Arn, error.SecretArn.Value);
        Assert.Contains(Arn, error.Message, StringComparison.Ordinal);
        Assert.Contains("Check SOURCE_SECRET_ARN", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretPart, error.Message, StringComparison.Ordinal);
        Assert.Single(server.Authorizations);
    }

    [Fact]
    public async Task GetSecretString_AccessDenied_NamesPermissionsAndNotTheSecret()
    {
        await using var server = (await LocalSecretsManager.StartAsync()).WithString(Arn, Credentials).Deny(Arn);
        using var client = Client(server);

        var error = await Assert.ThrowsAsync<SecretReadException>(() => client.GetSecretStringAsync(Arn, CancellationToken.None));

        Assert.Equal("AccessDeniedException", error.ErrorCode);
        Assert.Contains(Arn, error.Message, StringComparison.Ordinal);
        Assert.Contains("secretsmanager:GetSecretValue", error.Message, StringComparison.Ordinal);
        Assert.Contains("kms:Decrypt", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretPart, error.ToString(), StringComparison.Ordinal);
        Assert.Single(server.Authorizations);
    }

    [Fact]
    public async Task GetSecretString_ServerErrorThenSuccess_RetriedAndReturned()
    {
        await using var server = (await LocalSecretsManager.StartAsync()).WithString(Arn, Credentials).FailNext(1);
        var time = new ObservedTimeProvider();
        using var client = Client(server, time);

        var read = client.GetSecretStringAsync(Arn, CancellationToken.None);
        var delays = await time.AdvanceUntilCompletedAsync(read);

        Assert.Equal(Credentials, await read);
        Assert.Equal([TimeSpan.FromMilliseconds(100)], delays);
        Assert.Equal(2, server.Authorizations.Count);
    }

    [Theory]
    [InlineData(Credentials, "seven ':'-separated parts")]
    [InlineData("", "empty")]
    [InlineData("arn:aws:ssm:eu-west-1:123456789012:secret:zuora", "service")]
    [InlineData("arn:aws:secretsmanager:Europe:123456789012:secret:zuora", "region")]
    [InlineData("arn:aws:secretsmanager:eu-west-1:1234:secret:zuora", "account")]
    [InlineData("arn:aws:secretsmanager:eu-west-1:123456789012:parameter:zuora", "resource type")]
    [InlineData("arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + SecretPart + " ", "secret name")]
    public async Task GetSecretString_NotASecretArn_RejectedBeforeSendingWithoutEchoingIt(string secretArn, string problem)
    {
        await using var server = await LocalSecretsManager.StartAsync();
        using var client = Client(server);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.GetSecretStringAsync(secretArn, CancellationToken.None));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretPart, error.Message, StringComparison.Ordinal);
        Assert.Empty(server.Authorizations);
    }

    [Fact]
    public async Task ForSecret_ArnInAnotherRegion_SignsForTheArnsRegion()
    {
        const string ohioArn = "arn:aws:secretsmanager:us-east-2:123456789012:secret:zuora/oauth-client-XyZ123";
        await using var server = (await LocalSecretsManager.StartAsync()).WithString(ohioArn, Credentials);
        using var client = SecretsManagerClient.ForSecret(ohioArn, TestAws.Credentials, server.Url);

        Assert.Equal(Credentials, await client.GetSecretStringAsync(ohioArn, CancellationToken.None));
        Assert.Contains("/us-east-2/secretsmanager/aws4_request", Assert.Single(server.Authorizations), StringComparison.Ordinal);

        var other = await Assert.ThrowsAsync<ArgumentException>(() => client.GetSecretStringAsync(Arn, CancellationToken.None));
        Assert.Contains("region eu-west-1", other.Message, StringComparison.Ordinal);
        Assert.Single(server.Authorizations);
    }

    [Fact]
    public async Task LocalSecretsManager_UnsignedRequest_Refused()
    {
        await using var server = (await LocalSecretsManager.StartAsync()).WithString(Arn, Credentials);
        using var http = new HttpClient();
        using var content = new StringContent($$"""{"SecretId":"{{Arn}}"}""", Encoding.UTF8);
        content.Headers.ContentType = new(AwsJson.ContentType11);
        using var request = new HttpRequestMessage(HttpMethod.Post, server.Url) { Content = content };
        request.Headers.Add("X-Amz-Target", "secretsmanager.GetSecretValue");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain(SecretPart, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static SecretsManagerClient Client(LocalSecretsManager server, TimeProvider? time = null) =>
        new(TestAws.Options(server.Url, time ?? new ObservedTimeProvider()));
}
