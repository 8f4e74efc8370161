using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;

namespace ServerlessSync.Aws.Tests.RedshiftDouble;

/// <summary>An answer of the double: status, JSON body, headers.</summary>
internal sealed record DataApiAnswer(HttpStatusCode Status, JsonElement Body, HttpResponseHeaders Headers)
{
    public string? ErrorType => Body.TryGetProperty("__type", out var type) ? type.GetString() : null;

    public string? ErrorMessage => Body.TryGetProperty("message", out var message) ? message.GetString() : null;
}

/// <summary>
/// Talks to the double as a client would: SigV4-signed HTTP with hand-written JSON bodies (the project's own
/// Data API client is not used here, so these tests check the double alone).
/// </summary>
internal sealed class DataApiTestClient(Uri endpoint, string accessKeyId = "k") : IDisposable
{
    public const string Cluster = "test-cluster";
    public const string Workgroup = "test-workgroup";
    public const string Database = "dev";
    public const string DbUser = "awsuser";
    public const string JsonContentType = "application/x-amz-json-1.1";

    private readonly HttpClient _http = new(
        new SigV4SigningHandler(new BasicAWSCredentials(accessKeyId, "s"), RegionEndpoint.USEast1, "redshift-data", new SocketsHttpHandler { AllowAutoRedirect = false }));

    /// <summary>The default target's members, to spread into a request body.</summary>
    public static Dictionary<string, object?> OnCluster(Dictionary<string, object?> body)
    {
        body["ClusterIdentifier"] = Cluster;
        body["Database"] = Database;
        body["DbUser"] = DbUser;
        return body;
    }

    public Task<DataApiAnswer> SendAsync(string operation, object body, string contentType = JsonContentType) =>
        SendRawAsync(operation, JsonSerializer.Serialize(body), contentType);

    public async Task<DataApiAnswer> SendRawAsync(string operation, string json, string contentType = JsonContentType, bool signed = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, "/")) { Content = new StringContent(json, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Add("X-Amz-Target", $"RedshiftData.{operation}");
        using var response = signed ? await _http.SendAsync(request) : await UnsignedAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return new DataApiAnswer(response.StatusCode, document.RootElement.Clone(), response.Headers);
    }

    /// <summary>Calls and expects HTTP 200; returns the output.</summary>
    public async Task<JsonElement> CallAsync(string operation, object body)
    {
        var answer = await SendAsync(operation, body);
        Assert.True(answer.Status == HttpStatusCode.OK, $"{operation} answered {(int)answer.Status}: {answer.Body}");
        return answer.Body;
    }

    /// <summary>Submits one statement on the default cluster target; returns its Id.</summary>
    public async Task<string> ExecuteAsync(string sql, Dictionary<string, object?>? extra = null)
    {
        var body = OnCluster(extra ?? []);
        body["Sql"] = sql;
        return (await CallAsync("ExecuteStatement", body)).GetProperty("Id").GetString()!;
    }

    /// <summary>Submits a batch on the default cluster target; returns its Id.</summary>
    public async Task<string> BatchAsync(params string[] sqls)
    {
        var body = OnCluster([]);
        body["Sqls"] = sqls;
        return (await CallAsync("BatchExecuteStatement", body)).GetProperty("Id").GetString()!;
    }

    /// <summary>Describes with long polling until the statement is FINISHED, FAILED or ABORTED: no sleeping.</summary>
    public async Task<JsonElement> WaitAsync(string id)
    {
        while (true)
        {
            var description = await CallAsync("DescribeStatement", new { Id = id, WaitTimeSeconds = 30 });
            if (description.GetProperty("Status").GetString() is "FINISHED" or "FAILED" or "ABORTED")
            {
                return description;
            }
        }
    }

    /// <summary>Executes, waits, and expects FINISHED.</summary>
    public async Task<JsonElement> RunAsync(string sql)
    {
        var description = await WaitAsync(await ExecuteAsync(sql));
        Assert.True(description.GetProperty("Status").GetString() == "FINISHED", $"'{sql}' did not finish: {description}");
        return description;
    }

    public void Dispose() => _http.Dispose();

    private static async Task<HttpResponseMessage> UnsignedAsync(HttpRequestMessage request)
    {
        using var unsigned = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        return await unsigned.SendAsync(request);
    }
}
