namespace ServerlessSync.Functions.Tests.Template;

public class PolicyTests
{
    /// <summary>Actions for which AWS offers no resource type: "*" is the only resource they take.</summary>
    private static readonly HashSet<string> ActionsWithoutResourceTypes =
    [
        "redshift-data:DescribeStatement", "redshift-data:GetStatementResult",
        "states:SendTaskSuccess", "states:SendTaskFailure",
    ];

    private readonly SamTemplate _template = SamTemplate.Load();

    [Fact]
    public void Statements_FoundInEveryKindOfPolicy()
    {
        var owners = _template.PolicyStatements().Select(s => s.Owner).ToHashSet();
        Assert.Superset(
            new HashSet<string> { "StagingBucketPolicy", "LoaderRole", "RedshiftDataPolicy", "ExtractFunction", "CleanupFunction", "StatusApiFunction", "SyncStateMachine", "LoadFunctionS3Permission" },
            owners);
    }

    [Fact]
    public void Statements_GrantNoWildcardAction()
    {
        var grants = _template.PolicyStatements().Where(s => s.Effect == "Allow").ToList();
        Assert.NotEmpty(grants);
        Assert.All(grants, s =>
        {
            Assert.False(s.HasNotAction, $"{s.Owner} grants through NotAction");
            Assert.NotEmpty(s.Actions);
            Assert.All(s.Actions, action => Assert.DoesNotContain("*", action, StringComparison.Ordinal));
        });
    }

    [Fact]
    public void Statements_GrantResourceStarOnlyForActionsWithoutResourceTypes()
    {
        var starGrants = _template.PolicyStatements().Where(s => s.Effect == "Allow" && s.Resources.Any(r => SamTemplate.Text(r) == "*")).ToList();
        Assert.NotEmpty(starGrants);
        Assert.All(starGrants, s => Assert.Subset(ActionsWithoutResourceTypes, s.Actions.ToHashSet()));
    }

    [Fact]
    public void Policies_AreAllStatementsTheTestsCanRead() =>
        Assert.Empty(_template.UncheckablePolicies());

    [Fact]
    public void StagedFiles_AreReachedOnlyUnderRuns_AndTheTenantStateOnlyUnderTenant()
    {
        var bucketArn = $"arn:aws:s3:::{_template.Resolve(_template.Properties("StagingBucket")["BucketName"])}";
        var s3Grants = _template.PolicyStatements()
            .Where(s => s.Effect == "Allow" && s.Actions.Any(a => a.StartsWith("s3:", StringComparison.Ordinal)))
            .ToList();
        Assert.NotEmpty(s3Grants);
        Assert.All(s3Grants, s =>
        {
            foreach (var resource in s.Resources.Select(_template.Resolve))
            {
                var allowed = resource == bucketArn ? ["s3:ListBucket"]
                    : resource == $"{bucketArn}/runs/*" ? s.Actions
                    : resource == $"{bucketArn}/tenant/*" ? ["s3:GetObject", "s3:PutObject"]
                    : resource == $"{bucketArn}/runs/*.slice.json" ? ["s3:GetObject"]
                    : resource == $"{bucketArn}/runs/*/doctor-*" ? ["s3:DeleteObject"]
                    : Array.Empty<string>();
                Assert.True(s.Actions.All(allowed.Contains), $"{s.Owner} grants {string.Join(", ", s.Actions)} on {resource}");
            }
        });
    }

    [Fact]
    public void StateMachine_MayInvokeExactlyTheFunctionsItsDefinitionCalls()
    {
        var (id, properties) = _template.StateMachine;
        // Its other statements are the Distributed Maps' (DistributedMapTests).
        var invocable = properties["Policies"]!.AsArray()
            .Where(p => p!["LambdaInvokePolicy"] is not null)
            .Select(p => SamTemplate.Text(p!["LambdaInvokePolicy"]!["FunctionName"]?["Ref"]))
            .ToHashSet();
        var called = properties["DefinitionSubstitutions"]!.AsObject()
            .Select(s => s.Value?["Fn::GetAtt"])
            .Where(getAtt => getAtt is not null)
            .Select(getAtt => SamTemplate.Text(getAtt![0]))
            .ToHashSet();

        Assert.NotEmpty(called);
        Assert.True(invocable.SetEquals(called), $"{id} may invoke {string.Join(", ", invocable)} but calls {string.Join(", ", called)}");
    }
}
