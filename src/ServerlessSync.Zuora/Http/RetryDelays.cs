using System.Globalization;
using System.Net.Http.Headers;

namespace ServerlessSync.Zuora.Http;

/// <summary>How long to wait before repeating a request (docs/zuora-wire.md, "Limits and transient errors").</summary>
internal static class RetryDelays
{
    public static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);

    /// <summary>The longest 429 wait the client sits out; Zuora asking for more fails the call.</summary>
    public static readonly TimeSpan MaxRateLimitWait = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The wait a 429 asks for and the header that asked: <c>Retry-After</c> (seconds or an HTTP date, counted from
    /// <paramref name="now"/>), else <c>RateLimit-Reset</c> (seconds), else null (the caller backs off). Never negative;
    /// a value too large for a <see cref="TimeSpan"/> is <see cref="TimeSpan.MaxValue"/>.
    /// </summary>
    public static RateLimitWait? FromRateLimitHeaders(HttpResponseHeaders headers, DateTimeOffset now)
    {
        // Raw values: .NET's typed Retry-After drops a number of seconds beyond int range instead of reporting it.
        if (Raw(headers, "Retry-After") is { } retryAfter)
        {
            if (Seconds(retryAfter) is { } delta)
            {
                return new RateLimitWait(delta, $"Retry-After: {retryAfter}");
            }

            if (DateTimeOffset.TryParseExact(retryAfter, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
            {
                var wait = date - now;
                return new RateLimitWait(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, $"Retry-After: {retryAfter}");
            }
        }

        if (Raw(headers, "RateLimit-Reset") is { } reset && Seconds(reset) is { } resetWait)
        {
            return new RateLimitWait(resetWait, $"RateLimit-Reset: {reset}");
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

    private static string? Raw(HttpResponseHeaders headers, string name) =>
        headers.NonValidated.TryGetValues(name, out var values) && values.FirstOrDefault()?.Trim() is { Length: > 0 } value ? value : null;

    /// <summary>A non-negative number of seconds; one too large for a <see cref="TimeSpan"/> is <see cref="TimeSpan.MaxValue"/>.</summary>
    private static TimeSpan? Seconds(string text) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds)
            ? seconds >= TimeSpan.MaxValue.TotalSeconds ? TimeSpan.MaxValue : TimeSpan.FromSeconds(seconds)
            : null;
}

/// <summary>How long a 429 asked to wait, and the header as Zuora sent it (for messages).</summary>
internal readonly record struct RateLimitWait(TimeSpan Wait, string AskedBy)
{
    /// <summary>Longer than <see cref="RetryDelays.MaxRateLimitWait"/>: the call fails rather than wait.</summary>
    public bool TooLong => Wait > RetryDelays.MaxRateLimitWait;
}
