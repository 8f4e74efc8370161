using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Testing.Zuora;

namespace ServerlessSync.Zuora.Tests.Source;

/// <summary>
/// The source's jobs as separate steps (<see cref="IExportJobSource"/>), as the cloud's state machine drives them:
/// submit, check once per call until completed, read the completed result.
/// </summary>
public class ZuoraExportJobsTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task SubmitCheckRead_IncrementalWithDeletes_YieldsExactlyTheRowsOfReadAsync()
    {
        var tenant = FakeZuoraTenant.CreateSample(6, seed: 5, now: ZuoraPipeline.T0.AddMinutes(-1));
        var gone = tenant.Records("Account")[0].Id;
        tenant.Delete("Account", gone, ZuoraPipeline.T0.AddMinutes(-1));
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant, pollsPerStep: 3);
        var schema = await pipeline.Source.DescribeAsync("account", None);
        var window = new SyncWindow(ZuoraPipeline.T0.AddDays(-400), ZuoraPipeline.T0);

        var jobs = await pipeline.Source.SubmitAsync(schema, window, None);
        Assert.Equal([ZuoraSource.AquaJobKind, ZuoraSource.DeletesJobKind], jobs.Jobs.Select(j => j.Kind));
        var waits = new List<TimeSpan>();
        while (!jobs.Completed)
        {
            waits.Add(jobs.NextCheckAfter);
            jobs = await pipeline.Source.CheckAsync(jobs, None);
        }

        var staged = await RowsAsync(pipeline.Source.ReadCompletedAsync(schema, jobs, None));
        var read = await RowsAsync(pipeline.Source.ReadAsync(schema, window, None));

        Assert.True(waits.Count >= 6, $"{waits.Count} checks");
        Assert.True(waits.Zip(waits.Skip(1)).All(w => w.Second >= w.First), string.Join(", ", waits));
        Assert.Equal(read, staged);
        Assert.Contains(staged, r => r.StartsWith($"True|{gone}|", StringComparison.Ordinal));
        Assert.Equal(0, pipeline.Fake.RunningJobs);
    }

    [Fact]
    public async Task ReadCompleted_ResultOverZuorasDownloadLimit_ReadsTheWindowAgainInHalves_EveryRowOnce()
    {
        var tenant = FakeZuoraTenant.CreateSample(40, seed: 5, now: ZuoraPipeline.T0.AddMinutes(-1));
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant, fakeOptions: o => o with { MaxFileRecords = 25 });
        var schema = await pipeline.Source.DescribeAsync("account", None);
        var window = SyncWindow.Historical(ZuoraPipeline.T0);
        var jobs = await pipeline.Source.SubmitAsync(schema, window, None);
        while (!jobs.Completed)
        {
            jobs = await pipeline.Source.CheckAsync(jobs, None);
        }

        var staged = await RowsAsync(pipeline.Source.ReadCompletedAsync(schema, jobs, None));

        Assert.Equal(tenant.Records("Account").Count, staged.Count);
        Assert.Equal(staged.Count, staged.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(0, pipeline.Fake.RunningJobs);
    }

    [Fact]
    public async Task Check_PastTheDeadline_CancelsTheRunningJobsAndSaysWhatToRaise()
    {
        var tenant = FakeZuoraTenant.CreateSample(6, seed: 5, now: ZuoraPipeline.T0.AddMinutes(-1));
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant, fakeOptions: o => o with { JobDuration = TimeSpan.FromDays(1) });
        var schema = await pipeline.Source.DescribeAsync("invoice", None);
        var jobs = await pipeline.Source.SubmitAsync(schema, SyncWindow.Historical(ZuoraPipeline.T0), None);

        var error = await Assert.ThrowsAsync<ExportJobTimeoutException>(() => pipeline.Source.CheckAsync(jobs with { Deadline = ZuoraPipeline.T0.AddHours(-1) }, None));

        Assert.Contains("ZuoraJobTimeoutMinutes", error.Message, StringComparison.Ordinal);
        Assert.Contains(jobs.Jobs[0].JobId, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, pipeline.Fake.JobsCancelled);
        Assert.Equal(0, pipeline.Fake.RunningJobs);
    }

    private static async Task<List<string>> RowsAsync(IAsyncEnumerable<SourceRow> rows)
    {
        var all = new List<string>();
        await foreach (var row in rows)
        {
            all.Add($"{row.Deleted}|{string.Join('|', row.Values.Select(v => v is IFormattable f ? f.ToString(null, System.Globalization.CultureInfo.InvariantCulture) : v?.ToString() ?? "NULL"))}");
        }

        return all;
    }
}
