namespace ServerlessSync.Aws.SecretsManager;

/// <summary>
/// A secret could not be read: Secrets Manager refused or failed (<see cref="ErrorCode"/> is its error code, the
/// <see cref="Exception.InnerException"/> its <see cref="Http.AwsServiceException"/>), it could not be reached
/// (<see cref="ErrorCode"/> null), or its value is not text. The message names the secret's ARN and what to do;
/// it never holds the secret's value.
/// </summary>
public sealed class SecretReadException(SecretArn secretArn, string? errorCode, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public SecretArn SecretArn { get; } = secretArn;

    /// <summary>Secrets Manager's error code (e.g. <c>ResourceNotFoundException</c>), or null when it gave none.</summary>
    public string? ErrorCode { get; } = errorCode;
}
