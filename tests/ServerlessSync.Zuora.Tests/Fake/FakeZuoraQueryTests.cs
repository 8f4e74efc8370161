using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ServerlessSync.Testing.Zuora;

namespace ServerlessSync.Zuora.Tests.Fake;

/// <summary>The fake's ZOQL query action answers as Zuora's definition of <c>POST /v1/action/query</c> says, and refuses what it refuses.</summary>
public sealed class FakeZuoraQueryTests
{
    [Fact]
    public async Task Query_BatchSizeOne_AnswersOneRecordTheTotalSizeAndALocator()
    {
        var tenant = FakeZuoraTenant.CreateSample(3, 11, FakeZuoraCalls.Now);
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync(tenant);

        using var response = await QueryAsync(calls, "select Id from Account where UpdatedDate < '2026-11-28T00:00:00+00:00'", 1);
        var answer = await FakeZuoraCalls.JsonAsync(response);

        Assert.Equal(tenant.Records("Account").Count, answer["size"]!.GetValue<int>());
        Assert.Single(answer["records"]!.AsArray());
        Assert.False(answer["done"]!.GetValue<bool>());
        Assert.NotNull(answer["queryLocator"]);
    }

    [Fact]
    public async Task Query_AllWithinTheBatch_DoneWithoutLocator()
    {
        var tenant = FakeZuoraTenant.CreateSample(3, 11, FakeZuoraCalls.Now);
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync(tenant);

        using var response = await QueryAsync(calls, "select Id from Account where UpdatedDate < '2026-11-28T00:00:00Z'", null);
        var answer = await FakeZuoraCalls.JsonAsync(response);

        Assert.Equal(tenant.Records("Account").Count, answer["records"]!.AsArray().Count);
        Assert.Equal(tenant.Records("Account").Count, answer["size"]!.GetValue<int>());
        Assert.True(answer["done"]!.GetValue<bool>());
        Assert.Null(answer["queryLocator"]);
    }

    [Theory]
    [InlineData("SELECT Id FROM Account WHERE UpdatedDate < '2026-11-28T00:00:00+00:00'", 1, "MALFORMED_QUERY")]
    [InlineData("select Id from Account where UpdatedDate < '2026-11-28T00:00:00.000+00:00'", 1, "MALFORMED_QUERY")]
    [InlineData("select Id from Account where UpdatedDate < '2026-11-28 00:00:00'", 1, "MALFORMED_QUERY")]
    [InlineData("select Invoice.Id from InvoiceItem where UpdatedDate < '2026-11-28T00:00:00+00:00'", 1, "INVALID_FIELD")]
    [InlineData("select Id from Nothing where UpdatedDate < '2026-11-28T00:00:00+00:00'", 1, "INVALID_TYPE")]
    [InlineData("select Id from Account where UpdatedDate < '2026-11-28T00:00:00+00:00'", 0, "INVALID_VALUE")]
    public async Task Query_OutsideWhatTheActionTakes_Refused400WithFaultCode(string zoql, int batchSize, string code)
    {
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync();

        using var response = await QueryAsync(calls, zoql, batchSize);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, (string)body["FaultCode"]!);
        Assert.False(string.IsNullOrWhiteSpace((string?)body["FaultMessage"]));
    }

    private static Task<HttpResponseMessage> QueryAsync(FakeZuoraCalls calls, string zoql, int? batchSize)
    {
        var body = new JsonObject { ["queryString"] = zoql };
        if (batchSize is { } size)
        {
            body["conf"] = new JsonObject { ["batchSize"] = size };
        }

        return calls.Http.PostAsync("v1/action/query", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
    }
}
