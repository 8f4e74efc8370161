using System.Net;

namespace ServerlessSync.Aws.Http;

/// <summary>
/// An AWS service answered with an error. <see cref="ErrorCode"/> is the bare code (the shape name in the
/// service's API model, e.g. <c>ValidationException</c>) whatever form it arrived in. Services' clients
/// throw subclasses for the codes callers act on.
/// </summary>
public class AwsServiceException(string service, string errorCode, string message, HttpStatusCode statusCode, string? requestId, Exception? innerException = null)
    : Exception($"{service} {errorCode} (HTTP {(int)statusCode}{(requestId is null ? "" : $", request {requestId}")}): {message}", innerException)
{
    public string Service { get; } = service;

    public string ErrorCode { get; } = errorCode;

    /// <summary>The service's message, without the code and status this exception's Message adds.</summary>
    public string ServiceMessage { get; } = message;

    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>The <c>x-amzn-RequestId</c> response header, for AWS support.</summary>
    public string? RequestId { get; } = requestId;

    /// <summary>Whether sending the same request again later may succeed: server errors by default.</summary>
    public virtual bool IsRetryable => (int)StatusCode >= 500;

    internal AwsServiceException(AwsServiceError error)
        : this(error.Service, error.Code, error.Message, error.StatusCode, error.RequestId)
    {
    }
}

/// <summary>The service throttled the request (ThrottlingException, Throttling, TooManyRequestsException, RequestLimitExceeded, HTTP 429).</summary>
public sealed class AwsThrottlingException : AwsServiceException
{
    internal AwsThrottlingException(AwsServiceError error) : base(error)
    {
    }

    public override bool IsRetryable => true;

    internal static bool Matches(AwsServiceError error) =>
        error.StatusCode == HttpStatusCode.TooManyRequests
        || error.Code is "ThrottlingException" or "Throttling" or "TooManyRequestsException" or "RequestLimitExceeded";
}
