using static ServerlessSync.Testing.StatusSamples;

namespace ServerlessSync.Testing;

public abstract partial class StatusStoreContract<TStore>
{
    [Fact]
    public async Task PutSliceJobs_SlicesAtOnce_ListEveryRunningSlicesJobs_AndAStagedSliceTakesOnlyItsOwnAway()
    {
        var store = NewStore();
        await store.PutRunAsync(StatusBuilders.Run(runId: "run-1", status: RunStatus.Running), None);
        var sliced = StatusBuilders.ObjectRun(runId: "run-1", objectName: "invoice", status: RunStatus.Running) with { JobsSubmittedAt = T1, SlicesTotal = 8 };
        await store.PutObjectRunAsync(Connector, sliced, None);

        // Eight slices submit at once, each through its own store (its own Lambda), as the Map runs them.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => NewStore().PutSliceJobsAsync(Connector, "run-1", "invoice", $"aqua job-{i}, deletes del-{i}", running: true, slicesDone: null, None))));
        var running = Assert.Single((await NewStore().GetRunAsync(Connector, "run-1", None))!.Objects);
        await Task.WhenAll(Enumerable.Range(0, 3).Select(i =>
            Task.Run(() => NewStore().PutSliceJobsAsync(Connector, "run-1", "invoice", $"aqua job-{i}, deletes del-{i}", running: false, slicesDone: i + 1, None))));
        var staged = Assert.Single((await NewStore().GetRunAsync(Connector, "run-1", None))!.Objects);

        Assert.Equal(
            Enumerable.Range(0, 8).SelectMany(i => new[] { $"aqua job-{i}", $"deletes del-{i}" }).Order(StringComparer.Ordinal),
            running.Jobs!.Split(", ").Order(StringComparer.Ordinal));
        Assert.Equal(sliced with { Jobs = running.Jobs }, running);
        Assert.Equal(
            Enumerable.Range(3, 5).SelectMany(i => new[] { $"aqua job-{i}", $"deletes del-{i}" }).Order(StringComparer.Ordinal),
            staged.Jobs!.Split(", ").Order(StringComparer.Ordinal));
        Assert.InRange(staged.SlicesDone, 1, 3);
        Assert.Equal(8, staged.SlicesTotal);
    }

    [Fact]
    public async Task PutSliceJobs_ObjectWithoutRecord_RecordsNothing()
    {
        var store = NewStore();
        await store.PutRunAsync(StatusBuilders.Run(runId: "run-1", status: RunStatus.Running), None);

        await store.PutSliceJobsAsync(Connector, "run-1", "invoice", "aqua job-0", running: true, slicesDone: 1, None);

        Assert.Empty((await store.GetRunAsync(Connector, "run-1", None))!.Objects);
    }
}
