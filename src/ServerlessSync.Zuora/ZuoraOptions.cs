namespace ServerlessSync.Zuora;

/// <summary>How the <c>zuora</c> source talks to one tenant. Defaults follow docs/zuora-wire.md.</summary>
public sealed record ZuoraOptions
{
    /// <summary>The REST base URL (see <see cref="ZuoraEnvironments.Resolve"/>).</summary>
    public required Uri BaseUrl { get; init; }

    /// <summary>AQuA and Data Query jobs of one source between submit and end at any moment.</summary>
    public int MaxConcurrentJobs { get; init; } = 4;

    /// <summary>First wait between job status polls; each wait grows ×1.5 up to <see cref="MaxPollInterval"/>.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A job not completed this long after submit is cancelled and its window halved.</summary>
    public TimeSpan JobTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Windows are not halved below this: the object fails instead.</summary>
    public TimeSpan MinWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Where a historical window's halving starts: no tenant has data before this.</summary>
    public DateTimeOffset HistoricalFloor { get; init; } = new(2006, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Attempts in all for a request that meets 5xx, a connection failure or (downloads) a 404.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>
    /// Zuora system time, in which an export's date-only value in a datetime column (<c>2015-01-01</c>) is midnight.
    /// Pacific (<see cref="ZuoraTime.Pacific"/>) unless Zuora tells a tenant otherwise.
    /// </summary>
    public TimeZoneInfo SystemTimeZone { get; init; } = ZuoraTime.Pacific;

    /// <summary>Per HTTP request, until the response headers arrive.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (BaseUrl is null || !BaseUrl.IsAbsoluteUri)
        {
            throw new ArgumentException("ZuoraOptions.BaseUrl must be an absolute URL");
        }

        if (BaseUrl.Scheme != Uri.UriSchemeHttps && !(BaseUrl.Scheme == Uri.UriSchemeHttp && BaseUrl.IsLoopback))
        {
            throw new ArgumentException($"ZuoraOptions.BaseUrl {BaseUrl} must use https (plain http only to a loopback host)");
        }

        Require(MaxConcurrentJobs is >= 1 and <= 50, nameof(MaxConcurrentJobs), $"must be 1..50, not {MaxConcurrentJobs}");
        Require(PollInterval > TimeSpan.Zero, nameof(PollInterval), $"must be positive, not {PollInterval}");
        Require(MaxPollInterval >= PollInterval, nameof(MaxPollInterval), $"must be at least PollInterval ({PollInterval}), not {MaxPollInterval}");
        Require(JobTimeout > TimeSpan.Zero, nameof(JobTimeout), $"must be positive, not {JobTimeout}");
        Require(MinWindow > TimeSpan.Zero, nameof(MinWindow), $"must be positive, not {MinWindow}");
        Require(MaxAttempts is >= 1 and <= 20, nameof(MaxAttempts), $"must be 1..20, not {MaxAttempts}");
        Require(RequestTimeout > TimeSpan.Zero, nameof(RequestTimeout), $"must be positive, not {RequestTimeout}");
        Require(SystemTimeZone is not null, nameof(SystemTimeZone), "must be set");
    }

    private static void Require(bool condition, string setting, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"ZuoraOptions.{setting} {problem}");
        }
    }
}
