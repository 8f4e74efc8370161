using System.Net;
using System.Text;

namespace ServerlessSync.Testing.Aws;

/// <summary>Query-protocol calls to the stack's moto (IAM, Redshift), which reads the service and the account from the signature's scope and key.</summary>
public static class MotoQuery
{
    /// <summary>Posts <paramref name="form"/> to <paramref name="service"/> as <paramref name="accessKeyId"/>; an "AlreadyExists" answer is as good as OK.</summary>
    public static Task PostFormAsync(string service, string form, string accessKeyId = "moto-test") =>
        PostFormAsync(TestStack.MotoEndpoint, service, form, accessKeyId);

    /// <summary>Posts <paramref name="form"/> to the moto at <paramref name="endpoint"/>; returns the answer's body.</summary>
    public static async Task<string> PostFormAsync(Uri endpoint, string service, string form, string accessKeyId = "moto-test")
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded") };
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={accessKeyId}/20261201/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0");
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        // A cluster another test of this run created already is as good.
        if (response.StatusCode != HttpStatusCode.OK && !body.Contains("AlreadyExists", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"moto {service}: {(int)response.StatusCode} {body}");
        }

        return body;
    }

    /// <summary>A provisioned cluster in moto (in the account of <paramref name="accessKeyId"/>), for GetClusterCredentials.</summary>
    public static Task CreateClusterAsync(string cluster, string accessKeyId = "moto-test") =>
        PostFormAsync("redshift", $"Action=CreateCluster&Version=2012-12-01&ClusterIdentifier={cluster}&NodeType=dc2.large&MasterUsername=admin&MasterUserPassword=Passw0rd1&DBName=dev", accessKeyId);
}
