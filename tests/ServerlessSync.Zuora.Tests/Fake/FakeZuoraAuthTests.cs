using System.Net;
using Microsoft.Extensions.Time.Testing;
using ServerlessSync.Testing.Zuora;

namespace ServerlessSync.Zuora.Tests.Fake;

public sealed class FakeZuoraAuthTests
{
    [Fact]
    public async Task Token_RegisteredCredentials_IssuesBearerTokenThatOpensTheApi()
    {
        await using var calls = await FakeZuoraCalls.StartAsync();

        using var tokenResponse = await calls.TokenAsync();
        var token = await FakeZuoraCalls.JsonAsync(tokenResponse);
        await calls.AuthenticateAsync();
        using var describe = await calls.Http.GetAsync("v1/describe/Account");

        Assert.Equal("bearer", token["token_type"]!.GetValue<string>());
        Assert.Equal(3599, token["expires_in"]!.GetValue<long>());
        Assert.Matches("^[0-9a-f]{32}$", token["access_token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, describe.StatusCode);
        Assert.Equal(2, calls.Zuora.TokensIssued);
        Assert.True(calls.Zuora.Requests[^1].HadBearerToken);
    }

    [Fact]
    public async Task Token_WrongSecret_Answers401InvalidClient()
    {
        await using var calls = await FakeZuoraCalls.StartAsync();

        using var response = await calls.TokenAsync(clientSecret: "wrong");
        var body = await FakeZuoraCalls.BodyAsync(response);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", body.GetProperty("error").GetString());
        Assert.Equal(0, calls.Zuora.TokensIssued);
    }

    [Fact]
    public async Task ApiCall_WithoutToken_Answers401AuthenticationError()
    {
        await using var calls = await FakeZuoraCalls.StartAsync();

        using var response = await calls.Http.GetAsync("v1/describe/Account");
        var body = await FakeZuoraCalls.BodyAsync(response);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Authentication error", body.GetProperty("message").GetString());
        Assert.False(calls.Zuora.Requests.Single().HadBearerToken);
    }

    [Fact]
    public async Task ApiCall_AfterExpireTokens_Answers401UntilANewToken()
    {
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync();

        calls.Zuora.ExpireTokens();
        using var expired = await calls.Http.GetAsync("v1/describe/Account");
        await calls.AuthenticateAsync();
        using var renewed = await calls.Http.GetAsync("v1/describe/Account");

        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal(HttpStatusCode.OK, renewed.StatusCode);
    }

    [Fact]
    public async Task ApiCall_TokenLifetimePassed_Answers401()
    {
        var clock = new FakeTimeProvider(FakeZuoraCalls.Now);
        var options = new FakeZuoraOptions { TimeProvider = clock, TokenLifetime = TimeSpan.FromMinutes(10) };
        await using var calls = await FakeZuoraCalls.StartAsync(options: options);
        using var tokenResponse = await calls.TokenAsync();
        var expiresIn = (await FakeZuoraCalls.JsonAsync(tokenResponse))["expires_in"]!.GetValue<long>();
        await calls.AuthenticateAsync();

        clock.Advance(TimeSpan.FromMinutes(9));
        using var beforeExpiry = await calls.Http.GetAsync("v1/describe/Account");
        clock.Advance(TimeSpan.FromMinutes(2));
        using var afterExpiry = await calls.Http.GetAsync("v1/describe/Account");

        Assert.Equal(600, expiresIn);
        Assert.Equal(HttpStatusCode.OK, beforeExpiry.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterExpiry.StatusCode);
    }
}
