using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Amazon;
using Amazon.Runtime;
using ServerlessSync.Aws.Http;
using ServerlessSync.Aws.RedshiftData;

namespace ServerlessSync.Aws.Doctor;

/// <summary>
/// Asks for short-lived database credentials the way the Data API does for the loader, to prove the identity may:
/// <c>GetClusterCredentials</c> (Redshift's query API, version 2012-12-01: <c>ClusterIdentifier</c>, <c>DbUser</c>,
/// <c>DbName</c>, <c>DurationSeconds</c>) for a provisioned cluster, or <c>GetCredentials</c> (Redshift Serverless, awsJson
/// 1.1, target <c>RedshiftServerless.GetCredentials</c>: <c>workgroupName</c>, <c>dbName</c>, <c>durationSeconds</c>) for a
/// workgroup. The password is never kept or shown: only the database user it is for.
/// </summary>
internal sealed class RedshiftCredentialsClient(AWSCredentials credentials, RegionEndpoint region, DoctorEndpoints endpoints) : IDisposable
{
    private static readonly AwsJsonService Redshift = new("Amazon Redshift", "redshift", "redshift", "", "1.1");
    private static readonly AwsJsonService Serverless = new("Redshift Serverless", "redshift-serverless", "redshift-serverless", "RedshiftServerless", "1.1");
    private readonly List<HttpClient> _clients = [];

    /// <summary>Returns the database user the credentials are for; throws <see cref="AwsServiceException"/> with the service's code and message.</summary>
    public Task<string> GetAsync(RedshiftTarget target, CancellationToken cancellationToken) =>
        target.IsServerless ? GetServerlessAsync(target, cancellationToken) : GetClusterAsync(target, cancellationToken);

    private async Task<string> GetClusterAsync(RedshiftTarget target, CancellationToken cancellationToken)
    {
        var http = Client(Redshift);
        var form = new Dictionary<string, string>
        {
            ["Action"] = "GetClusterCredentials",
            ["Version"] = "2012-12-01",
            ["ClusterIdentifier"] = target.ClusterIdentifier!,
            ["DbUser"] = target.DbUser!,
            ["DbName"] = target.Database,
            ["DurationSeconds"] = "900",
        };
        using var content = new FormUrlEncodedContent(form);
        using var response = await http.PostAsync(endpoints.Redshift ?? Redshift.DefaultEndpoint(region), content, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var xml = Parse(body);
        if (!response.IsSuccessStatusCode)
        {
            var error = xml?.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
            var code = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value ?? $"Http{(int)response.StatusCode}";
            var message = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value ?? Preview(body);
            throw new AwsServiceException(Redshift.ServiceName, code, message, response.StatusCode, RequestId(response));
        }

        return xml?.Descendants().FirstOrDefault(e => e.Name.LocalName == "DbUser")?.Value
            ?? throw new InvalidDataException($"GetClusterCredentials answered without a DbUser: {Preview(body)}");
    }

    private async Task<string> GetServerlessAsync(RedshiftTarget target, CancellationToken cancellationToken)
    {
        var http = Client(Serverless);
        var request = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["workgroupName"] = target.WorkgroupName!,
            ["dbName"] = target.Database,
            ["durationSeconds"] = 900,
        }, DoctorJsonContext.Default.DictionaryStringObject);
        using var message = new HttpRequestMessage(HttpMethod.Post, endpoints.RedshiftServerless ?? Serverless.DefaultEndpoint(region));
        message.Headers.TryAddWithoutValidation("X-Amz-Target", Serverless.TargetOf("GetCredentials"));
        message.Content = new StringContent(request, Encoding.UTF8);
        message.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(Serverless.ContentType);
        using var response = await http.SendAsync(message, cancellationToken);
        var payload = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var error = AwsServiceError.Parse(Serverless.ServiceName, response.StatusCode, Header(response, AwsServiceError.ErrorTypeHeader), RequestId(response), payload);
            throw new AwsServiceException(error);
        }

        using var document = JsonDocument.Parse(payload);
        return document.RootElement.TryGetProperty("dbUser", out var user) && user.GetString() is { } name
            ? name
            : throw new InvalidDataException("GetCredentials answered without a dbUser");
    }

    private HttpClient Client(AwsJsonService service)
    {
        var client = AwsHttpClientFactory.Create(service, credentials, region, TimeSpan.FromSeconds(30));
        _clients.Add(client);
        return client;
    }

    private static XDocument? Parse(string body)
    {
        try
        {
            return XDocument.Parse(body);
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }

    private static string? RequestId(HttpResponseMessage response) => Header(response, AwsServiceError.RequestIdHeader);

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static string Preview(string body) => body.Length <= 200 ? body : string.Create(CultureInfo.InvariantCulture, $"{body[..200]}… ({body.Length} characters)");

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }
}

