using static ServerlessSync.Testing.StatusSamples;

namespace ServerlessSync.Testing;

/// <summary>A running run's live progress (<see cref="IStatusStore.PutRunProgressAsync"/>) part of the contract.</summary>
public abstract partial class StatusStoreContract<TStore>
{
    private static RunProgress Progress(int objectIndex, long rows) => new()
    {
        ObjectIndex = objectIndex,
        ObjectCount = 3,
        ObjectName = "invoice",
        Phase = "extracting",
        Rows = rows,
        Bytes = rows * 10,
        RunStartedAt = T1,
        ObjectStartedAt = T1.AddSeconds(5),
        UpdatedAt = T1.AddSeconds(9),
    };

    [Fact]
    public async Task PutRunProgress_RunningRun_ReadBackWithTheRun_LatestWins_ClearedByPutRun()
    {
        var store = NewStore();
        var running = StatusBuilders.Run(status: RunStatus.Running, startedAt: T1);
        await store.PutRunAsync(running, None);

        await store.PutRunProgressAsync(Connector, running.RunId, Progress(1, 100), None);
        await store.PutRunProgressAsync(Connector, running.RunId, Progress(2, 2_500), None);

        var read = await NewStore().GetRunAsync(Connector, running.RunId, None);
        Assert.Equal(Progress(2, 2_500) with { RunStartedAt = read!.Progress!.RunStartedAt, ObjectStartedAt = read.Progress.ObjectStartedAt, UpdatedAt = read.Progress.UpdatedAt }, read.Progress);
        Assert.Equal((T1, T1.AddSeconds(5), T1.AddSeconds(9)), (read.Progress.RunStartedAt, read.Progress.ObjectStartedAt, read.Progress.UpdatedAt));
        Assert.Equal(2_500, Assert.Single(await store.ListRunsAsync(Connector, 5, None)).Progress?.Rows);

        await store.PutRunAsync(running with { Status = RunStatus.Succeeded, EndedAt = T2 }, None);

        Assert.Null((await NewStore().GetRunAsync(Connector, running.RunId, None))!.Progress);
    }

    [Fact]
    public async Task PutRunProgress_UnknownRun_WritesNothing()
    {
        var store = NewStore();

        await store.PutRunProgressAsync(Connector, "run-unknown", Progress(1, 1), None);

        Assert.Empty(await StoredRecordsAsync(Connector));
    }
}
