using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Amazon.Runtime;
using ServerlessSync.Testing;

namespace ServerlessSync.Cli.Tests;

/// <summary>
/// <c>doctor --destination redshift</c> and <c>setup print</c> through the command line: --help names every check, settings
/// come from options, the environment and the connector's saved file, --json prints one document, the exit code follows the
/// FAILs. AWS's control plane is moto (GetClusterCredentials, S3); the Data API is a closed port here (its checks against
/// the Data API double are in ServerlessSync.Aws.Tests).
/// </summary>
public sealed class DestinationDoctorTests
{
    [Fact]
    public async Task DoctorHelp_DocumentsEveryCheckAndEveryAuthCause()
    {
        using var cli = new CliHarness();

        var result = await cli.RunAsync("doctor", "--destination", "redshift", "--help");

        Assert.Equal(0, result.ExitCode);
        foreach (var check in new[] { "1. customer role", "2. temporary credentials", "3. Data API", "4. database privileges", "5. staging bucket", "6. COPY probe", "7. network" })
        {
            Assert.Contains(check, result.Output, StringComparison.Ordinal);
        }

        Assert.Contains("AUTH_GET_CLUSTER_CREDENTIALS, AUTH_TRUST_POLICY, AUTH_SERVERLESS_PROVISIONED_MISMATCH, AUTH_PROPAGATION_DELAY", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetupPrint_EveryJsonDocumentParses_AndTheSqlFollows()
    {
        using var cli = new CliHarness();

        var result = await cli.RunWithAsync(new Dictionary<string, string> { ["AWS_REGION"] = "eu-west-1" }, new AnonymousAWSCredentials(), TimeProvider.System,
            "setup", "print", "--cluster-id", "analytics", "--database", "dev", "--db-user", "serverless_sync", "--staging-bucket", "bkt",
            "--copy-role-arn", "arn:aws:iam::222222222222:role/copy", "--customer-role-arn", "arn:aws:iam::222222222222:role/customer", "--customer-external-id", "ext-1");

        Assert.True(result.ExitCode == 0, result.ToString());
        var sections = result.Output.Split("# ", StringSplitOptions.RemoveEmptyEntries);
        var documents = sections.Where(s => s.Contains('{')).Select(s => s[s.IndexOf('{')..].Trim()).ToList();
        Assert.Equal(4, documents.Count);
        foreach (var document in documents)
        {
            using var parsed = JsonDocument.Parse(document);
            Assert.Equal("2012-10-17", parsed.RootElement.GetProperty("Version").GetString());
        }

        Assert.Contains("arn:aws:redshift:eu-west-1:222222222222:dbuser:analytics/serverless_sync", result.Output, StringComparison.Ordinal);
        Assert.Contains("\"sts:ExternalId\": \"ext-1\"", result.Output, StringComparison.Ordinal);
        Assert.Contains("GRANT CREATE, TEMPORARY ON DATABASE \"dev\" TO \"serverless_sync\";", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_Json_SettingsFromOptionsEnvironmentAndSavedFile_OneDocument_ExitOneNamingTheFailedCheck()
    {
        using var cli = new CliHarness();
        var moto = TestStack.MotoEndpoint;
        var cluster = "cli-" + Guid.NewGuid().ToString("N")[..10];
        var bucket = TestStack.UniqueName("cli-doctor");
        using (var http = new HttpClient())
        {
            await PostAsync(http, moto, "redshift", $"Action=CreateCluster&Version=2012-12-01&ClusterIdentifier={cluster}&NodeType=dc2.large&MasterUsername=admin&MasterUserPassword=Passw0rd1");
            using var put = new HttpRequestMessage(HttpMethod.Put, new Uri(moto, bucket));
            put.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=cli/20261201/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0");
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(put)).StatusCode);
        }

        // The connector's saved settings give the database and the COPY role; the environment the region and endpoints.
        await File.WriteAllTextAsync(Path.Combine(cli.Home, "connector-default.json"), """{"redshift": {"REDSHIFT_DATABASE": "dev", "COPY_ROLE_ARN": "arn:aws:iam::123456789012:role/copy"}}""");
        var environment = new Dictionary<string, string>
        {
            ["AWS_REGION"] = "us-east-1",
            ["SSYNC_REDSHIFT_ENDPOINT"] = moto.ToString(),
            ["SSYNC_S3_ENDPOINT"] = moto.ToString(),
            ["SSYNC_REDSHIFT_DATA_ENDPOINT"] = $"http://127.0.0.1:{ClosedPort()}/",
        };

        var result = await cli.RunWithAsync(environment, new BasicAWSCredentials("cli", "cli"), new ImmediateTimeProvider(DateTimeOffset.UnixEpoch),
            "doctor", "--destination", "redshift", "--json", "--cluster-id", cluster, "--db-user", "loader", "--staging-bucket", bucket);

        Assert.True(result.ExitCode == 1, result.ToString());
        using var report = JsonDocument.Parse(result.Output);
        var outcomes = report.RootElement.GetProperty("checks").EnumerateArray().Select(c => $"{c.GetProperty("number").GetInt32()} {c.GetProperty("outcome").GetString()}").ToList();
        Assert.Equal(["1 SKIP", "2 PASS", "3 FAIL", "4 SKIP", "5 PASS", "6 SKIP", "7 PASS"], outcomes);
        Assert.False(report.RootElement.GetProperty("passed").GetBoolean());
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("1 of 7 destination checks failed (3 Data API)", line, StringComparison.Ordinal);
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static async Task PostAsync(HttpClient http, Uri moto, string service, string form)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, moto) { Content = new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded") };
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential=cli/20261201/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0");
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
