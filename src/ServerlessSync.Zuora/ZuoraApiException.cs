using System.Net;

namespace ServerlessSync.Zuora;

/// <summary>
/// Zuora refused a call or reported a job failed. The message names the call or object, the HTTP status when there
/// is one, and Zuora's <c>errorCode</c> and message; never a token or secret.
/// </summary>
public class ZuoraApiException : Exception
{
    public ZuoraApiException(string message, HttpStatusCode? status = null, string? errorCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
        ErrorCode = errorCode;
    }

    public ZuoraApiException()
    {
    }

    public ZuoraApiException(string message)
        : base(message)
    {
    }

    public ZuoraApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status of the refusal; null for a job that failed, or a 200 with an error body.</summary>
    public HttpStatusCode? Status { get; }

    /// <summary>Zuora's <c>errorCode</c> (e.g. <c>90005</c>), or the OAuth <c>error</c> (e.g. <c>invalid_client</c>).</summary>
    public string? ErrorCode { get; }
}

/// <summary>The token request was refused: wrong client ID or secret, or the wrong environment.</summary>
public sealed class ZuoraAuthenticationException(string message, HttpStatusCode? status, string? errorCode)
    : ZuoraApiException(message, status, errorCode);

/// <summary>
/// A result file download was refused because the file is over Zuora's 2,047 MB limit (HTTP 403 whose body names
/// <c>max-object-size</c>): the window must be exported again in smaller parts.
/// </summary>
public sealed class ZuoraFileTooLargeException(string message)
    : ZuoraApiException(message, HttpStatusCode.Forbidden, "max-object-size");
