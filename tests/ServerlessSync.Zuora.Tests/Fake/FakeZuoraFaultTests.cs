using System.Net;

namespace ServerlessSync.Zuora.Tests.Fake;

public sealed class FakeZuoraFaultTests
{
    [Fact]
    public async Task ThrottleNext_TwoCalls_Answer429WithRetryAfterThenServe()
    {
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync();

        calls.Zuora.ThrottleNext(2, TimeSpan.FromSeconds(7));
        using var first = await calls.Http.GetAsync("v1/describe/Account");
        using var second = await calls.Http.GetAsync("v1/describe/Account");
        using var third = await calls.Http.GetAsync("v1/describe/Account");

        Assert.Equal(HttpStatusCode.TooManyRequests, first.StatusCode);
        Assert.Equal("7", first.Headers.GetValues("Retry-After").Single());
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }

    [Fact]
    public async Task ThrottleNextWithRateLimit_OneCall_Answers429WithRateLimitHeaders()
    {
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync();

        calls.Zuora.ThrottleNextWithRateLimit(1, 40, TimeSpan.FromSeconds(3));
        using var throttled = await calls.Http.GetAsync("v1/describe/Account");

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.False(throttled.Headers.Contains("Retry-After"));
        Assert.Equal("40", throttled.Headers.GetValues("RateLimit-Limit").Single());
        Assert.Equal("0", throttled.Headers.GetValues("RateLimit-Remaining").Single());
        Assert.Equal("3", throttled.Headers.GetValues("RateLimit-Reset").Single());
    }

    [Fact]
    public async Task FailNext_OneCall_Answers503ThenServes()
    {
        await using var calls = await FakeZuoraCalls.StartAuthenticatedAsync();

        calls.Zuora.FailNext(1);
        using var failed = await calls.Http.GetAsync("v1/describe/Account");
        using var served = await calls.Http.GetAsync("v1/describe/Account");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task FailNext_TokenCall_IsNotCounted()
    {
        await using var calls = await FakeZuoraCalls.StartAsync();

        calls.Zuora.FailNext(1);
        using var token = await calls.TokenAsync();
        await calls.AuthenticateAsync();
        using var failed = await calls.Http.GetAsync("v1/describe/Account");

        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
    }
}
