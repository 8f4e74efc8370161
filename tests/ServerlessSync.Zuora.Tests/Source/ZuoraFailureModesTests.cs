using ServerlessSync.Core.Model;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Testing.Zuora;

namespace ServerlessSync.Zuora.Tests.Source;

/// <summary>How the source meets a changing tenant and odd answers, through the whole pipeline against the fake Zuora.</summary>
public class ZuoraFailureModesTests
{
    private static FakeZuoraTenant Sample() => FakeZuoraTenant.CreateSample(8, seed: 17, now: ZuoraPipeline.T0.AddMinutes(-1));

    private static bool IsAquaCancel(ZuoraRequest r) => r.Method == "DELETE" && r.Path.StartsWith("/v1/batch-query/jobs/", StringComparison.Ordinal);

    [Fact]
    public async Task IncrementalRun_FieldRemovedAndAddedInZuoraOnOneSource_SeenOnceTheDescribeIsTenMinutesOld()
    {
        var tenant = Sample();
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant);
        Assert.Equal(RunStatus.Succeeded, (await pipeline.RunAsync("account")).Status);
        tenant.RemoveFromExport("Account", "Region__c");
        tenant.AddField("Account", ZuoraFieldDefinition.Export("Segment__c", "picklist", "Segment"));
        pipeline.Clock.Advance(TimeSpan.FromMinutes(11));
        var account = tenant.Records("Account")[1];
        tenant.Put("Account", account.Id, pipeline.Clock.GetUtcNow().AddMinutes(-1), new Dictionary<string, object?> { ["Segment__c"] = "Mid-market" });

        // The same source instance, as a warm Lambda container keeps it.
        var run = await pipeline.RunAsync("account");

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal("Mid-market", Assert.Single(pipeline.Rows($"SELECT segment__c FROM zuora.account WHERE id = '{account.Id}'"))[0]);
        Assert.DoesNotContain("Region__c", pipeline.Fake.ZoqlQueries[^1], StringComparison.Ordinal);
        Assert.Equal(2, pipeline.Fake.Requests.Count(r => r.Path == "/v1/describe/Account"));
    }

    [Fact]
    public async Task Run_StatusPollAnsweredWithSuccessFalse_FailsWithZuorasReasonAndCancelsTheJob()
    {
        await using var pipeline = await ZuoraPipeline.StartAsync(Sample());
        pipeline.Fake.RefuseNextStatusPoll("50000040", "Cannot find entity by key");

        var run = await pipeline.RunAsync("product");

        Assert.Equal(RunStatus.Failed, run.Status);
        var error = Assert.Single(run.Objects).Error;
        Assert.Contains("50000040", error, StringComparison.Ordinal);
        Assert.Contains("Cannot find entity by key", error, StringComparison.Ordinal);
        Assert.Single(pipeline.Fake.Requests, IsAquaCancel);
        Assert.Equal(0, pipeline.Fake.RunningJobs);
    }

    [Fact]
    public async Task Run_StatusPollFailsFiveTimesWith503_CancelsTheJobInZuora()
    {
        await using var pipeline = await ZuoraPipeline.StartAsync(Sample());
        pipeline.Fake.FailNextStatusPolls(5, 503);

        var run = await pipeline.RunAsync("product");

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains("503", Assert.Single(run.Objects).Error, StringComparison.Ordinal);
        Assert.Single(pipeline.Fake.Requests, IsAquaCancel);
        Assert.Equal(1, pipeline.Fake.JobsCancelled);
        Assert.Equal(0, pipeline.Fake.RunningJobs);
    }

    [Theory]
    [InlineData(1)] // the source's own read
    [InlineData(InProcessSyncRunner.DefaultJobConcurrency)] // the job steps, as the runner overlaps objects
    public async Task Run_FailedAquaJob_IsNotCancelledAgain(int jobConcurrency)
    {
        await using var pipeline = await ZuoraPipeline.StartAsync(Sample());
        pipeline.JobConcurrency = jobConcurrency;
        pipeline.Fake.FailNextAquaJob("Query timed out on the database", "Product", AquaJobFailure.Error, "90011");

        var run = await pipeline.RunAsync("product");

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.DoesNotContain(pipeline.Fake.Requests, IsAquaCancel);
    }

    [Fact]
    public async Task Run_RateLimitedForADay_FailsSayingWhatZuoraAskedInsteadOfWaiting()
    {
        await using var pipeline = await ZuoraPipeline.StartAsync(Sample());
        pipeline.Fake.ThrottleNext(1, TimeSpan.FromDays(1));

        var run = await pipeline.RunAsync("product");

        Assert.Equal(RunStatus.Failed, run.Status);
        var error = Assert.Single(run.Objects).Error;
        Assert.Contains("Retry-After: 86400", error, StringComparison.Ordinal);
        Assert.Contains("429", error, StringComparison.Ordinal);
        Assert.DoesNotContain(TimeSpan.FromDays(1), pipeline.Clock.Delays);
    }

    [Theory]
    [InlineData(DataQueryResultFault.NoDataFile)]
    [InlineData(DataQueryResultFault.ZeroByteFile)]
    public async Task IncrementalRun_DataQueryFindsNoDeletedRecords_SucceedsWithNoDeletes(DataQueryResultFault result)
    {
        var tenant = Sample();
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant);
        Assert.Equal(RunStatus.Succeeded, (await pipeline.RunAsync("account")).Status);
        pipeline.Clock.Advance(TimeSpan.FromHours(1));
        var account = tenant.Records("Account")[0];
        tenant.Put("Account", account.Id, pipeline.Clock.GetUtcNow().AddMinutes(-5), new Dictionary<string, object?> { ["Name"] = "still here" });
        pipeline.Fake.FaultNextDataQueryResult(result);

        var run = await pipeline.RunAsync("account");

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var record = Assert.Single(run.Objects);
        Assert.Equal(SyncMode.Incremental, record.Mode);
        Assert.Equal(0, record.RowsDeleted);
        Assert.Single(pipeline.Fake.SqlQueries);
        Assert.Equal(1, pipeline.Scalar("SELECT count(*) FROM zuora.account WHERE name = 'still here'"));
    }

    [Fact]
    public async Task IncrementalRun_DataQueryJobFailsWithoutAReason_FailsSayingWhereToLookAndKeepsTheCursor()
    {
        await using var pipeline = await ZuoraPipeline.StartAsync(Sample());
        // The historical run asks no Data Query: the fault waits for the incremental one.
        pipeline.Fake.FaultNextDataQueryResult(DataQueryResultFault.Failed);
        Assert.Equal(RunStatus.Succeeded, (await pipeline.RunAsync("contact")).Status);
        var cursor = await pipeline.CursorAsync("contact");

        pipeline.Clock.Advance(TimeSpan.FromHours(1));
        var run = await pipeline.RunAsync("contact");

        Assert.Equal(RunStatus.Failed, run.Status);
        var error = Assert.Single(run.Objects).Error!;
        Assert.Contains("ended failed", error, StringComparison.Ordinal);
        Assert.Contains("gives no reason", error, StringComparison.Ordinal);
        Assert.Contains("select id, updateddate from contact", error, StringComparison.Ordinal);
        Assert.DoesNotContain("no error detail", error, StringComparison.Ordinal);
        Assert.Equal(cursor, await pipeline.CursorAsync("contact"));
    }

    [Fact]
    public async Task IncrementalRun_DataQueryFileNotUtf8_FailsNamingTheQueryAndLine()
    {
        var tenant = Sample();
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant);
        Assert.Equal(RunStatus.Succeeded, (await pipeline.RunAsync("account")).Status);
        pipeline.Clock.Advance(TimeSpan.FromHours(1));
        pipeline.Fake.FaultNextDataQueryResult(DataQueryResultFault.InvalidUtf8);

        var run = await pipeline.RunAsync("account");

        Assert.Equal(RunStatus.Failed, run.Status);
        var error = Assert.Single(run.Objects).Error;
        Assert.Contains("Data Query for deleted account records", error, StringComparison.Ordinal);
        Assert.Contains("not valid UTF-8", error, StringComparison.Ordinal);
        Assert.Contains("line 1", error, StringComparison.Ordinal);
    }
}
