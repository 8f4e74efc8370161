using System.Text.Json.Nodes;
using ServerlessSync.Aws.RedshiftData;
using ServerlessSync.Core.Model;
using ServerlessSync.Functions.Api;
using ServerlessSync.Functions.Hosting;
using ServerlessSync.Functions.Tests.Api;
using ServerlessSync.Functions.Tests.Support;
using ServerlessSync.Functions.Tests.Workflow;
using ServerlessSync.Testing;

namespace ServerlessSync.Functions.Tests.Template;

/// <summary>
/// Every AWS call the functions make (<see cref="AwsCalls"/>) held against their roles in the translated template
/// (<see cref="TranslatedTemplate"/>), for three stacks: this account's provisioned cluster, a customer's role with an
/// external id, and a Redshift Serverless workgroup. Each setup runs the workflow end to end (a historical run, an
/// incremental one, one whose load fails) and the status API, then: a call the role does not allow fails the test and
/// names the statement to add; a granted action nothing called fails it unless a comment in the template resource that
/// grants it names the action and says why it is needed. Calls recorded by the other tests of this process (every end-to-end function test) are held against their
/// roles too.
/// </summary>
public sealed class RecordedCallsTests
{
    public const string CustomerRoleArn = "arn:aws:iam::210987654321:role/serverless-sync-customer";
    public const string CustomerExternalId = "serverless-sync-external-id-7f3a";
    public const string WorkgroupArn = "arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/0a1b2c3d-1111-2222-3333-444455556666";

    public static TheoryData<string> Setups => ["OwnCluster", "CustomerRole", "ServerlessWorkgroup"];

    [Theory]
    [MemberData(nameof(Setups))]
    public async Task EveryCall_IsAllowedByItsFunctionsRole_AndEveryGrantIsCalledOrExplained(string setup)
    {
        var (settings, apiSettings) = await PlaySetupAsync(setup);
        var own = AwsCalls.All.Where(c => ReferenceEquals(c.Settings, settings) || c.Settings is FunctionSettings f && f.StagingBucket == settings.StagingBucket
            || c.Settings is StatusApiSettings a && a.StatusTable == apiSettings.StatusTable).ToList();
        Assert.Contains(own, c => c.Function == StatusApiFunction.Name);
        Assert.Equal(
            ["Cleanup", "Doctor", "Extract", "FinishRun", "Load", "LoadCompleted", "RecordObject", "StartRun", StatusApiFunction.Name],
            own.Select(c => c.Function).Distinct().Order(StringComparer.Ordinal));

        var problems = NotAllowed(own).Concat(GrantedButNotCalled(settings, own)).ToList();

        if (setup == "CustomerRole")
        {
            AssertDataApiRunsAsTheCustomerRole([.. own.Where(c => c.Settings is FunctionSettings)]);
        }

        Assert.True(problems.Count == 0, $"{setup}:\n{string.Join('\n', problems)}\nThe calls:\n{string.Join('\n', own.Select(c => $"{c.Function}: {c.Service}:{c.Operation} {c.AccessKeyId}").Distinct().Order(StringComparer.Ordinal))}");
    }

    [Fact]
    public void EveryCallRecordedSoFar_IsAllowedByItsFunctionsRole()
    {
        // Whatever the other tests of this process recorded before this one ran (the order is xunit's).
        var problems = NotAllowed(AwsCalls.All).ToList();

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void Evaluation_CallTheRoleDoesNotAllow_IsNamedWithTheStatementToAdd()
    {
        var settings = new FunctionSettings
        {
            StagingBucket = "test-bucket",
            StatusTable = "test-table",
            Redshift = FunctionsTestHost.Target,
            CopyRoleArn = FunctionsTestHost.CopyRoleArn,
            Region = Amazon.RegionEndpoint.USEast1,
        };
        var call = new AwsCall("Cleanup", settings, "s3", "PutObject", "AKID", new Dictionary<string, string> { ["BucketName"] = "test-bucket", ["Key"] = "runs/default/r1/account/account.manifest.json" });
        var listOutsideRuns = call with { Operation = "ListObjectsV2", Fields = new Dictionary<string, string> { ["BucketName"] = "test-bucket", ["Prefix"] = "tenant/" } };

        var problems = NotAllowed([call, listOutsideRuns]).ToList();

        Assert.Equal(2, problems.Count);
        Assert.Contains("Cleanup (CleanupFunctionRole) calls s3:ListBucket on arn:aws:s3:::serverless-sync-", problems[0], StringComparison.Ordinal);
        Assert.Contains("(s3:prefix = 'tenant/')", problems[0], StringComparison.Ordinal);
        Assert.Contains("Cleanup (CleanupFunctionRole) calls s3:PutObject on arn:aws:s3:::serverless-sync-", problems[1], StringComparison.Ordinal);
        Assert.Contains("add to CleanupFunctionRole: {Effect: Allow, Action: s3:PutObject, Resource: \"arn:aws:s3:::serverless-sync-", problems[1], StringComparison.Ordinal);
    }

    /// <summary>With a customer role the function assumes it (with the external id) and every Data API and database-credentials call is signed as that role.</summary>
    private static void AssertDataApiRunsAsTheCustomerRole(IReadOnlyList<AwsCall> calls)
    {
        // The Doctor's check 1 also asks without the external id, expecting a refusal (the confused-deputy guard).
        var assume = calls.Where(c => c.Service == "sts").ToList();
        Assert.NotEmpty(assume);
        Assert.All(assume, c => Assert.Equal(CustomerRoleArn, c.Fields["RoleArn"]));
        Assert.All(assume.Where(c => c.Function != DoctorFunction.Name), c => Assert.Equal(CustomerExternalId, c.Fields["ExternalId"]));
        Assert.Contains(assume, c => c.Function == DoctorFunction.Name && c.Fields.GetValueOrDefault("ExternalId") == CustomerExternalId);
        var asCustomer = new[] { "redshift-data", "redshift", "redshift-serverless" };
        var dataApi = calls.Where(c => asCustomer.Contains(c.Service)).ToList();
        Assert.NotEmpty(dataApi);
        Assert.Contains(dataApi, c => c.Service == "redshift" && c.Function == DoctorFunction.Name);
        var ownKey = FunctionsTestHost.Credentials.GetCredentials().AccessKey;
        Assert.All(dataApi, c => Assert.NotEqual(ownKey, c.AccessKeyId));
        Assert.All(assume.Concat(calls.Where(c => !asCustomer.Contains(c.Service))), c => Assert.Equal(ownKey, c.AccessKeyId));
    }

    /// <summary>Runs the setup's workflow (three runs) and status API; returns the settings both ran with.</summary>
    private static async Task<(FunctionSettings Functions, StatusApiSettings Api)> PlaySetupAsync(string setup)
    {
        var options = setup switch
        {
            "OwnCluster" => new FunctionsTestHostOptions(),
            "CustomerRole" => new FunctionsTestHostOptions { CustomerRole = (CustomerRoleArn, CustomerExternalId) },
            "ServerlessWorkgroup" => new FunctionsTestHostOptions { Destination = RedshiftTarget.Serverless(WorkgroupArn, "dev") },
            _ => throw new ArgumentException($"no setup '{setup}'", nameof(setup)),
        };
        FunctionSettings settings;
        await using (var workflow = await LocalWorkflow.StartAsync(syntheticScale: 300, options: options))
        {
            settings = workflow.Host.Settings;
            var objects = new JsonObject { ["objects"] = new JsonArray("account", "invoice") };
            // Every manifest's notification twice, as S3 may deliver it: the second finds the claim. Not with a customer
            // role: the copy runs in a container of its own, which assumes the role anew, and the double shows a
            // statement only to the access key that ran it (the Data API, to the same role session).
            workflow.S3NotificationCopies = setup == "CustomerRole" ? 1 : 2;
            var historical = await workflow.RunAsync(objects.DeepClone().AsObject());
            Assert.True(historical.Succeeded, historical.ToString());
            workflow.S3NotificationCopies = 1;
            await workflow.AdvanceTenantAsync(TimeSpan.FromDays(1));
            var incremental = await workflow.RunAsync(objects.DeepClone().AsObject());
            Assert.True(incremental.Succeeded, incremental.ToString());

            var broken = false;
            workflow.BeforeManifestEvent = async manifestKey =>
            {
                if (!broken && manifestKey.EndsWith("/account.manifest.json", StringComparison.Ordinal))
                {
                    broken = true;
                    await workflow.BreakFirstPartAsync(manifestKey);
                }
            };
            await workflow.AdvanceTenantAsync(TimeSpan.FromDays(1));
            var failing = await workflow.RunAsync(objects.DeepClone().AsObject());
            Assert.False(failing.Succeeded, failing.ToString());
        }

        var api = new ApiHarness();
        await api.InitializeAsync();
        try
        {
            Assert.Equal(404, (await api.InvokeAsync(ApiHarness.Sample("api-get-connector.json"))).Status);
            var startedAt = new DateTimeOffset(2026, 11, 26, 20, 30, 0, TimeSpan.Zero);
            await api.Status.PutConnectorAsync(StatusBuilders.Connector(connectorId: "default", createdAt: startedAt, updatedAt: startedAt, lastRunId: "r1"), CancellationToken.None);
            await api.Status.PutRunAsync(StatusBuilders.Run(runId: "r1", connectorId: "default", status: RunStatus.Succeeded, startedAt: startedAt, endedAt: startedAt.AddMinutes(1)), CancellationToken.None);
            Assert.Equal(200, (await api.InvokeAsync(ApiHarness.Sample("api-get-connector.json"))).Status);
            Assert.Equal(200, (await api.InvokeAsync(ApiHarness.Request("GET", "/connectors/default/runs"))).Status);
            Assert.Equal(202, (await api.InvokeAsync(ApiHarness.Sample("api-start-run.json"))).Status);

            // The last run recorded RUNNING: its execution is asked about (still running: 409; ended: taken over).
            await api.Status.PutConnectorAsync(StatusBuilders.Connector(connectorId: "default", createdAt: startedAt, updatedAt: startedAt, lastRunId: "r2"), CancellationToken.None);
            await api.Status.PutRunAsync(StatusBuilders.Run(runId: "r2", connectorId: "default", status: RunStatus.Running, startedAt: startedAt.AddHours(1)), CancellationToken.None);
            api.StepFunctions.SetExecutionStatus("r2", "RUNNING");
            Assert.Equal(409, (await api.InvokeAsync(ApiHarness.Sample("api-start-run.json"))).Status);
            api.StepFunctions.SetExecutionStatus("r2", "FAILED");
            Assert.Equal(202, (await api.InvokeAsync(ApiHarness.Sample("api-start-run.json"))).Status);

            // The destination checks: started (an asynchronous invocation of the Doctor function), then read.
            Assert.Equal(202, (await api.InvokeAsync(ApiHarness.Sample("api-start-checks.json"))).Status);
            Assert.Equal(404, (await api.InvokeAsync(ApiHarness.Sample("api-get-latest-checks.json"))).Status);
            return (settings, api.Settings());
        }
        finally
        {
            await api.DisposeAsync();
        }
    }

    /// <summary>One line per call its function's role does not allow, naming the statement to add.</summary>
    private static IEnumerable<string> NotAllowed(IEnumerable<AwsCall> calls)
    {
        var problems = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var call in calls)
        {
            var stack = TranslatedTemplate.For(CallPermissions.Parameters(call.Settings));
            var role = stack.Functions[CallPermissions.LogicalId(call.Function)];
            foreach (var request in CallPermissions.Requests(call, stack).Where(r => r.Principal == "function"))
            {
                if (CallPermissions.Allowing(role, request).Count == 0)
                {
                    problems.Add($"{call.Function} ({role.Role}) calls {request}, which no statement allows; add to {role.Role}: {CallPermissions.StatementToAdd(request)}");
                }
            }
        }

        return problems;
    }

    /// <summary>One line per action a role grants that none of <paramref name="calls"/> used and no template comment explains.</summary>
    private static IEnumerable<string> GrantedButNotCalled(FunctionSettings settings, IReadOnlyList<AwsCall> calls)
    {
        var stack = TranslatedTemplate.For(CallPermissions.Parameters(settings));
        var requests = calls
            .SelectMany(c => CallPermissions.Requests(c, TranslatedTemplate.For(CallPermissions.Parameters(c.Settings))).Where(r => r.Principal == "function"))
            .ToList();
        var problems = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var roleFunctions in stack.Functions.Values.GroupBy(f => f.Role))
        {
            var functions = roleFunctions.Select(f => f.Function).ToHashSet(StringComparer.Ordinal);
            var used = requests.Where(r => functions.Contains(CallPermissions.LogicalId(r.Call.Function))).ToList();
            foreach (var statement in roleFunctions.First().Statements.Where(s => s.Effect == "Allow"))
            {
                foreach (var action in statement.Actions)
                {
                    var calledHere = used.Any(r => string.Equals(r.Action, action, StringComparison.OrdinalIgnoreCase)
                        && statement.Resources.Any(resource => CallPermissions.Matches(resource, r.Resource)));
                    if (!calledHere && !CommentsOf(statement.Sid).Any(comment => comment.Contains(action, StringComparison.Ordinal)))
                    {
                        problems.Add($"{roleFunctions.Key} grants {action} on {string.Join(", ", statement.Resources)} ({statement.Sid}), which no test calls; remove it, or say in a template comment why it is needed");
                    }
                }
            }
        }

        return problems;
    }

    /// <summary>
    /// The comments inside the template resource a statement is written in (its <see cref="RoleStatement.Sid"/>'s first
    /// part: a managed policy, a role, or a function whose SAM-made role ends in <c>FunctionRole</c>).
    /// </summary>
    private static List<string> CommentsOf(string sid)
    {
        var owner = sid.Split('/')[0];
        owner = owner.EndsWith("FunctionRole", StringComparison.Ordinal) ? owner[..^"Role".Length] : owner;
        var lines = File.ReadAllLines(RepositoryFiles.TemplatePath);
        var start = Array.IndexOf(lines, $"  {owner}:");
        if (start < 0)
        {
            return [];
        }

        var block = lines.Skip(start + 1).TakeWhile(line => line.Length == 0 || line.StartsWith("   ", StringComparison.Ordinal) || line.StartsWith("  #", StringComparison.Ordinal));
        return [.. block
            .Select(line => line.TrimStart().StartsWith('#') ? line.TrimStart() : line.Contains(" # ", StringComparison.Ordinal) ? line[line.IndexOf(" # ", StringComparison.Ordinal)..] : null)
            .OfType<string>()];
    }
}
