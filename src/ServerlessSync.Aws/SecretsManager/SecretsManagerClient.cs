using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using ServerlessSync.Aws.Http;

namespace ServerlessSync.Aws.SecretsManager;

/// <summary>
/// Reads secrets from AWS Secrets Manager (GetSecretValue, the current version) for a function that keeps a
/// source's credentials there. Throttling and server errors are retried per <see cref="AwsClientOptions.Retry"/>;
/// every other failure becomes a <see cref="SecretReadException"/> that names the secret's ARN and what to check.
/// A client calls one region: build it with <see cref="ForSecret"/> to use the secret's. Nothing this client
/// throws or prints holds a secret's value. Create one per process and reuse it.
/// </summary>
public sealed class SecretsManagerClient : IDisposable
{
    private static readonly SecretsManagerJsonContext Json = SecretsManagerJsonContext.Default;

    internal static readonly AwsJsonOperation<GetSecretValueRequest, GetSecretValueResponse> GetSecretValue =
        new("GetSecretValue", Json.GetSecretValueRequest, Json.GetSecretValueResponse);

    /// <summary>Strict: a secret whose bytes are not UTF-8 is reported, not read with replacement characters.</summary>
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly AwsJsonClient _client;
    private readonly string _region;

    public SecretsManagerClient(AwsClientOptions options)
    {
        _client = new AwsJsonClient(Service, options, ToException);
        _region = options.Region.SystemName;
    }

    /// <summary>Secrets Manager's wire identity: endpoint prefix and signing name <c>secretsmanager</c>, target prefix <c>secretsmanager</c>, awsJson 1.1.</summary>
    public static AwsJsonService Service { get; } = new("Secrets Manager", "secretsmanager", "secretsmanager", "secretsmanager", "1.1");

    /// <summary>A client in the region of <paramref name="secretArn"/>.</summary>
    /// <param name="secretArn">the secret the client is for; its region is the client's</param>
    /// <param name="credentials">what requests are signed with (the function's role)</param>
    /// <param name="serviceUrl">overrides the regional endpoint (a VPC endpoint, a local server); null for AWS's</param>
    public static SecretsManagerClient ForSecret(string secretArn, AWSCredentials credentials, Uri? serviceUrl = null)
    {
        var arn = SecretArn.Parse(secretArn);
        return new SecretsManagerClient(new AwsClientOptions(credentials, arn.RegionEndpoint) { ServiceUrl = serviceUrl });
    }

    /// <summary>
    /// The current value of the secret <paramref name="secretArn"/> as text: its <c>SecretString</c>, or its
    /// <c>SecretBinary</c> read as UTF-8 when it has only that.
    /// </summary>
    /// <exception cref="ArgumentException">the ARN is not a secret ARN, or the secret is in another region than this client's</exception>
    /// <exception cref="SecretReadException">the secret could not be read; the message says why and what to check</exception>
    public async Task<string> GetSecretStringAsync(string secretArn, CancellationToken cancellationToken)
    {
        var arn = SecretArn.Parse(secretArn);
        if (arn.Region != _region)
        {
            throw new ArgumentException(
                $"secret {arn} is in region {arn.Region}, but this client calls Secrets Manager in {_region}: build the client with SecretsManagerClient.ForSecret",
                nameof(secretArn));
        }

        GetSecretValueResponse response;
        try
        {
            response = await _client.SendAsync(GetSecretValue, new GetSecretValueRequest(arn.Value), cancellationToken);
        }
        catch (AwsServiceException e)
        {
            throw new SecretReadException(arn, e.ErrorCode, $"could not read secret {arn}: {e.Message}. {Advice(arn, e)}", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new SecretReadException(
                arn,
                errorCode: null,
                $"could not reach Secrets Manager in {_region} for secret {arn}: {e.Message}. The function needs a network path to Secrets Manager (a NAT gateway or a secretsmanager VPC endpoint)",
                e);
        }
        catch (JsonException e)
        {
            throw new SecretReadException(arn, errorCode: null, $"Secrets Manager's answer for secret {arn} is not a GetSecretValue response (at {e.Path ?? "$"})", e);
        }

        return ValueOf(arn, response);
    }

    public void Dispose() => _client.Dispose();

    private static string ValueOf(SecretArn arn, GetSecretValueResponse response)
    {
        if (response.SecretString is { } text)
        {
            return text;
        }

        if (response.SecretBinary is not { } bytes)
        {
            throw new SecretReadException(arn, errorCode: null, $"secret {arn} (version {response.VersionId ?? "unknown"}) has neither a SecretString nor a SecretBinary value");
        }

        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            // Not passed on as the inner exception: it carries the offending bytes.
            throw new SecretReadException(
                arn, errorCode: null, $"secret {arn} holds {bytes.Length} bytes of SecretBinary that are not UTF-8 text; store the value as a SecretString (JSON text)");
        }
    }

    /// <summary>What to check for an error Secrets Manager answered, in the terms of the function's configuration.</summary>
    private static string Advice(SecretArn arn, AwsServiceException error) => error.ErrorCode switch
    {
        "ResourceNotFoundException" =>
            $"Check SOURCE_SECRET_ARN: Secrets Manager has no such secret in account {arn.Account}, region {arn.Region} (or its current version is gone)",
        "AccessDeniedException" or "AccessDenied" =>
            "The function's role needs secretsmanager:GetSecretValue on this ARN, and kms:Decrypt on the secret's key if a customer managed KMS key encrypts it",
        "DecryptionFailure" =>
            "Secrets Manager could not decrypt the secret with its KMS key: the function's role needs kms:Decrypt on that key, and the key must be enabled",
        "InvalidRequestException" =>
            "The secret cannot be read now (for example it is scheduled for deletion): restore it, or check SOURCE_SECRET_ARN",
        "InvalidParameterException" => "Check SOURCE_SECRET_ARN",
        _ when error.IsRetryable => "Secrets Manager kept failing through every retry: try again later",
        _ => "See this error code in the Secrets Manager API reference",
    };

    private static AwsServiceException ToException(AwsServiceError error) =>
        AwsThrottlingException.Matches(error) ? new AwsThrottlingException(error) : new AwsServiceException(error);
}
