using ServerlessSync.Core.Model;
using ServerlessSync.Testing.Zuora;

namespace ServerlessSync.Zuora.Tests.Source;

/// <summary>
/// The in-process runner submits the selected objects' export jobs at once, up to its job concurrency, and stages each
/// object as its jobs complete (issue 17, item 4). Counted in the fake's running jobs, never timed.
/// </summary>
public class ZuoraConcurrentJobsTests
{
    private static readonly string[] Objects = ["product", "account", "contact", "subscription"];

    private static FakeZuoraTenant Sample() => FakeZuoraTenant.CreateSample(8, seed: 17, now: ZuoraPipeline.T0.AddMinutes(-1));

    [Fact]
    public async Task HistoricalRun_FourObjects_TheirJobsRunAtOnceAndEveryRowLoads()
    {
        var tenant = Sample();
        // A job takes an hour of the clock, which only the pollers' waits move (dozens of polls): every object's job is
        // submitted long before the first completes.
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant, o => o with { JobTimeout = TimeSpan.FromHours(3) }, fakeOptions: o => o with { JobDuration = TimeSpan.FromHours(1) });

        var run = await pipeline.RunAsync(Objects);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(Objects.Length, pipeline.Fake.MaxConcurrentJobs);
        Assert.Equal(0, pipeline.Fake.RunningJobs);
        foreach (var name in Objects)
        {
            var zuoraName = tenant.ObjectNames.Single(o => string.Equals(o, name, StringComparison.OrdinalIgnoreCase));
            Assert.Equal(tenant.Records(zuoraName).Count, pipeline.Scalar($"SELECT count(*) FROM zuora.{name}"));
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1)] // one object after another, through the source's own read
    public async Task HistoricalRun_JobConcurrencyBelowTheObjects_NeverMoreJobsRunAtOnce(int concurrency)
    {
        await using var pipeline = await ZuoraPipeline.StartAsync(Sample(), pollsPerStep: 3);
        pipeline.JobConcurrency = concurrency;

        var run = await pipeline.RunAsync(Objects);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.All(run.Objects, o => Assert.Equal(RunStatus.Succeeded, o.Status));
        Assert.InRange(pipeline.Fake.MaxConcurrentJobs, 1, concurrency);
    }
}
