using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace ServerlessSync.Testing.Http;

/// <summary>
/// Redshift Serverless's GetCredentials as a local endpoint (moto has no Serverless backend): <c>POST /</c>,
/// <c>X-Amz-Target: RedshiftServerless.GetCredentials</c>, awsJson 1.1, signed for <c>redshift-serverless</c>. It answers
/// the database user Redshift Serverless maps an IAM role to (<c>IAMR:{role name}</c>, here <see cref="DbUser"/>) for any
/// <c>workgroupName</c>, and never checks a permission; anything else is a 400 or 403 error.
/// </summary>
public sealed class LocalRedshiftServerless : LocalEndpoint
{
    public const string DbUser = "IAMR:serverless-sync-loader";

    private LocalRedshiftServerless()
    {
    }

    public static Task<LocalRedshiftServerless> StartAsync() => StartAsync(new LocalRedshiftServerless());

    protected override async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Method != "POST" || request.Path != "/" || AwsJson.Operation(request, "RedshiftServerless") != "GetCredentials")
        {
            await AwsJson.WriteErrorAsync(context, AwsJson.ContentType11, 400, "UnknownOperationException", $"no operation for {request.Method} {request.Path} with X-Amz-Target '{request.Headers["X-Amz-Target"]}'");
            return;
        }

        if (!AwsJson.IsSigned(request) || !request.Headers.Authorization.ToString().Contains("/redshift-serverless/aws4_request", StringComparison.Ordinal))
        {
            await AwsJson.WriteErrorAsync(context, AwsJson.ContentType11, 403, "IncompleteSignatureException", "the request is not SigV4-signed for redshift-serverless");
            return;
        }

        if (AwsJson.StringMember(await AwsJson.ReadBodyAsync(request), "workgroupName") is null)
        {
            await AwsJson.WriteErrorAsync(context, AwsJson.ContentType11, 400, "ValidationException", "workgroupName is required");
            return;
        }

        var answer = new JsonObject { ["dbUser"] = DbUser, ["dbPassword"] = "local-password", ["expiration"] = 1.8e9 };
        await AwsJson.WriteAsync(context, AwsJson.ContentType11, 200, answer.ToJsonString());
    }
}
