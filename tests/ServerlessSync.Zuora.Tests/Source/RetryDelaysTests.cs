using System.Net;
using System.Net.Http.Headers;
using ServerlessSync.Zuora.Http;

namespace ServerlessSync.Zuora.Tests.Source;

public class RetryDelaysTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static HttpResponseHeaders Headers(params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response.Headers;
    }

    [Fact]
    public void FromRateLimitHeaders_RetryAfterSeconds_IsThatWait() =>
        Assert.Equal(TimeSpan.FromSeconds(7), RetryDelays.FromRateLimitHeaders(Headers(("Retry-After", "7"), ("RateLimit-Reset", "30")), Now)?.Wait);

    [Fact]
    public void FromRateLimitHeaders_RetryAfterDate_IsTimeUntilThen() =>
        Assert.Equal(TimeSpan.FromSeconds(90), RetryDelays.FromRateLimitHeaders(Headers(("Retry-After", Now.AddSeconds(90).ToString("R"))), Now)?.Wait);

    [Fact]
    public void FromRateLimitHeaders_OnlyRateLimitReset_IsThatWait() =>
        Assert.Equal(TimeSpan.FromSeconds(12), RetryDelays.FromRateLimitHeaders(Headers(("RateLimit-Limit", "100"), ("RateLimit-Remaining", "0"), ("RateLimit-Reset", "12")), Now)?.Wait);

    [Fact]
    public void FromRateLimitHeaders_None_IsNull() => Assert.Null(RetryDelays.FromRateLimitHeaders(Headers(), Now));

    [Theory]
    [InlineData("Retry-After", "86400")]
    [InlineData("Retry-After", "5000000000")]
    [InlineData("RateLimit-Reset", "4000000000")]
    [InlineData("RateLimit-Reset", "99999999999999999999999999999")]
    public void FromRateLimitHeaders_HugeWait_IsTooLongWithoutThrowing(string header, string value)
    {
        var asked = RetryDelays.FromRateLimitHeaders(Headers((header, value)), Now);

        Assert.NotNull(asked);
        Assert.True(asked.Value.TooLong);
        Assert.Contains(header, asked.Value.AskedBy, StringComparison.Ordinal);
    }

    [Fact]
    public void FromRateLimitHeaders_FifteenMinutes_IsNotTooLong() =>
        Assert.False(RetryDelays.FromRateLimitHeaders(Headers(("Retry-After", "900")), Now)!.Value.TooLong);

    [Fact]
    public void FromRateLimitHeaders_RetryAfterDateYearsAhead_IsTooLong() =>
        Assert.True(RetryDelays.FromRateLimitHeaders(Headers(("Retry-After", Now.AddYears(300).ToString("R"))), Now)!.Value.TooLong);

    [Theory]
    [InlineData(1, 0.5, 1)]
    [InlineData(2, 0.5, 2)]
    [InlineData(3, 0.5, 4)]
    [InlineData(7, 0.5, 60)]
    [InlineData(30, 0.99, 60)]
    public void Backoff_DoublesUpToSixtySeconds(int retry, double jitter, double expectedSeconds) =>
        Assert.Equal(expectedSeconds, RetryDelays.Backoff(retry, jitter).TotalSeconds, 3);

    [Fact]
    public void Backoff_Jitter_StaysWithinAQuarter()
    {
        Assert.Equal(3, RetryDelays.Backoff(3, 0).TotalSeconds, 3);
        Assert.Equal(5, RetryDelays.Backoff(3, 1).TotalSeconds, 3);
    }
}
