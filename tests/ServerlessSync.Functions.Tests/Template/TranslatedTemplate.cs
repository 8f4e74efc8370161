using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ServerlessSync.Functions.Tests.Template;

/// <summary>One statement of a function's role, resolved: where it is written (<see cref="Sid"/>), actions, resource ARNs, conditions.</summary>
public sealed record RoleStatement(string Sid, string Effect, IReadOnlyList<string> Actions, IReadOnlyList<string> Resources, JsonObject Conditions);

/// <summary>A function's role in the translated template and everything it allows.</summary>
public sealed record FunctionRole(string Function, string Role, IReadOnlyList<RoleStatement> Statements);

/// <summary>
/// <c>template.yaml</c> as CloudFormation deploys it for given parameters: translated by the AWS SAM translator with
/// <c>s3://</c> code and definition URIs (as <c>sam package</c> leaves them), its intrinsics resolved for a fixed
/// stack (account 123456789012, us-east-1) by <c>python/translate-roles.py</c>. Each parameter set is translated once
/// per test process.
/// </summary>
public sealed class TranslatedTemplate
{
    public const string Account = "123456789012";
    public const string Region = "us-east-1";

    private static readonly ConcurrentDictionary<string, Lazy<TranslatedTemplate>> Cache = new();

    private TranslatedTemplate(IReadOnlyDictionary<string, FunctionRole> functions, FunctionRole stateMachineRole, IReadOnlyList<string> resources, JsonObject names, IReadOnlyList<string> failedRules)
    {
        FailedRules = failedRules;
        Functions = functions;
        StateMachineRole = stateMachineRole;
        Resources = resources;
        BucketName = (string)names["bucket"]!;
        TableName = (string)names["table"]!;
        StateMachineArn = (string)names["stateMachine"]!;
        DoctorFunctionArn = (string)names["doctorFunction"]!;
    }

    /// <summary>Every function by logical id, with its role.</summary>
    public IReadOnlyDictionary<string, FunctionRole> Functions { get; }

    /// <summary>The sync state machine's role (its <see cref="FunctionRole.Function"/> is <c>SyncStateMachine</c>).</summary>
    public FunctionRole StateMachineRole { get; }

    /// <summary>The logical ids of the resources the stack creates for these parameters.</summary>
    public IReadOnlyList<string> Resources { get; }

    public string BucketName { get; }

    /// <summary>The template's Rules these parameters break (<c>Rule: AssertDescription</c>): CloudFormation would refuse the stack.</summary>
    public IReadOnlyList<string> FailedRules { get; }

    public string TableName { get; }

    public string StateMachineArn { get; }

    /// <summary>The Doctor function's ARN (what the status API's checks route invokes).</summary>
    public string DoctorFunctionArn { get; }

    /// <summary>The template translated for <paramref name="parameters"/> (the others at their defaults).</summary>
    public static TranslatedTemplate For(IReadOnlyDictionary<string, string> parameters)
    {
        var json = JsonSerializer.Serialize(parameters.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value));
        return Cache.GetOrAdd(json, key => new Lazy<TranslatedTemplate>(() => Translate(key))).Value;
    }

    /// <summary>Runs a script of <c>python/</c> with <c>AWS_DEFAULT_REGION</c> set; returns exit code, stdout, stderr.</summary>
    public static (int ExitCode, string Output, string Error) RunPython(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(RepositoryFiles.Root, "tests", "ServerlessSync.Functions.Tests", "Template", "python", script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["AWS_DEFAULT_REGION"] = Region;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"python3 {script} did not finish within 2 minutes");
        }

        return (process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
    }

    private static TranslatedTemplate Translate(string parametersJson)
    {
        var (exitCode, output, error) = RunPython("translate-roles.py", RepositoryFiles.TemplatePath, parametersJson);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"translating template.yaml with {parametersJson} failed: {error.Trim()}");
        }

        var root = JsonNode.Parse(output)!.AsObject();
        var functions = root["functions"]!.AsObject().ToDictionary(f => f.Key, f => Role(f.Key, f.Value!), StringComparer.Ordinal);
        return new TranslatedTemplate(
            functions,
            Role("SyncStateMachine", root["stateMachineRole"]!),
            [.. root["resources"]!.AsArray().Select(r => (string)r!)],
            root["names"]!.AsObject(),
            [.. root["failedRules"]!.AsArray().Select(r => (string)r!)]);
    }

    private static FunctionRole Role(string owner, JsonNode role) => new(
        owner,
        (string)role["role"]!,
        [.. role["statements"]!.AsArray().Select(s => new RoleStatement(
            (string)s!["sid"]!,
            (string)s["effect"]!,
            [.. s["actions"]!.AsArray().Select(a => (string)a!)],
            [.. s["resources"]!.AsArray().Select(r => (string)r!)],
            s["conditions"]!.AsObject()))]);
}
