using System.Reflection;
using System.Text.Json.Nodes;

namespace ServerlessSync.Functions.Tests.Template;

public class TemplateTests
{
    private static readonly string[] WorkflowFunctions =
    [
        "StartRunFunction", "ExtractFunction", "LoadFunction", "LoadCompletedFunction", "RecordObjectFunction",
        "CleanupFunction", "FinishRunFunction", "StatusApiFunction", "SubmitExportFunction", "CheckExportFunction",
        "DoctorFunction",
    ];

    /// <summary>What every function may read (docs/workflow.md); the optional ones are there only when set.</summary>
    private static readonly string[] SettingsEveryFunctionReads =
    [
        "CONNECTOR_ID", "STAGING_BUCKET", "STATUS_TABLE", "REDSHIFT_CLUSTER_ID", "REDSHIFT_WORKGROUP", "REDSHIFT_DATABASE",
        "REDSHIFT_DB_USER", "REDSHIFT_SCHEMA", "COPY_ROLE_ARN", "CUSTOMER_ROLE_ARN", "CUSTOMER_EXTERNAL_ID", "SOURCE",
        "SOURCE_SECRET_ARN", "SYNTHETIC_SCALE", "SYNTHETIC_SEED", "PART_SIZE_MB", "RUN_LOCK_HOURS",
    ];

    private readonly SamTemplate _template = SamTemplate.Load();

    [Fact]
    public void Parse_ShortFormTags_BecomeTheirJsonForms()
    {
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"Ref": "StagingBucket"}"""), _template.Root["Outputs"]!["StagingBucketName"]!["Value"]));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"Fn::GetAtt": ["LoadFunction", "Arn"]}"""),
            _template.Properties("StagingBucket")["NotificationConfiguration"]!["LambdaConfigurations"]![0]!["Function"]));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"Fn::Not": [{"Fn::Equals": [{"Ref": "RedshiftClusterId"}, ""]}]}"""),
            _template.Root["Conditions"]!["UsesCluster"]));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"Fn::And": [{"Condition": "UsesCluster"}, {"Condition": "UsesOwnRole"}]}"""),
            _template.Root["Conditions"]!["ClusterWithOwnRole"]));
    }

    [Fact]
    public void Parse_UnknownTag_IsRefusedWithItsLine()
    {
        var error = Assert.Throws<FormatException>(() => CloudFormationYaml.Parse("Resources:\n  A:\n    Value: !GetAttr A.Arn\n"));
        Assert.Contains("!GetAttr", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Functions_AreTheWorkflowsEleven() =>
        Assert.Equal(WorkflowFunctions.Order(), _template.FunctionIds.Order());

    [Fact]
    public void Handlers_NamePublicHandleAsyncMethodsOfTheFunctionClasses()
    {
        var assembly = typeof(FunctionsAssembly).Assembly;
        var problems = new List<string>();
        foreach (var id in _template.FunctionIds)
        {
            var handler = SamTemplate.Text(_template.FunctionProperty(id, "Handler")) ?? string.Empty;
            if (handler.Split("::") is not [var assemblyName, var typeName, var methodName] || assemblyName != FunctionsAssembly.Name)
            {
                problems.Add($"{id}: {handler} is not {FunctionsAssembly.Name}::{{Namespace.Class}}::{{Method}}");
                continue;
            }

            var type = assembly.GetType(typeName);
            if (type is not { IsPublic: true, IsClass: true, IsAbstract: false } || type.GetConstructor(Type.EmptyTypes) is not { IsPublic: true })
            {
                problems.Add($"{id}: {typeName} is not a public class with a public parameterless constructor in {FunctionsAssembly.Name}");
                continue;
            }

            if (type.Name != id)
            {
                problems.Add($"{id}: its handler class is {type.Name}; the class and the logical id carry one name");
            }

            var method = type.GetMethod(methodName, BindingFlags.Public | BindingFlags.Instance, [typeof(Stream)]);
            if (method?.ReturnType != typeof(Task<Stream>))
            {
                problems.Add($"{id}: {typeName} has no public Task<Stream> {methodName}(Stream)");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void DataApiAccessRetry_EndsAMinuteBeforeTheLoadFunctionsTimeout()
    {
        // The Data API client retries an access error for a propagation delay: the error must still reach the run's status.
        foreach (var id in new[] { "LoadFunction", "LoadCompletedFunction" })
        {
            var timeout = TimeSpan.FromSeconds(int.Parse(SamTemplate.Text(_template.FunctionProperty(id, "Timeout"))!, System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(Hosting.FunctionHost.DataApiAccessPatience + TimeSpan.FromMinutes(1) <= timeout, $"{id}: {timeout}");
        }
    }

    [Fact]
    public void Functions_RunOnDotnet10_AndAreBuiltByTheMakefile()
    {
        foreach (var id in _template.FunctionIds)
        {
            Assert.Equal(("dotnet10", "makefile"), (SamTemplate.Text(_template.FunctionProperty(id, "Runtime")), SamTemplate.Text(_template.Resources[id]?["Metadata"]?["BuildMethod"])));
            Assert.Equal(".", SamTemplate.Text(_template.FunctionProperty(id, "CodeUri")));
        }
    }

    [Fact]
    public void Environment_GivesEveryFunctionTheSettingsItReads()
    {
        foreach (var id in _template.FunctionIds)
        {
            var environment = _template.FunctionEnvironment(id);
            Assert.All(SettingsEveryFunctionReads, name => Assert.True(environment.ContainsKey(name), $"{id} lacks {name}"));
        }

        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"Ref": "SyncStateMachine"}"""),
            _template.FunctionEnvironment("StatusApiFunction")["STATE_MACHINE_ARN"]));
    }

    [Fact]
    public void StagingBucket_OneNameServesTheBucketLoadFunctionsGrantsAndTheFunctions()
    {
        var name = _template.Resolve(_template.Properties("StagingBucket")["BucketName"]);
        Assert.Equal("serverless-sync-123456789012-eu-west-1-0123456789ab", name);
        Assert.Matches("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", name);

        // LoadFunction runs as LoaderRole (shared with LoadCompletedFunction and DoctorFunction); its S3 grants name the
        // bucket by name; the Doctor's probes alone may be deleted.
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"Fn::GetAtt": ["LoaderRole", "Arn"]}"""), _template.Properties("LoadFunction")["Role"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"Fn::GetAtt": ["LoaderRole", "Arn"]}"""), _template.Properties("DoctorFunction")["Role"]));
        var loadGrants = _template.PolicyStatements().Where(s => s.Owner == "LoaderRole" && s.Actions.Any(a => a.StartsWith("s3:", StringComparison.Ordinal)));
        Assert.Equal(
            [$"arn:aws:s3:::{name}", $"arn:aws:s3:::{name}/runs/*", $"arn:aws:s3:::{name}/runs/*/doctor-*"],
            loadGrants.SelectMany(s => s.Resources).Select(_template.Resolve).Order());
        Assert.Equal($"arn:aws:s3:::{name}", _template.Resolve(_template.Properties("LoadFunctionS3Permission")["SourceArn"]));
        Assert.All(_template.FunctionIds, id => Assert.Equal(name, _template.Resolve(_template.FunctionEnvironment(id)["STAGING_BUCKET"])));
    }

    [Fact]
    public void StagingBucket_NotifiesLoadFunctionOfManifestsUnderRunsOnly()
    {
        var notifications = _template.Properties("StagingBucket")["NotificationConfiguration"]!.AsObject();
        var lambda = Assert.Single(notifications).Value!.AsArray();
        var configuration = Assert.Single(lambda)!;
        Assert.Equal("s3:ObjectCreated:*", SamTemplate.Text(configuration["Event"]));
        var rules = configuration["Filter"]!["S3Key"]!["Rules"]!.AsArray()
            .Select(r => (SamTemplate.Text(r!["Name"]), SamTemplate.Text(r["Value"])));
        Assert.Equal([("prefix", "runs/"), ("suffix", ".manifest.json")], rules);
        Assert.Contains("LoadFunctionS3Permission", SamTemplate.Text(_template.Resources["StagingBucket"]!["DependsOn"]) ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public void StagingBucket_IsEncryptedPrivateTlsOnlyAndForgetsStagedFiles()
    {
        var bucket = _template.Properties("StagingBucket");
        Assert.Equal("AES256", SamTemplate.Text(bucket["BucketEncryption"]!["ServerSideEncryptionConfiguration"]![0]!["ServerSideEncryptionByDefault"]!["SSEAlgorithm"]));
        Assert.All(bucket["PublicAccessBlockConfiguration"]!.AsObject(), setting => Assert.Equal("true", SamTemplate.Text(setting.Value)));
        var rules = bucket["LifecycleConfiguration"]!["Rules"]!.AsArray();
        Assert.Contains(rules, r => SamTemplate.Text(r!["Prefix"]) == "runs/" && int.Parse(SamTemplate.Text(r["ExpirationInDays"]) ?? "0", System.Globalization.CultureInfo.InvariantCulture) is > 0 and <= 14);
        Assert.Contains(rules, r => r!["AbortIncompleteMultipartUpload"] is not null);

        var tlsOnly = _template.PolicyStatements().Single(s => s.Owner == "StagingBucketPolicy" && s.Effect == "Deny");
        Assert.Equal(["s3:*"], tlsOnly.Actions);
        var statement = _template.Properties("StagingBucketPolicy")["PolicyDocument"]!["Statement"]!.AsArray().Single(s => SamTemplate.Text(s!["Effect"]) == "Deny");
        Assert.Equal("false", SamTemplate.Text(statement!["Condition"]!["Bool"]!["aws:SecureTransport"]));
    }

    [Fact]
    public void StatusTable_IsOnDemandWithPointInTimeRecovery()
    {
        var table = _template.Properties("StatusTable");
        Assert.Equal("PAY_PER_REQUEST", SamTemplate.Text(table["BillingMode"]));
        Assert.Equal("true", SamTemplate.Text(table["PointInTimeRecoverySpecification"]!["PointInTimeRecoveryEnabled"]));
    }

    [Fact]
    public void Resources_FormNoDependencyCycle()
    {
        var cycle = _template.FindDependencyCycle();
        Assert.True(cycle is null, $"CloudFormation refuses the cycle {string.Join(" -> ", cycle ?? [])}");
    }

    [Fact]
    public void DependencyCycle_BucketReferencedByLoadFunction_IsFound()
    {
        var broken = CloudFormationYaml.Parse(File.ReadAllText(RepositoryFiles.TemplatePath));
        broken["Resources"]!["LoadFunction"]!["Properties"]!["Environment"] = JsonNode.Parse("""{"Variables": {"BUCKET": {"Ref": "StagingBucket"}}}""");

        var cycle = new SamTemplate(broken).FindDependencyCycle();

        Assert.NotNull(cycle);
        Assert.Contains("StagingBucket", cycle);
        Assert.Contains("LoadFunction", cycle);
    }

    [Fact]
    public void StatusApi_ServesTheSixRoutesBehindIamAuthorisation()
    {
        var auth = _template.Properties("StatusHttpApi")["Auth"]!;
        Assert.Equal(("true", "AWS_IAM"), (SamTemplate.Text(auth["EnableIamAuthorizer"]), SamTemplate.Text(auth["DefaultAuthorizer"])));

        var routes = _template.Properties("StatusApiFunction")["Events"]!.AsObject()
            .Select(e => e.Value!["Properties"]!)
            .Select(p => (SamTemplate.Text(p["ApiId"]?["Ref"]), $"{SamTemplate.Text(p["Method"])} {SamTemplate.Text(p["Path"])}"));
        Assert.Equal(
            [
                ("StatusHttpApi", "GET /connectors/{id}"), ("StatusHttpApi", "GET /connectors/{id}/checks/latest"), ("StatusHttpApi", "GET /connectors/{id}/runs"),
                ("StatusHttpApi", "GET /connectors/{id}/runs/{runId}"), ("StatusHttpApi", "POST /connectors/{id}/checks"), ("StatusHttpApi", "POST /connectors/{id}/runs"),
            ],
            routes.Order());
    }

    [Fact]
    public void DataApiEvents_OfLoadStatements_ReachLoadCompletedFunction()
    {
        var events = _template.Properties("LoadCompletedFunction")["Events"]!.AsObject();
        var rule = Assert.Single(events).Value!;
        Assert.Equal("EventBridgeRule", SamTemplate.Text(rule["Type"]));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""
                {"source": ["aws.redshift-data"], "detail-type": ["Redshift Data Statement Status Change"],
                 "detail": {"statementName": [{"prefix": "serverless-sync load "}]}}
                """),
            rule["Properties"]!["Pattern"]));
    }

    [Fact]
    public void FullResyncEvery_EmptyByDefault_ReachesStartRunOnlyAsFullResync_WhenSet()
    {
        Assert.Equal("", SamTemplate.Text(_template.Root["Parameters"]!["FullResyncEvery"]!["Default"]));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"Fn::If": ["HasFullResync", {"Ref": "FullResyncEvery"}, {"Ref": "AWS::NoValue"}]}"""),
            _template.FunctionEnvironment("StartRunFunction")["FULL_RESYNC"]));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"Fn::Not": [{"Fn::Equals": [{"Ref": "FullResyncEvery"}, ""]}]}"""),
            _template.Root["Conditions"]!["HasFullResync"]));
        Assert.All(_template.FunctionIds.Where(id => id != "StartRunFunction"), id => Assert.False(_template.FunctionEnvironment(id).ContainsKey("FULL_RESYNC"), id));
        var pattern = new System.Text.RegularExpressions.Regex(SamTemplate.Text(_template.Root["Parameters"]!["FullResyncEvery"]!["AllowedPattern"])!);
        Assert.All(new[] { "", "invoice=7", "invoice=7,*=30", "account = 0.5, invoice=1" }, v => Assert.Matches(pattern, v));
        Assert.All(new[] { "invoice", "invoice=7;drop", "=7", "account=1.2.3", "x=.", "acc*unt=7", "account=.5" }, v => Assert.DoesNotMatch(pattern, v));
    }

    [Theory]
    [InlineData("invoice=7")]
    [InlineData("invoice=7,*=30")]
    [InlineData("account = 0.5, invoice=1")]
    [InlineData("account=0")]
    [InlineData("account=0.0000000001")]
    [InlineData("Account=7,account=8")]
    public void FullResyncEvery_WhatThePatternLetsThrough_TheFunctionsParseOrRefuseByName(string value)
    {
        // The pattern cannot do arithmetic; whatever it accepts, the parser either reads or refuses with a message.
        var pattern = new System.Text.RegularExpressions.Regex(SamTemplate.Text(_template.Root["Parameters"]!["FullResyncEvery"]!["AllowedPattern"])!);
        Assert.Matches(pattern, value);
        try
        {
            Assert.NotEmpty(ServerlessSync.Core.Pipeline.FullResyncSchedule.Parse(value));
        }
        catch (FormatException e)
        {
            Assert.StartsWith("full re-sync '", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void SourceSecretArn_MustBeTheFullArn_ThePolicyResourceMatchesOnlyThat()
    {
        var pattern = new System.Text.RegularExpressions.Regex(SamTemplate.Text(_template.Root["Parameters"]!["SourceSecretArn"]!["AllowedPattern"])!);
        Assert.Matches(pattern, "");
        Assert.Matches(pattern, "arn:aws:secretsmanager:eu-west-1:123456789012:secret:serverless-sync/zuora-AbC123");
        Assert.DoesNotMatch(pattern, "arn:aws:secretsmanager:eu-west-1:123456789012:secret:serverless-sync/zuora");
    }

    [Fact]
    public void Schedule_StartsARunOfTheConnectorDailyByDefault()
    {
        var schedule = _template.StateMachine.Properties["Events"]!.AsObject().Single().Value!;
        Assert.Equal("Schedule", SamTemplate.Text(schedule["Type"]));
        Assert.Equal("rate(1 day)", _template.Resolve(schedule["Properties"]!["Schedule"]));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"connectorId": "default", "trigger": "schedule"}"""),
            JsonNode.Parse(_template.Resolve(schedule["Properties"]!["Input"]))));
    }
}
