using System.Globalization;

namespace ServerlessSync.Aws.Auth;

/// <summary>
/// The propagation-delay retry: an access error may come from a policy changed moments ago, which AWS applies
/// everywhere within minutes. Such an error is retried with backoff (5 s doubling to a minute) for up to
/// <see cref="Patience"/> (10 minutes by default) on the injected clock, saying so through <see cref="Say"/>, before it
/// fails with its cause (<see cref="AwsAuthException"/>).
/// </summary>
public sealed record AccessRetry
{
    /// <summary>The documented patience: 10 minutes.</summary>
    public static readonly TimeSpan DefaultPatience = TimeSpan.FromMinutes(10);

    /// <summary>No retry: access errors fail at once, still classified.</summary>
    public static AccessRetry None { get; } = new() { Patience = TimeSpan.Zero };

    public TimeSpan Patience { get; init; } = DefaultPatience;

    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(1);

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Where each retry is announced (a log line, the CLI's stderr); null says nothing.</summary>
    public Action<string>? Say { get; init; }

    /// <summary>
    /// Runs <paramref name="action"/>; an access error (<paramref name="readError"/> gives its code and message, null for
    /// any other exception, which passes through) is retried until the patience runs out, then thrown as an
    /// <see cref="AwsAuthException"/> with its cause. <paramref name="serverlessTarget"/> helps the classification.
    /// </summary>
    public async Task<T> RunAsync<T>(string what, Func<Task<T>> action, Func<Exception, AccessError?> readError, bool? serverlessTarget, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(readError);
        var started = Clock.GetUtcNow();
        var delay = FirstDelay;
        for (var retries = 0; ; retries++)
        {
            try
            {
                return await action();
            }
            catch (Exception e) when (e is not AwsAuthException && readError(e) is { } error && AuthCauses.IsAccessRefused(error.Code, error.Message))
            {
                var elapsed = Clock.GetUtcNow() - started;
                var cause = AuthCauses.Classify(error.Code, error.Message, serverlessTarget);
                if (elapsed + delay > Patience)
                {
                    throw new AwsAuthException(what, error.Service, error.Code, error.Message, error.StatusCode, error.RequestId, cause, retries == 0 ? TimeSpan.Zero : elapsed, e);
                }

                Say?.Invoke(string.Create(CultureInfo.InvariantCulture,
                    $"{what}: access refused ({error.Code}); {AuthCauses.PropagationDelay.Code}: a policy changed moments ago can take minutes to apply, retrying in {delay.TotalSeconds:0} s (up to {Patience.TotalMinutes:0.#} minutes in all, {elapsed.TotalSeconds:0} s so far)"));
                await Task.Delay(delay, Clock, cancellationToken);
                delay = delay * 2 > MaxDelay ? MaxDelay : delay * 2;
            }
        }
    }
}

/// <summary>What an access error says: the service, its code and message, the HTTP status and request id.</summary>
public sealed record AccessError(string Service, string Code, string Message, System.Net.HttpStatusCode StatusCode, string? RequestId);
