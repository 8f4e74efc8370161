namespace ServerlessSync.Aws.Http;

/// <summary>
/// How often and how patiently a request is retried after a retryable failure (throttling, a concurrency
/// limit, a 5xx, a dropped connection or an attempt timeout): at most <see cref="MaxAttempts"/> attempts in
/// all, waiting a random time between zero and <c>min(MaxDelay, BaseDelay * 2^(retry - 1))</c> before each
/// retry ("full jitter"). <see cref="Random"/> is the jitter source; tests pass a predictable one.
/// </summary>
public sealed record AwsRetryPolicy
{
    public static AwsRetryPolicy Default { get; } = new();

    /// <summary>Attempts in all, the first included; 1 means no retries.</summary>
    public int MaxAttempts { get; init; } = 5;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(20);

    public Random Random { get; init; } = Random.Shared;

    /// <summary>The wait before retry number <paramref name="retry"/> (1 for the second attempt).</summary>
    public TimeSpan DelayBeforeRetry(int retry)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        var exponent = Math.Min(retry - 1, 30);
        var ceilingTicks = Math.Min((double)MaxDelay.Ticks, BaseDelay.Ticks * Math.Pow(2, exponent));
        return TimeSpan.FromTicks((long)(ceilingTicks * Random.NextDouble()));
    }

    internal void Validate()
    {
        if (MaxAttempts < 1)
        {
            throw new ArgumentException($"MaxAttempts must be at least 1, not {MaxAttempts}", nameof(MaxAttempts));
        }

        if (BaseDelay < TimeSpan.Zero || MaxDelay < BaseDelay)
        {
            throw new ArgumentException($"need 0 <= BaseDelay <= MaxDelay, not BaseDelay {BaseDelay} and MaxDelay {MaxDelay}", nameof(BaseDelay));
        }

        ArgumentNullException.ThrowIfNull(Random);
    }
}
