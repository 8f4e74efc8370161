using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace ServerlessSync.Testing.Http;

/// <summary>
/// Secrets Manager's GetSecretValue as a local endpoint. It accepts only what the real service would:
/// <c>POST /</c>, <c>X-Amz-Target: secretsmanager.GetSecretValue</c>, the exact awsJson 1.1 content type and a
/// SigV4 Authorization whose scope is <c>…/secretsmanager/aws4_request</c>; anything else is a 400 or 403 error.
/// It answers the secrets it holds (by ARN), <c>ResourceNotFoundException</c> for others,
/// <c>AccessDeniedException</c> for denied ARNs, and a 500 for as many requests as <see cref="FailNext"/> says.
/// </summary>
public sealed class LocalSecretsManager : LocalEndpoint
{
    private readonly Dictionary<string, JsonObject> _secrets = [];
    private readonly HashSet<string> _denied = [];
    private readonly List<string> _authorizations = [];
    private readonly Lock _gate = new();
    private int _failuresLeft;

    private LocalSecretsManager()
    {
    }

    /// <summary>The Authorization header of every request answered, in order.</summary>
    public IReadOnlyList<string> Authorizations
    {
        get
        {
            lock (_gate)
            {
                return [.. _authorizations];
            }
        }
    }

    public static Task<LocalSecretsManager> StartAsync() => StartAsync(new LocalSecretsManager());

    public LocalSecretsManager WithString(string arn, string value) => With(arn, "SecretString", value);

    public LocalSecretsManager WithBinary(string arn, byte[] value) => With(arn, "SecretBinary", Convert.ToBase64String(value));

    /// <summary>The secret exists, but the caller may not read it.</summary>
    public LocalSecretsManager Deny(string arn)
    {
        lock (_gate)
        {
            _denied.Add(arn);
        }

        return this;
    }

    /// <summary>The next <paramref name="count"/> valid requests answer 500 InternalServiceError.</summary>
    public LocalSecretsManager FailNext(int count)
    {
        lock (_gate)
        {
            _failuresLeft = count;
        }

        return this;
    }

    protected override async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var authorization = request.Headers.Authorization.ToString();
        if (request.Method != "POST" || request.Path != "/" || AwsJson.Operation(request, "secretsmanager") != "GetSecretValue")
        {
            await Error(context, 400, "UnknownOperationException", $"no operation for {request.Method} {request.Path} with X-Amz-Target '{request.Headers["X-Amz-Target"]}'");
            return;
        }

        if (request.ContentType != AwsJson.ContentType11)
        {
            await Error(context, 400, "SerializationException", $"Content-Type must be {AwsJson.ContentType11}, not '{request.ContentType}'");
            return;
        }

        if (!AwsJson.IsSigned(request) || !authorization.Contains("/secretsmanager/aws4_request", StringComparison.Ordinal))
        {
            await Error(context, 403, "IncompleteSignatureException", "the request is not SigV4-signed for secretsmanager");
            return;
        }

        var secretId = AwsJson.StringMember(await AwsJson.ReadBodyAsync(request), "SecretId");
        JsonObject? secret;
        bool denied, fail;
        lock (_gate)
        {
            _authorizations.Add(authorization);
            fail = _failuresLeft > 0;
            _failuresLeft -= fail ? 1 : 0;
            denied = secretId is not null && _denied.Contains(secretId);
            secret = secretId is null ? null : _secrets.GetValueOrDefault(secretId);
        }

        var answer = (fail, denied, secret) switch
        {
            (true, _, _) => Error(context, 500, "InternalServiceError", "An error occurred on the server side."),
            (_, true, _) => Error(context, 400, "AccessDeniedException", $"User is not authorized to perform: secretsmanager:GetSecretValue on resource: {secretId}"),
            (_, _, null) => Error(context, 400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret."),
            _ => AwsJson.WriteAsync(context, AwsJson.ContentType11, 200, secret.ToJsonString()),
        };
        await answer;
    }

    private static Task Error(HttpContext context, int status, string type, string message) =>
        AwsJson.WriteErrorAsync(context, AwsJson.ContentType11, status, type, message);

    private LocalSecretsManager With(string arn, string member, string value)
    {
        var name = arn[(arn.LastIndexOf(':') + 1)..];
        lock (_gate)
        {
            _secrets[arn] = new JsonObject
            {
                ["ARN"] = arn,
                ["Name"] = name,
                ["VersionId"] = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
                [member] = value,
                ["VersionStages"] = new JsonArray("AWSCURRENT"),
                ["CreatedDate"] = 1740820530.123m,
            };
        }

        return this;
    }
}
