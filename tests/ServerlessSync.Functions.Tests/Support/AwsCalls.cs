using System.Collections.Concurrent;
using System.Text.Json;
using Amazon.Runtime.Internal;
using ServerlessSync.Aws.Http;
using ServerlessSync.Functions.Hosting;
using ServerlessSync.Testing.Aws;

namespace ServerlessSync.Functions.Tests.Support;

/// <summary>
/// One AWS call a function made: which function (<see cref="FunctionScope"/>) with which settings, the service's
/// signing name, the operation, the access key it was signed with, and the request's fields that name resources
/// (<c>BucketName</c>, <c>Key</c>, <c>Prefix</c>, <c>TableName</c>, <c>ClusterIdentifier</c>, <c>stateMachineArn</c>, …).
/// </summary>
public sealed record AwsCall(string Function, object Settings, string Service, string Operation, string AccessKeyId, IReadOnlyDictionary<string, string> Fields)
{
    public override string ToString() =>
        $"{Function}: {Service} {Operation} {string.Join(", ", Fields.Select(f => $"{f.Key}={f.Value}"))}";
}

/// <summary>
/// Records every AWS call any function makes in this test process, through the SDK's pipeline (S3, DynamoDB, STS: a
/// <see cref="WireTap"/> after the signer in every client, via <see cref="RuntimePipelineCustomizerRegistry"/>) and the
/// project's own clients' (Data API, Step Functions, Secrets Manager: a handler after signing, via
/// <see cref="AwsHttpPipeline"/>). A call outside a function invocation (a test's own setup) is not recorded. Every
/// test that composes functions installs it first (<see cref="Install"/>), so every end-to-end test contributes.
/// </summary>
public static class AwsCalls
{
    private const string Name = "ServerlessSync.Functions.Tests.AwsCalls";
    private static readonly ConcurrentQueue<AwsCall> Recorded = new();
    private static readonly Lazy<bool> Installed = new(() =>
    {
        RuntimePipelineCustomizerRegistry.Instance.Register(new SdkClients());
        AwsHttpPipeline.Register(Name, () => new OwnClients());
        return true;
    });

    /// <summary>Every call recorded so far.</summary>
    public static IReadOnlyList<AwsCall> All => [.. Recorded];

    /// <summary>Starts recording for clients built from now on (once per process; later calls do nothing).</summary>
    public static void Install() => _ = Installed.Value;

    private static void Add(string service, string operation, string accessKeyId, Dictionary<string, string> fields)
    {
        if (FunctionScope.Current is { } scope)
        {
            Recorded.Enqueue(new AwsCall(scope.Function, scope.Settings, service, operation, accessKeyId, fields));
        }
    }

    // "AWS4-HMAC-SHA256 Credential=AKID/20261126/us-east-1/s3/aws4_request, SignedHeaders=…"
    private static string AccessKeyOf(string? authorization)
    {
        if (authorization is null)
        {
            return "";
        }

        var start = authorization.IndexOf("Credential=", StringComparison.Ordinal);
        if (start < 0)
        {
            return "";
        }

        start += "Credential=".Length;
        return authorization[start..authorization.IndexOf('/', start)];
    }

    private static string? Authorization(HttpRequestMessage request) =>
        request.Headers.TryGetValues("Authorization", out var values) ? values.FirstOrDefault() : null;

    // X-Amz-Target's prefix → the IAM service prefix.
    private static string ServiceOf(string target) => target[..target.IndexOf('.', StringComparison.Ordinal)] switch
    {
        "RedshiftData" => "redshift-data",
        "AWSStepFunctions" => "states",
        "secretsmanager" => "secretsmanager",
        "RedshiftServerless" => "redshift-serverless",
        var other => throw new InvalidOperationException($"no IAM service known for X-Amz-Target {target} ({other})"),
    };

    private sealed class SdkClients : IRuntimePipelineCustomizer
    {
        public string UniqueName => Name;

        public void Customize(Type type, RuntimePipeline pipeline) => WireTap.Install(pipeline, Record);

        private static void Record(WireRequest wire)
        {
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in wire.Request.GetType().GetProperties())
            {
                if (property.Name is "BucketName" or "Key" or "Prefix" or "TableName" or "RoleArn" or "ExternalId" or "UploadId"
                    && property.GetValue(wire.Request) is string { Length: > 0 } text)
                {
                    fields[property.Name] = text;
                }
            }

            if (wire.Request is Amazon.S3.Model.DeleteObjectsRequest delete)
            {
                fields["Keys"] = string.Join('\n', delete.Objects.Select(o => o.Key));
            }

            var operation = wire.Request.GetType().Name;
            operation = operation.EndsWith("Request", StringComparison.Ordinal) ? operation[..^"Request".Length] : operation;
            Add(wire.Service, operation, AccessKeyOf(wire.Headers.GetValueOrDefault("Authorization")), fields);
        }
    }

    private sealed class OwnClients : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (FunctionScope.Current is not null && request.Headers.TryGetValues("X-Amz-Target", out var targets) && request.Content is not null)
            {
                var target = targets.First();
                var fields = new Dictionary<string, string>(StringComparer.Ordinal);
                using (var body = JsonDocument.Parse(await request.Content.ReadAsByteArrayAsync(cancellationToken)))
                {
                    foreach (var property in body.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String))
                    {
                        fields[property.Name] = property.Value.GetString()!;
                    }
                }

                Add(ServiceOf(target), target[(target.LastIndexOf('.') + 1)..], AccessKeyOf(Authorization(request)), fields);
            }
            else if (FunctionScope.Current is not null && request.RequestUri?.AbsolutePath.Split('/') is ["", "2015-03-31", "functions", var function, "invocations"])
            {
                // Lambda's REST Invoke: the function is in the path.
                Add("lambda", "Invoke", AccessKeyOf(Authorization(request)), new Dictionary<string, string>(StringComparer.Ordinal) { ["FunctionName"] = Uri.UnescapeDataString(function) });
            }
            else if (FunctionScope.Current is not null && request.Content?.Headers.ContentType?.MediaType == "application/x-www-form-urlencoded")
            {
                // The query protocol (Redshift's GetClusterCredentials): the operation is the form's Action, the service the signature's scope.
                var fields = (await request.Content.ReadAsStringAsync(cancellationToken)).Split('&', StringSplitOptions.RemoveEmptyEntries)
                    .Select(pair => pair.Split('=', 2))
                    .ToDictionary(pair => Uri.UnescapeDataString(pair[0]), pair => Uri.UnescapeDataString(pair.Length > 1 ? pair[1].Replace('+', ' ') : ""), StringComparer.Ordinal);
                var authorization = Authorization(request) ?? "";
                var scope = authorization.Split('/');
                Add(scope.Length > 3 ? scope[3] : "", fields.GetValueOrDefault("Action", ""), AccessKeyOf(authorization), fields);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
