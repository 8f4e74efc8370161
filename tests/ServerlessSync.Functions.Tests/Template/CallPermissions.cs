using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ServerlessSync.Functions.Api;
using ServerlessSync.Functions.Hosting;
using ServerlessSync.Functions.Tests.Support;

namespace ServerlessSync.Functions.Tests.Template;

/// <summary>
/// What IAM is asked when a function makes a recorded call: the action, the resource's ARN in the deployed stack and
/// the condition keys the template's policies use (<c>s3:prefix</c>). <see cref="Principal"/> says whose permissions
/// decide: the function's role, or the customer's role the Data API calls run as.
/// </summary>
/// <param name="Call">the call as recorded</param>
/// <param name="Action">the IAM action, <c>service:Action</c></param>
/// <param name="Resource">the resource ARN, or <c>*</c></param>
/// <param name="Context">condition keys and their values</param>
/// <param name="Principal">"function" or "customer role"</param>
public sealed record IamRequest(AwsCall Call, string Action, string Resource, IReadOnlyDictionary<string, string> Context, string Principal)
{
    public override string ToString() =>
        $"{Action} on {Resource}{string.Concat(Context.Select(c => $" ({c.Key} = '{c.Value}')"))}";
}

/// <summary>
/// Holds recorded calls (<see cref="AwsCalls"/>) against the translated template: which parameters a call's settings
/// stand for, what IAM is asked for it there, and whether the function's role allows it.
/// </summary>
public static partial class CallPermissions
{
    /// <summary>The COPY role every setup names (the template requires one).</summary>
    public const string CopyRoleArn = FunctionsTestHost.CopyRoleArn;

    /// <summary>The function's logical id in the template: <c>StartRun</c> → <c>StartRunFunction</c>.</summary>
    public static string LogicalId(string function) => $"{function}Function";

    /// <summary>The template's parameters for the stack a function with <paramref name="settings"/> runs in.</summary>
    public static Dictionary<string, string> Parameters(object settings)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal) { ["CopyRoleArn"] = CopyRoleArn };
        if (settings is not FunctionSettings function)
        {
            // The status API's role does not depend on the destination: the samples' cluster.
            parameters["RedshiftClusterId"] = FunctionsTestHost.Target.ClusterIdentifier!;
            parameters["RedshiftDbUser"] = FunctionsTestHost.Target.DbUser!;
            return parameters;
        }

        parameters["CopyRoleArn"] = function.CopyRoleArn;
        parameters["ConnectorId"] = function.ConnectorId;
        parameters["RedshiftDatabase"] = function.Redshift.Database;
        parameters["RedshiftSchema"] = function.RedshiftSchema;
        if (function.Redshift.WorkgroupName is { } workgroup)
        {
            parameters["RedshiftWorkgroup"] = workgroup;
        }
        else
        {
            parameters["RedshiftClusterId"] = function.Redshift.ClusterIdentifier!;
            parameters["RedshiftDbUser"] = function.Redshift.DbUser!;
        }

        if (function.CustomerRoleArn is { } role)
        {
            parameters["CustomerRoleArn"] = role;
            parameters["CustomerExternalId"] = function.CustomerExternalId ?? "";
        }

        parameters["Source"] = function.Source;
        if (function.SourceSecretArn is { } secret)
        {
            parameters["SourceSecretArn"] = secret;
        }

        if (function.ZuoraEnvironment is { } zuora)
        {
            parameters["ZuoraEnvironment"] = zuora;
        }

        return parameters;
    }

    /// <summary>What IAM is asked for <paramref name="call"/> in <paramref name="stack"/> (a Data API call also asks for the temporary credentials the Data API gets with the caller's identity).</summary>
    public static IReadOnlyList<IamRequest> Requests(AwsCall call, TranslatedTemplate stack)
    {
        var fields = call.Fields;
        var (bucket, table, stateMachine) = call.Settings switch
        {
            FunctionSettings f => (f.StagingBucket, f.StatusTable, (string?)null),
            StatusApiSettings a => ((string?)null, a.StatusTable, a.StateMachineArn),
            _ => (null, null, null),
        };
        string Bucket(string name) => name == bucket ? stack.BucketName : name;
        string Table(string name) => name == table ? stack.TableName : name;
        string Arn(string service, string resource) => $"arn:aws:{service}:{TranslatedTemplate.Region}:{TranslatedTemplate.Account}:{resource}";
        IamRequest Ask(string action, string resource, IReadOnlyDictionary<string, string>? context = null, string principal = "function") =>
            new(call, action, resource, context ?? new Dictionary<string, string>(), principal);

        switch (call.Service)
        {
            case "s3":
            {
                var bucketArn = $"arn:aws:s3:::{Bucket(fields.GetValueOrDefault("BucketName", ""))}";
                var objectArn = $"{bucketArn}/{fields.GetValueOrDefault("Key", "")}";
                return call.Operation switch
                {
                    "PutObject" or "InitiateMultipartUpload" or "UploadPart" or "CompleteMultipartUpload" => [Ask("s3:PutObject", objectArn)],
                    "GetObject" or "GetObjectMetadata" => [Ask("s3:GetObject", objectArn)],
                    "AbortMultipartUpload" => [Ask("s3:AbortMultipartUpload", objectArn)],
                    "DeleteObject" => [Ask("s3:DeleteObject", objectArn)],
                    "DeleteObjects" => [.. fields.GetValueOrDefault("Keys", "").Split('\n').Select(k => Ask("s3:DeleteObject", $"{bucketArn}/{k}"))],
                    "ListObjectsV2" or "ListObjects" => [Ask("s3:ListBucket", bucketArn, new Dictionary<string, string> { ["s3:prefix"] = fields.GetValueOrDefault("Prefix", "") })],
                    "ListMultipartUploads" => [Ask("s3:ListBucketMultipartUploads", bucketArn)],
                    _ => [Ask($"s3:{call.Operation}", objectArn)],
                };
            }

            case "dynamodb":
                return [Ask($"dynamodb:{call.Operation}", Arn("dynamodb", $"table/{Table(fields.GetValueOrDefault("TableName", ""))}"))];
            case "sts":
                return [Ask($"sts:{call.Operation}", fields.GetValueOrDefault("RoleArn", "*"))];
            case "secretsmanager":
                return [Ask($"secretsmanager:{call.Operation}", fields.GetValueOrDefault("SecretId", "*"))];
            case "states":
                return call.Operation switch
                {
                    "StartExecution" => [Ask("states:StartExecution", fields["stateMachineArn"] == stateMachine ? stack.StateMachineArn : fields["stateMachineArn"])],
                    "DescribeExecution" or "StopExecution" => [Ask($"states:{call.Operation}", ExecutionArn(fields["executionArn"], stateMachine, stack))],
                    _ => [Ask($"states:{call.Operation}", "*")],
                };
            case "redshift-data":
            {
                var principal = call.Settings is FunctionSettings { CustomerRoleArn: not null } ? "customer role" : "function";
                if (call.Operation is not ("ExecuteStatement" or "BatchExecuteStatement"))
                {
                    return [Ask($"redshift-data:{call.Operation}", "*", principal: principal)];
                }

                if (fields.GetValueOrDefault("WorkgroupName") is { } workgroup)
                {
                    var workgroupArn = workgroup.StartsWith("arn:", StringComparison.Ordinal) ? workgroup : Arn("redshift-serverless", $"workgroup/{workgroup}");
                    return [Ask($"redshift-data:{call.Operation}", workgroupArn, principal: principal), Ask("redshift-serverless:GetCredentials", workgroupArn, principal: principal)];
                }

                var cluster = fields.GetValueOrDefault("ClusterIdentifier", "");
                return
                [
                    Ask($"redshift-data:{call.Operation}", Arn("redshift", $"cluster:{cluster}"), principal: principal),
                    Ask("redshift:GetClusterCredentials", Arn("redshift", $"dbuser:{cluster}/{fields.GetValueOrDefault("DbUser", "")}"), principal: principal),
                    Ask("redshift:GetClusterCredentials", Arn("redshift", $"dbname:{cluster}/{fields.GetValueOrDefault("Database", "")}"), principal: principal),
                ];
            }

            case "lambda" when call.Operation == "Invoke":
            {
                var function = fields["FunctionName"];
                return [Ask("lambda:InvokeFunction", call.Settings is StatusApiSettings { DoctorFunctionArn: { } doctor } && function == doctor ? stack.DoctorFunctionArn : function)];
            }

            case "redshift" when call.Operation == "GetClusterCredentials":
            {
                // The destination checks' check 2, as the identity the Data API is called as.
                var principal = call.Settings is FunctionSettings { CustomerRoleArn: not null } ? "customer role" : "function";
                var cluster = fields.GetValueOrDefault("ClusterIdentifier", "");
                return
                [
                    Ask("redshift:GetClusterCredentials", Arn("redshift", $"dbuser:{cluster}/{fields.GetValueOrDefault("DbUser", "")}"), principal: principal),
                    Ask("redshift:GetClusterCredentials", Arn("redshift", $"dbname:{cluster}/{fields.GetValueOrDefault("DbName", "")}"), principal: principal),
                ];
            }

            case "redshift-serverless" when call.Operation == "GetCredentials":
            {
                var principal = call.Settings is FunctionSettings { CustomerRoleArn: not null } ? "customer role" : "function";
                var workgroup = fields.GetValueOrDefault("workgroupName", "");
                return [Ask("redshift-serverless:GetCredentials", workgroup.StartsWith("arn:", StringComparison.Ordinal) ? workgroup : Arn("redshift-serverless", $"workgroup/{workgroup}"), principal: principal)];
            }

            default:
                return [Ask($"{call.Service}:{call.Operation}", "*")];
        }
    }

    /// <summary>The statements of <paramref name="role"/> that allow <paramref name="request"/>.</summary>
    public static IReadOnlyList<RoleStatement> Allowing(FunctionRole role, IamRequest request) =>
        [.. role.Statements.Where(s => s.Effect == "Allow"
            && s.Actions.Contains(request.Action, StringComparer.OrdinalIgnoreCase)
            && s.Resources.Any(r => Matches(r, request.Resource))
            && ConditionsHold(s.Conditions, request.Context))];

    /// <summary>The statement a role would need for <paramref name="request"/>, as YAML for the template.</summary>
    public static string StatementToAdd(IamRequest request) =>
        $"{{Effect: Allow, Action: {request.Action}, Resource: \"{request.Resource}\"{string.Concat(request.Context.Select(c => $", Condition: {{StringLike: {{{c.Key}: \"{c.Value}*\"}}}}"))}}}";

    /// <summary>IAM's wildcard match: <c>*</c> any run of characters, <c>?</c> one.</summary>
    public static bool Matches(string pattern, string value) =>
        Regex.IsMatch(value, "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$", RegexOptions.Singleline);

    private static bool ConditionsHold(JsonObject conditions, IReadOnlyDictionary<string, string> context)
    {
        foreach (var (op, keys) in conditions)
        {
            foreach (var (key, expected) in keys!.AsObject())
            {
                var values = expected is JsonArray list ? list.Select(v => (string)v!).ToList() : [(string)expected!];
                if (!context.TryGetValue(key, out var actual))
                {
                    return false;
                }

                var holds = op switch
                {
                    "StringLike" => values.Any(v => Matches(v, actual)),
                    "StringEquals" => values.Contains(actual, StringComparer.Ordinal),
                    _ => throw new InvalidOperationException($"condition operator {op} is not one these tests evaluate"),
                };
                if (!holds)
                {
                    return false;
                }
            }
        }

        return true;
    }

    // arn:aws:states:{region}:{account}:execution:{state machine name}:{execution name}
    private static string ExecutionArn(string executionArn, string? stateMachine, TranslatedTemplate stack)
    {
        if (stateMachine is null || !executionArn.StartsWith(stateMachine.Replace(":stateMachine:", ":execution:", StringComparison.Ordinal) + ":", StringComparison.Ordinal))
        {
            return executionArn;
        }

        var name = executionArn[(executionArn.LastIndexOf(':') + 1)..];
        return $"{stack.StateMachineArn.Replace(":stateMachine:", ":execution:", StringComparison.Ordinal)}:{name}";
    }
}
