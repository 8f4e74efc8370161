using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ServerlessSync.Testing.Zuora;

namespace ServerlessSync.Zuora.Tests.Fake;

/// <summary>A started <see cref="FakeZuora"/> and plain HTTP calls to it, as the fake's own tests make them.</summary>
internal sealed class FakeZuoraCalls : IAsyncDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private FakeZuoraCalls(FakeZuora zuora)
    {
        Zuora = zuora;
        Http = new HttpClient { BaseAddress = zuora.Url };
    }

    public FakeZuora Zuora { get; }

    public HttpClient Http { get; }

    /// <summary>A fake over <paramref name="tenant"/> (a one-account sample when null), no token yet.</summary>
    public static async Task<FakeZuoraCalls> StartAsync(FakeZuoraTenant? tenant = null, FakeZuoraOptions? options = null) =>
        new(await FakeZuora.StartAsync(tenant ?? FakeZuoraTenant.CreateSample(1, 1, Now), options));

    /// <summary>A fake over <paramref name="tenant"/> (a one-account sample when null) and a token sent with every call.</summary>
    public static async Task<FakeZuoraCalls> StartAuthenticatedAsync(FakeZuoraTenant? tenant = null, FakeZuoraOptions? options = null)
    {
        var calls = await StartAsync(tenant, options);
        await calls.AuthenticateAsync();
        return calls;
    }

    public static string AquaRequest(params string[] queries) => new JsonObject
    {
        ["format"] = "csv",
        ["version"] = "1.0",
        ["name"] = "fake test",
        ["encrypted"] = "none",
        ["useQueryLabels"] = "true",
        ["dateTimeUtc"] = "true",
        ["queries"] = new JsonArray([.. queries.Select((q, i) => new JsonObject { ["name"] = $"q{i}", ["query"] = q, ["type"] = "zoqlexport" })]),
    }.ToJsonString();

    public Task<HttpResponseMessage> TokenAsync(string clientId = "test-client", string clientSecret = "test-secret") =>
        Http.PostAsync("oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
            ["grant_type"] = "client_credentials",
        }));

    /// <summary>Gets a token and sends it with every later call.</summary>
    public async Task AuthenticateAsync()
    {
        using var response = await TokenAsync();
        var token = (await JsonAsync(response))["access_token"]!.GetValue<string>();
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public Task<HttpResponseMessage> SubmitAquaAsync(string body) =>
        Http.PostAsync("v1/batch-query/", new StringContent(body, Encoding.UTF8, "application/json"));

    public async Task<JsonObject> SubmitAquaJobAsync(string query)
    {
        using var response = await SubmitAquaAsync(AquaRequest(query));
        var job = await JsonAsync(response);
        Assert.Equal("submitted", job["status"]?.GetValue<string>());
        return job;
    }

    public async Task<JsonObject> AquaStatusAsync(string jobId)
    {
        using var response = await Http.GetAsync($"v1/batch-query/jobs/{jobId}");
        return await JsonAsync(response);
    }

    /// <summary>Polls the job until it ends (at most <paramref name="polls"/> times) and returns its last state.</summary>
    public async Task<JsonObject> PollAquaAsync(string jobId, int polls = 10)
    {
        JsonObject job = [];
        for (var i = 0; i < polls; i++)
        {
            job = await AquaStatusAsync(jobId);
            if (job["status"]!.GetValue<string>() is not ("submitted" or "executing"))
            {
                break;
            }
        }

        return job;
    }

    /// <summary>The CSV of a completed job's only batch.</summary>
    public async Task<string> ExportAsync(string query)
    {
        var submitted = await SubmitAquaJobAsync(query);
        var job = await PollAquaAsync(submitted["id"]!.GetValue<string>());
        Assert.Equal("completed", job["status"]!.GetValue<string>());
        return await Http.GetStringAsync($"v1/files/{job["batches"]![0]!["fileId"]!.GetValue<string>()}");
    }

    public static async Task<JsonObject> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public static async Task<JsonElement> BodyAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Zuora.DisposeAsync();
    }
}
