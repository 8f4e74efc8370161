using System.Globalization;

namespace ServerlessSync.Aws.Auth;

/// <summary>
/// Access was refused, and stayed refused through the propagation-delay retries: the message says what was refused,
/// the cause's code and sentence, how long it was retried, and the fix, on one line, so that a run's status carries them.
/// </summary>
public sealed class AwsAuthException(string what, string errorCode, string serviceMessage, AuthCause? cause, TimeSpan retriedFor, Exception innerException)
    : Exception(Describe(what, errorCode, serviceMessage, cause, retriedFor), innerException)
{
    /// <summary>The documented cause, or null when the error names none (the message then says what was refused).</summary>
    public AuthCause? Cause { get; } = cause;

    /// <summary>The service's error code (<c>AccessDenied</c>, <c>AccessDeniedException</c>, …).</summary>
    public string ErrorCode { get; } = errorCode;

    /// <summary>How long it was retried before failing (zero when no retry was allowed).</summary>
    public TimeSpan RetriedFor { get; } = retriedFor;

    private static string Describe(string what, string code, string message, AuthCause? cause, TimeSpan retriedFor)
    {
        var retried = retriedFor > TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture, $" Still refused after retrying for {retriedFor.TotalMinutes:0.#} minutes, so not a propagation delay ({AuthCauses.PropagationDelay.Code}).")
            : "";
        var flat = string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return cause is null
            ? $"{what}: access refused ({code}: {flat}).{retried} Fix: allow what the message names; `serverless-sync doctor --destination redshift` checks each permission."
            : $"{what}: {cause.Code}: {cause.Sentence} ({code}: {flat}).{retried} Fix: {cause.Fix}";
    }
}
