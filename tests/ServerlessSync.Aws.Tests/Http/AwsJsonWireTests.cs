using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Amazon.Runtime.Signing;
using ServerlessSync.Aws.RedshiftData;

namespace ServerlessSync.Aws.Tests.Http;

/// <summary>What goes on the wire, as a real HTTP server receives it.</summary>
public sealed class AwsJsonWireTests
{
    private static readonly RedshiftTarget Cluster = RedshiftTarget.ProvisionedCluster("analytics", "dev", "loader");

    [Fact]
    public async Task ExecuteStatement_SendsSignedAwsJson11Post()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerJson("""{"Id":"d9b6c0c9-0747-4bf4-b142-e8883122f766"}""");
        using var client = TestAws.RedshiftData(endpoint);

        await client.ExecuteStatementAsync(new ExecuteStatementRequest(Cluster, "select 1"), CancellationToken.None);

        var request = Assert.Single(endpoint.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/", request.Path);
        Assert.Equal("RedshiftData.ExecuteStatement", request.Header("X-Amz-Target"));
        Assert.Equal("application/x-amz-json-1.1", request.Header("Content-Type"));
        AssertSignedFor(request, "redshift-data");
        await AssertSignatureVerifiesAsync(request, endpoint.Url, "redshift-data");
    }

    [Fact]
    public async Task SendTaskHeartbeat_SendsSignedAwsJson10PostForStates()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerJson("{}");
        using var client = TestAws.StepFunctions(endpoint);

        await client.SendTaskHeartbeatAsync("token-1", CancellationToken.None);

        var request = Assert.Single(endpoint.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/", request.Path);
        Assert.Equal("AWSStepFunctions.SendTaskHeartbeat", request.Header("X-Amz-Target"));
        Assert.Equal("application/x-amz-json-1.0", request.Header("Content-Type"));
        Assert.Equal("""{"taskToken":"token-1"}""", request.BodyText);
        AssertSignedFor(request, "states");
        await AssertSignatureVerifiesAsync(request, endpoint.Url, "states");
    }

    [Fact]
    public async Task Send_NullMembers_AreOmitted()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerJson("""{"Records":[]}""");
        using var client = TestAws.RedshiftData(endpoint);

        await client.GetStatementResultAsync(new GetStatementResultRequest("abc"), CancellationToken.None);

        Assert.Equal("""{"Id":"abc"}""", Assert.Single(endpoint.Requests).BodyText);
    }

    private static void AssertSignedFor(RecordedRequest request, string service)
    {
        var date = request.Header("X-Amz-Date");
        Assert.NotNull(date);
        Assert.Matches(@"^\d{8}T\d{6}Z$", date);
        var authorization = request.Header("Authorization");
        Assert.NotNull(authorization);
        var match = Regex.Match(
            authorization,
            $@"^AWS4-HMAC-SHA256 Credential={TestAws.AccessKey}/(?<day>\d{{8}})/eu-west-1/{Regex.Escape(service)}/aws4_request, SignedHeaders=(?<signed>[a-z0-9;\-]+), Signature=[0-9a-f]{{64}}$");
        Assert.True(match.Success, $"unexpected Authorization header: {authorization}");
        Assert.Equal(date[..8], match.Groups["day"].Value);
        var signed = match.Groups["signed"].Value.Split(';');
        Assert.Contains("host", signed);
        Assert.Contains("x-amz-date", signed);
        Assert.Contains("x-amz-target", signed);
        Assert.Contains("content-type", signed);
    }

    /// <summary>Signs what the server received, at the time it says, with AWSSDK.Core's signer: the result must be the header that arrived.</summary>
    private static async Task AssertSignatureVerifiesAsync(RecordedRequest request, Uri url, string service)
    {
        var authorization = request.Header("Authorization")!;
        var signedHeaders = Regex.Match(authorization, "SignedHeaders=([^,]+)").Groups[1].Value.Split(';');
        var toSign = new AWSSigningRequest { HttpMethod = HttpMethod.Post, RequestUri = new Uri(url, request.Path), Content = request.Body };
        foreach (var name in signedHeaders.Where(h => h is not ("host" or "x-amz-date" or "x-amz-content-sha256")))
        {
            toSign.Headers[name] = request.Header(name)!;
        }

        var signedAt = DateTime.ParseExact(request.Header("X-Amz-Date")!, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        var parameters = new AWSSigV4Parameters { Credentials = TestAws.Credentials, Region = TestAws.Region, Service = service, SignedAt = signedAt };
        var result = await AWSSigV4Signer.SignAsync(toSign, parameters, CancellationToken.None);
        var expected = result.Headers.Single(h => h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase)).Value;
        Assert.Equal(expected, authorization);
        Assert.True(Encoding.UTF8.GetString(request.Body).Length > 0);
    }
}
