namespace ServerlessSync.Cli.Tests;

/// <summary>Exit codes and one-line reasons a script can trust.</summary>
public class CommandLineTests
{
    [Theory]
    [InlineData("sync", "--help")]
    [InlineData("status", "--help")]
    [InlineData("verify", "--help")]
    [InlineData("tenant", "advance", "--help")]
    [InlineData("doctor", "--help")]
    [InlineData("setup", "print", "--help")]
    public async Task Help_EachCommand_ExitsZeroAndDescribesIt(params string[] args)
    {
        using var cli = new CliHarness();

        var result = await cli.RunAsync(args);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--home", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unknown object 'acount'", "sync", "--scale", "100", "--objects", "acount")]
    [InlineData("is not a source", "sync", "--source", "zuora-prod")]
    [InlineData("does not exist", "sync", "--source", "files:/no/such/dir")]
    [InlineData("has not synced yet", "status")]
    [InlineData("usage:", "sync", "--no-such-option")]
    [InlineData("--days 0", "tenant", "advance", "--days", "0")]
    [InlineData("--schema: schema 'Zuora' has capitals, but Redshift folds names to lower case: write it as 'zuora'", "sync", "--schema", "Zuora")]
    [InlineData("--schema: schema 'my schema' must be", "sync", "--schema", "my schema")]
    [InlineData("REDSHIFT_CLUSTER_ID: ClusterIdentifier and WorkgroupName are both missing", "doctor", "--destination", "redshift", "--region", "us-east-1")]
    [InlineData("STAGING_BUCKET is not set", "doctor", "--destination", "redshift", "--region", "us-east-1", "--cluster-id", "c1", "--database", "dev", "--db-user", "u")]
    public async Task BadRequest_ExitsTwoWithOneLineReason(string reason, params string[] args)
    {
        using var cli = new CliHarness();

        var result = await cli.RunAsync(args);

        Assert.True(result.ExitCode == 2, result.ToString());
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(reason.Replace("unknown object 'acount'", "acount", StringComparison.Ordinal), line, StringComparison.Ordinal);
    }
}

public class TenantScaleTests
{
    [Fact]
    public async Task Sync_ScaleDiffersFromExistingTenant_ExitsTwoNamingBothScales()
    {
        using var cli = new CliHarness();
        Assert.Equal(0, (await cli.RunAsync("sync", "--scale", "500", "--objects", "product")).ExitCode);

        var result = await cli.RunAsync("sync", "--scale", "900");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("500", result.Error, StringComparison.Ordinal);
        Assert.Contains("900", result.Error, StringComparison.Ordinal);
    }
}
