using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ServerlessSync.Testing.Zuora;

namespace ServerlessSync.Zuora.Tests.Fake;

public sealed class FakeZuoraDataQueryTests
{
    private const string DeletedQuery =
        "select id, updateddate from account where updateddate >= timestamp '2026-11-20 00:00:00.000 +00:00' and updateddate < timestamp '2026-11-26 00:00:00.000 +00:00'";

    [Fact]
    public async Task Submit_ReadDeletedGzip_DataFileHoldsRecordsDeletedInWindow()
    {
        var tenant = FakeZuoraTenant.CreateSample(3, 11, FakeZuoraCalls.Now);
        var accounts = tenant.Records("Account");
        tenant.Delete("Account", accounts[0].Id, new DateTimeOffset(2026, 11, 21, 8, 15, 0, 500, TimeSpan.Zero));
        tenant.Delete("Account", accounts[1].Id, new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero));
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync(tenant);

        using var submit = await SubmitAsync(calls, Request(DeletedQuery));
        var accepted = (await FakeZuoraCalls.JsonAsync(submit))["data"]!;
        var jobId = accepted["id"]!.GetValue<string>();
        var inProgress = await StatusAsync(calls, jobId);
        var completed = await StatusAsync(calls, jobId);
        var dataFile = completed["dataFile"]!.GetValue<string>();
        using var download = new HttpClient();
        var gzipped = await download.GetByteArrayAsync(dataFile);
        using var withToken = new HttpRequestMessage(HttpMethod.Get, dataFile) { Headers = { Authorization = calls.Http.DefaultRequestHeaders.Authorization } };
        using var refused = await download.SendAsync(withToken);
        using var unsigned = await download.GetAsync(dataFile[..dataFile.IndexOf('?', StringComparison.Ordinal)]);

        Assert.Equal("accepted", accepted["queryStatus"]!.GetValue<string>());
        Assert.Equal("in_progress", inProgress["queryStatus"]!.GetValue<string>());
        Assert.Equal("completed", completed["queryStatus"]!.GetValue<string>());
        Assert.Equal(1, completed["outputRows"]!.GetValue<int>());
        Assert.Contains("X-Amz-Signature=", dataFile, StringComparison.Ordinal);
        Assert.Equal($"id,updateddate\r\n{accounts[0].Id},2026-11-21T08:15:00+0000\r\n", Gunzip(gzipped));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
        Assert.Equal(DeletedQuery, calls.Zuora.SqlQueries.Single());
        Assert.Equal([false, true, false], calls.Zuora.Requests.Where(r => r.Path.StartsWith("/dq-results/", StringComparison.Ordinal)).Select(r => r.HadBearerToken));
    }

    [Fact]
    public async Task Submit_WithoutJsonContentType_Answers415()
    {
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync();

        using var response = await calls.Http.PostAsync("query/jobs", new StringContent(Request(DeletedQuery), Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(0, calls.Zuora.JobsSubmitted);
    }

    [Theory]
    [InlineData("select id, name from account")]
    [InlineData("select id from nothing")]
    [InlineData("select id from account where updateddate >= '2026-11-20T00:00:00Z'")]
    public async Task Submit_UnsupportedSql_JobEndsFailedWithoutAReasonField(string query)
    {
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync();

        using var submit = await SubmitAsync(calls, Request(query));
        var jobId = (await FakeZuoraCalls.JsonAsync(submit))["data"]!["id"]!.GetValue<string>();
        var failed = await StatusAsync(calls, jobId);

        Assert.Equal("failed", failed["queryStatus"]!.GetValue<string>());
        Assert.Null(failed["errorMessage"]);
        Assert.StartsWith("Unsupported query", Assert.Single(calls.Zuora.DataQueryFailures), StringComparison.Ordinal);
        Assert.Equal(0, calls.Zuora.RunningJobs);
    }

    [Fact]
    public async Task Cancel_AcceptedJob_IsCancelled()
    {
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync();
        using var submit = await SubmitAsync(calls, Request(DeletedQuery));
        var jobId = (await FakeZuoraCalls.JsonAsync(submit))["data"]!["id"]!.GetValue<string>();

        using var cancel = await calls.Http.DeleteAsync($"query/jobs/{jobId}");
        var status = await StatusAsync(calls, jobId);

        Assert.Equal("cancelled", (await FakeZuoraCalls.JsonAsync(cancel))["data"]!["queryStatus"]!.GetValue<string>());
        Assert.Equal("cancelled", status["queryStatus"]!.GetValue<string>());
        Assert.Equal(1, calls.Zuora.JobsCancelled);
    }

    private static string Request(string query) => new JsonObject
    {
        ["query"] = query,
        ["outputFormat"] = "CSV",
        ["compression"] = "GZIP",
        ["output"] = new JsonObject { ["target"] = "S3" },
        ["readDeleted"] = true,
    }.ToJsonString();

    private static Task<HttpResponseMessage> SubmitAsync(FakeZuoraCalls calls, string body)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return calls.Http.PostAsync("query/jobs", content);
    }

    private static async Task<JsonNode> StatusAsync(FakeZuoraCalls calls, string jobId)
    {
        using var response = await calls.Http.GetAsync($"query/jobs/{jobId}");
        return (await FakeZuoraCalls.JsonAsync(response))["data"]!;
    }

    private static string Gunzip(byte[] gzipped)
    {
        using var reader = new StreamReader(new GZipStream(new MemoryStream(gzipped), CompressionMode.Decompress), Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
