using System.CommandLine;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using ServerlessSync.Aws.Auth;
using ServerlessSync.Aws.Doctor;
using ServerlessSync.Core.Model;

namespace ServerlessSync.Cli;

/// <summary>
/// <c>doctor --destination redshift</c> and <c>setup print</c>: the options naming a Redshift destination (each the
/// functions' environment variable of the same meaning), read over the environment and the connector's saved settings
/// (the <c>redshift</c> member of <c>HOME/connector-{connector}.json</c>, <see cref="SavedSettings.Redshift"/>), then handed to <see cref="RedshiftDoctor"/> or <see cref="SetupDocuments"/>.
/// </summary>
internal sealed class DestinationCommands
{
    /// <summary>The value of <c>--destination</c> that checks a Redshift destination instead of the DuckDB file.</summary>
    public const string Redshift = "redshift";

    private readonly List<(Option<string?> Option, string Variable)> _values;

    public DestinationCommands()
    {
        _values =
        [
            (new Option<string?>("--cluster-id") { Description = "Provisioned cluster identifier [REDSHIFT_CLUSTER_ID]" }, "REDSHIFT_CLUSTER_ID"),
            (new Option<string?>("--workgroup") { Description = "Serverless workgroup name or ARN [REDSHIFT_WORKGROUP]" }, "REDSHIFT_WORKGROUP"),
            (new Option<string?>("--database") { Description = "Database [REDSHIFT_DATABASE]" }, "REDSHIFT_DATABASE"),
            (new Option<string?>("--db-user") { Description = "Database user, provisioned cluster only [REDSHIFT_DB_USER]" }, "REDSHIFT_DB_USER"),
            (new Option<string?>("--staging-bucket") { Description = "The stack's staging bucket [STAGING_BUCKET]" }, "STAGING_BUCKET"),
            (new Option<string?>("--copy-role-arn") { Description = "The role COPY reads the bucket with [COPY_ROLE_ARN]" }, "COPY_ROLE_ARN"),
            (new Option<string?>("--customer-role-arn") { Description = "Cross-account: the customer's role [CUSTOMER_ROLE_ARN]" }, "CUSTOMER_ROLE_ARN"),
            (new Option<string?>("--customer-external-id") { Description = "Cross-account: the external id [CUSTOMER_EXTERNAL_ID]" }, "CUSTOMER_EXTERNAL_ID"),
            (new Option<string?>("--loader-role-arn") { Description = "The stack's LoaderRole ARN, the customer role's trusted principal [LOADER_ROLE_ARN]" }, "LOADER_ROLE_ARN"),
            (new Option<string?>("--region") { Description = "Region of the cluster or workgroup [AWS_REGION]" }, "AWS_REGION"),
        ];
    }

    public Option<bool> Direct { get; } = new("--direct") { Description = "Check 7 also connects to the endpoint's port (5439) over TCP" };

    public Option<string?> Endpoint { get; } = new("--endpoint") { Description = "With --direct: the cluster's or workgroup's endpoint, HOST[:PORT]" };

    public Option<bool> NoWait { get; } = new("--no-wait") { Description = "Fail an access error at once instead of retrying up to 10 minutes for a policy change to propagate" };

    public Option<bool> PrintSetup { get; } = new("--print-setup") { Description = "Print the policies, trust policies and SQL to apply (as 'setup print') instead of checking" };

    /// <summary>The destination options, for a command's option list.</summary>
    public IEnumerable<Option> Options => _values.Select(v => (Option)v.Option);

    /// <summary>doctor's description: what each numbered check proves.</summary>
    public static string DoctorDescription =>
        "Check that the source can be read before syncing (for Zuora, the credentials and each selected object). "
        + "With --destination redshift, check the customer's Redshift setup item by item instead, each check PASS, FAIL (with the policy JSON, trust policy JSON or SQL GRANT to apply), WARN or SKIP; "
        + "exit 0 when none FAILs, 1 otherwise; --json prints one document. AWS credentials: the SDK's standard chain (environment, profile, SSO). "
        + "Settings: these options, else the functions' environment variables in brackets, else the redshift member of the connector's settings file HOME/connector-{connector}.json. The checks:"
        + string.Concat(DestinationChecks.All.Select(c => $"\n  {c.Number}. {c.Name}: {c.Proves}"))
        + $"\nAccess errors are classified as one of: {string.Join(", ", AuthCauses.All.Select(c => c.Code))}.";

    /// <summary>The settings from options (<paramref name="explicitSchema"/>: --schema when given), then <paramref name="environment"/>, then the connector's saved ones.</summary>
    public DestinationSettings Settings(ParseResult parse, Func<string, string?> environment, IReadOnlyDictionary<string, string> saved, string? explicitSchema, string connectorId, bool requireBucketAndRole)
    {
        try
        {
            string? Lookup(string name)
            {
                var given = name == "REDSHIFT_SCHEMA" ? explicitSchema : _values.Where(v => v.Variable == name).Select(v => parse.GetValue(v.Option)).FirstOrDefault();
                return given is { Length: > 0 } ? given : environment(name) ?? saved.GetValueOrDefault(name);
            }

            var settings = DestinationSettingsReader.Read(Lookup, requireBucketAndRole);
            return settings with { ConnectorId = connectorId, Direct = parse.GetValue(Direct), ClusterEndpoint = parse.GetValue(Endpoint) };
        }
        catch (DestinationSettingsException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>Runs the seven checks and prints them; 0 when none failed.</summary>
    public static async Task<int> DoctorAsync(DestinationSettings settings, AWSCredentials? credentials, bool json, bool noWait, TextWriter output, TextWriter error, TimeProvider clock, CancellationToken cancellationToken)
    {
        credentials ??= StandardChain();
        var access = noWait ? AccessRetry.None : new AccessRetry { Clock = clock, Say = message => error.WriteLine($"doctor: {message}") };
        var report = await new RedshiftDoctor(settings, credentials, new DoctorOptions { Clock = clock, Access = access }).RunAsync(cancellationToken);
        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(report, DoctorJsonContext.Default.DoctorReport));
        }
        else
        {
            await output.WriteLineAsync($"doctor: Redshift destination: {report.Destination}");
            foreach (var check in report.Checks)
            {
                await output.WriteLineAsync($"  {check.Number} {Label(check.Outcome)}  {check.Name,-22} {(check.CauseCode is null ? "" : check.CauseCode + ": ")}{check.Message}");
                if (check.Fix is { } fix && check.Outcome != CheckOutcome.Pass)
                {
                    await output.WriteLineAsync("      fix:");
                    foreach (var line in fix.Split('\n'))
                    {
                        await output.WriteLineAsync("        " + line);
                    }
                }
            }
        }

        var failed = report.Checks.Count(c => c.Outcome == CheckOutcome.Fail);
        if (failed > 0)
        {
            await error.WriteLineAsync($"doctor: {failed} of {report.Checks.Count} destination checks failed ({string.Join(", ", report.Checks.Where(c => c.Outcome == CheckOutcome.Fail).Select(c => $"{c.Number} {c.Name}"))}); apply each fix above and run doctor again");
            return CliApp.Failed;
        }

        if (!json)
        {
            await output.WriteLineAsync($"doctor: Redshift destination ready: {report.Checks.Count(c => c.Outcome == CheckOutcome.Pass)} passed, {report.Checks.Count(c => c.Outcome == CheckOutcome.Warn)} warnings, {report.Checks.Count(c => c.Outcome == CheckOutcome.Skip)} skipped");
        }

        return CliApp.Ok;
    }

    private static string Label(CheckOutcome outcome) => outcome switch
    {
        CheckOutcome.Pass => "PASS",
        CheckOutcome.Fail => "FAIL",
        CheckOutcome.Warn => "WARN",
        _ => "SKIP",
    };

    internal static AWSCredentials StandardChain()
    {
        try
        {
            return DefaultAWSCredentialsIdentityResolver.GetCredentials();
        }
        catch (AmazonClientException e)
        {
            throw new UsageException($"no AWS credentials found ({e.Message.Split('.')[0]}): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or sign in with 'aws sso login'");
        }
    }
}
