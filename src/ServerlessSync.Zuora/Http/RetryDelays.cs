using System.Globalization;
using System.Net.Http.Headers;

namespace ServerlessSync.Zuora.Http;

/// <summary>How long to wait before repeating a request (docs/zuora-wire.md, "Limits and transient errors").</summary>
internal static class RetryDelays
{
    public static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The wait a 429 asks for: <c>Retry-After</c> (seconds or an HTTP date, counted from <paramref name="now"/>), else
    /// <c>RateLimit-Reset</c> (seconds), else null (the caller backs off).
    /// </summary>
    public static TimeSpan? FromRateLimitHeaders(HttpResponseHeaders headers, DateTimeOffset now)
    {
        if (headers.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is { } delta)
            {
                return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            }

            if (retryAfter.Date is { } date)
            {
                var wait = date - now;
                return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
            }
        }

        if (headers.TryGetValues("RateLimit-Reset", out var values))
        {
            foreach (var value in values)
            {
                if (double.TryParse(value.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
                {
                    return TimeSpan.FromSeconds(seconds);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Exponential backoff for the <paramref name="retry"/>-th repeat (1-based): 1 s, 2 s, 4 s … capped at 60 s, scaled by
    /// a jitter factor in [0.75, 1.25) from <paramref name="jitterSample"/> in [0, 1), and still at most 60 s.
    /// </summary>
    public static TimeSpan Backoff(int retry, double jitterSample)
    {
        var exponent = Math.Clamp(retry - 1, 0, 16);
        var baseDelay = Math.Min(FirstBackoff.TotalSeconds * Math.Pow(2, exponent), MaxBackoff.TotalSeconds);
        var jittered = baseDelay * (0.75 + (0.5 * Math.Clamp(jitterSample, 0, 1)));
        return TimeSpan.FromSeconds(Math.Min(jittered, MaxBackoff.TotalSeconds));
    }
}
