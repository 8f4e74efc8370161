using Amazon;
using Amazon.Runtime;
using Microsoft.Extensions.Time.Testing;
using ServerlessSync.Aws.Auth;
using ServerlessSync.Aws.Doctor;
using ServerlessSync.Aws.Tests.Pipeline;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Staging;
using ServerlessSync.Testing;
using ServerlessSync.Testing.Aws;

namespace ServerlessSync.Aws.Tests.Doctor;

/// <summary>
/// The database checks against the Data API double, running as a non-superuser PostgreSQL role with only the grants under
/// test: the Data API round trip (3), the privileges (4: missing CREATE, missing TEMPORARY, a pre-created schema with and
/// without ALL), the COPY probe in the loader's own staged format (6) under both readings of a quoted NULL string, and the
/// whole report with GetClusterCredentials on moto.
/// </summary>
public sealed class DoctorDataApiTests
{
    private static readonly AWSCredentials S3rverKeys = new BasicAWSCredentials("S3RVER", "S3RVER");

    private static DestinationSettings Settings(CloudPipeline pipeline) => new()
    {
        Target = CloudPipeline.Target, Schema = CloudPipeline.Schema, Region = RegionEndpoint.USEast1,
        StagingBucket = pipeline.Bucket, CopyRoleArn = CloudPipeline.CopyRole,
        Endpoints = new DoctorEndpoints { RedshiftData = pipeline.Redshift.Endpoint, S3 = TestStack.S3Endpoint, Redshift = TestStack.MotoEndpoint, Sts = TestStack.MotoEndpoint },
    };

    private static RedshiftDoctor Doctor(CloudPipeline pipeline) =>
        new(Settings(pipeline), S3rverKeys, new DoctorOptions { Clock = new FakeTimeProvider(DateTimeOffset.UtcNow), Access = AccessRetry.None });

    [Fact]
    public async Task DataApi_RunsAStatementAndReadsItsResult_AsTheDatabaseUser()
    {
        await using var pipeline = await CloudPipeline.StartAsync(TimeProvider.System);

        var result = await Doctor(pipeline).CheckDataApiAsync(S3rverKeys, CancellationToken.None);

        Assert.True(result.Outcome == CheckOutcome.Pass, result.Message);
        Assert.Contains("database user sync_loader", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Privileges_CreateAndTemporary_Pass()
    {
        await using var pipeline = await CloudPipeline.StartAsync(TimeProvider.System);

        var result = await Doctor(pipeline).CheckPrivilegesAsync(S3rverKeys, CancellationToken.None);

        Assert.True(result.Outcome == CheckOutcome.Pass, result.Message);
    }

    /// <summary>Each missing grant, as the database user's grants (separated by <c>;</c>), what it lacks, and the one GRANT to run.</summary>
    public static TheoryData<string, string, string> MissingGrants => new()
    {
        // No CREATE on the database, and no schema yet: the first sync could not create it.
        { "GRANT TEMPORARY ON DATABASE {database} TO {user}", "lacks CREATE on database dev", "GRANT CREATE ON DATABASE \"dev\" TO \"sync_loader\";" },
        // PostgreSQL, like Redshift, gives PUBLIC TEMPORARY: the case takes it away.
        { "REVOKE TEMPORARY ON DATABASE {database} FROM PUBLIC;GRANT CREATE ON DATABASE {database} TO {user}", "lacks TEMPORARY on database dev", "GRANT TEMPORARY ON DATABASE \"dev\" TO \"sync_loader\";" },
        // A schema created beforehand by someone else, without the grant.
        { $"GRANT CREATE, TEMPORARY ON DATABASE {{database}} TO {{user}};CREATE SCHEMA IF NOT EXISTS {CloudPipeline.Schema}", "lacks ALL on the existing schema zuora", "GRANT ALL ON SCHEMA \"zuora\" TO \"sync_loader\";" },
    };

    [Theory]
    [MemberData(nameof(MissingGrants))]
    public async Task Privileges_AGrantMissing_FailNamingItWithTheOneGrantToRun(string grants, string lacks, string grant)
    {
        await using var pipeline = await CloudPipeline.StartAsync(TimeProvider.System, grants.Split(';'));

        var result = await Doctor(pipeline).CheckPrivilegesAsync(S3rverKeys, CancellationToken.None);

        Assert.Equal(CheckOutcome.Fail, result.Outcome);
        Assert.Contains(lacks, result.Message, StringComparison.Ordinal);
        var grantsInFix = result.Fix!.Split('\n').Where(l => l.StartsWith("GRANT", StringComparison.Ordinal)).ToList();
        Assert.Equal([grant], grantsInFix);
    }

    [Fact]
    public async Task Privileges_PreCreatedSchemaWithAll_PassWithoutDatabaseCreate()
    {
        await using var pipeline = await CloudPipeline.StartAsync(TimeProvider.System, ["GRANT TEMPORARY ON DATABASE {database} TO {user}", $"CREATE SCHEMA IF NOT EXISTS {CloudPipeline.Schema}", $"GRANT ALL ON SCHEMA {CloudPipeline.Schema} TO {{user}}"]);

        var result = await Doctor(pipeline).CheckPrivilegesAsync(S3rverKeys, CancellationToken.None);

        Assert.True(result.Outcome == CheckOutcome.Pass, result.Message);
        Assert.Contains("ALL on the existing schema zuora", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CopyProbe_QuotedNullStringStaysText_EveryValueReadBackEqual_Pass()
    {
        await using var pipeline = await CloudPipeline.StartAsync(TimeProvider.System, nullStringMatchesQuotedFields: false);

        var result = await Doctor(pipeline).CheckCopyProbeAsync(S3rverKeys, CancellationToken.None);

        Assert.True(result.Outcome == CheckOutcome.Pass, result.Message);
        var copy = Assert.Single(pipeline.Redshift.Requests.SelectMany(r => r.Sqls), s => s.StartsWith("COPY", StringComparison.Ordinal));
        Assert.Contains($"NULL AS 'null-", copy, StringComparison.Ordinal);
        Assert.Contains("GZIP MANIFEST", copy, StringComparison.Ordinal);
        Assert.Contains($"IAM_ROLE '{CloudPipeline.CopyRole}'", copy, StringComparison.Ordinal);
        Assert.Empty(await pipeline.KeysAsync());
    }

    [Fact]
    public async Task CopyProbe_ClusterReadsAQuotedNullStringAsNull_WarnsNamingTheValue_LoaderValuesStillEqual()
    {
        await using var pipeline = await CloudPipeline.StartAsync(TimeProvider.System, nullStringMatchesQuotedFields: true);

        var result = await Doctor(pipeline).CheckCopyProbeAsync(S3rverKeys, CancellationToken.None);

        Assert.True(result.Outcome == CheckOutcome.Warn, result.Message);
        var copy = pipeline.Redshift.Requests.SelectMany(r => r.Sqls).Single(s => s.StartsWith("COPY", StringComparison.Ordinal));
        var marker = copy[(copy.IndexOf("NULL AS '", StringComparison.Ordinal) + 9)..].Split('\'')[0];
        Assert.Null(NullMarkers.Problem(marker));
        Assert.Contains($"the quoted text \"{marker}\"", result.Message, StringComparison.Ordinal);
        Assert.Contains("loaded as NULL", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WholeReport_AgainstTheDoubleAndMoto_PassesEveryApplicableCheck()
    {
        await using var pipeline = await CloudPipeline.StartAsync(TimeProvider.System, nullStringMatchesQuotedFields: false);
        await MotoQuery.CreateClusterAsync(CloudPipeline.Target.ClusterIdentifier!);

        var report = await Doctor(pipeline).RunAsync(CancellationToken.None);

        Assert.Equal([1, 2, 3, 4, 5, 6, 7], report.Checks.Select(c => c.Number));
        Assert.Equal(CheckOutcome.Skip, report.Checks[0].Outcome);
        Assert.All(report.Checks.Skip(1), c => Assert.True(c.Outcome == CheckOutcome.Pass, $"{c.Number} {c.Name}: {c.Message}"));
        Assert.True(report.Passed);
    }
}
