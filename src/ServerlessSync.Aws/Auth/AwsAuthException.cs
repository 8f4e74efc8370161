using System.Globalization;
using System.Net;
using ServerlessSync.Aws.Http;

namespace ServerlessSync.Aws.Auth;

/// <summary>
/// Access was refused, and stayed refused through the propagation-delay retries. Still an <see cref="AwsServiceException"/>
/// with the service's code, status and request id (callers that handle service errors keep working); its message says on
/// one line what was refused, the cause's code and sentence, how long it was retried, and the fix, so that a run's status
/// carries them.
/// </summary>
public sealed class AwsAuthException : AwsServiceException
{
    private readonly string _message;

    public AwsAuthException(string what, string service, string errorCode, string serviceMessage, HttpStatusCode statusCode, string? requestId, AuthCause? cause, TimeSpan retriedFor, Exception innerException)
        : base(service, errorCode, serviceMessage, statusCode, requestId, innerException)
    {
        Cause = cause;
        RetriedFor = retriedFor;
        _message = Describe(what, errorCode, serviceMessage, cause, retriedFor);
    }

    /// <summary>The documented cause, or null when the error names none (the message then says what was refused).</summary>
    public AuthCause? Cause { get; }

    /// <summary>How long it was retried before failing (zero when no retry was allowed).</summary>
    public TimeSpan RetriedFor { get; }

    public override string Message => _message;

    private static string Describe(string what, string code, string message, AuthCause? cause, TimeSpan retriedFor)
    {
        var retried = retriedFor > TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture, $" Still refused after retrying for {retriedFor.TotalMinutes:0.#} minutes, so not a propagation delay ({AuthCauses.PropagationDelay.Code}).")
            : "";
        var flat = string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return cause is null
            ? $"{what}: access refused ({code}: {flat}).{retried} Fix: allow what the message names."
            : $"{what}: {cause.Code}: {cause.Sentence} ({code}: {flat}).{retried} Fix: {cause.Fix}";
    }
}
