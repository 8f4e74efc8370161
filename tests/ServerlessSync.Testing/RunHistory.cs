namespace ServerlessSync.Testing;

/// <summary>
/// Runs of two connectors, written out of order with object records, and how <see cref="IStatusStore.ListRunsAsync"/>
/// must list them: newest first by start instant, then by run id; at most the limit; each with its object records by name.
/// </summary>
public static class RunHistory
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Writes the history (each run before its object records) and returns the runs as written, without objects.</summary>
    public static async Task<IReadOnlyList<RunRecord>> WriteAsync(IStatusStore store)
    {
        const string Other = "other";
        // run-c starts at 08:30Z written as 10:30+02:00, so text order would put it last; run-b is also a run of another connector.
        RunRecord[] runs =
        [
            StatusBuilders.Run(runId: "run-b", startedAt: Start.AddHours(1), endedAt: Start.AddHours(2)),
            StatusBuilders.Run(runId: "run-a", mode: RunMode.Historical, startedAt: Start, endedAt: Start.AddHours(1)),
            StatusBuilders.Run(runId: "run-d", status: RunStatus.Failed, startedAt: Start.AddHours(1), error: "x"),
            StatusBuilders.Run(runId: "run-c", startedAt: Start.AddMinutes(30).ToOffset(TimeSpan.FromHours(2))),
            StatusBuilders.Run(runId: "run-z", connectorId: Other, startedAt: Start.AddDays(1)),
            StatusBuilders.Run(runId: "run-b", connectorId: Other, startedAt: Start.AddDays(1)),
        ];
        foreach (var run in runs)
        {
            await store.PutRunAsync(run, None);
        }

        await store.PutObjectRunAsync(StatusSamples.Connector, StatusSamples.ObjectRun("run-b", "subscription"), None);
        await store.PutObjectRunAsync(StatusSamples.Connector, StatusSamples.ObjectRun("run-b", "account"), None);
        await store.PutObjectRunAsync(StatusSamples.Connector, StatusSamples.ObjectRun("run-c", "invoice"), None);
        await store.PutObjectRunAsync(StatusSamples.Connector, StatusSamples.ObjectRun("run-a", "account"), None);
        await store.PutObjectRunAsync(Other, StatusSamples.ObjectRun("run-b", "zzz"), None);
        return runs;
    }

    /// <summary>Lists the history <see cref="WriteAsync"/> wrote (<paramref name="written"/>) through <paramref name="reader"/>, and checks it.</summary>
    public static async Task AssertListedAsync(IStatusStore reader, IReadOnlyList<RunRecord> written)
    {
        var all = await reader.ListRunsAsync(StatusSamples.Connector, 10, None);
        var newestThree = await reader.ListRunsAsync(StatusSamples.Connector, 3, None);
        var other = await reader.ListRunsAsync("other", 10, None);

        Assert.Equal(["run-d", "run-b", "run-c", "run-a"], all.Select(r => r.RunId));
        Assert.Equal(["run-d", "run-b", "run-c"], newestThree.Select(r => r.RunId));
        Assert.Empty(all[0].Objects);
        Assert.Equal(["account", "subscription"], all[1].Objects.Select(o => o.ObjectName));
        Assert.Equal(["invoice"], all[2].Objects.Select(o => o.ObjectName));
        Assert.Equal(["account"], all[3].Objects.Select(o => o.ObjectName));
        StatusAssert.Run(written[0] with { Objects = [StatusSamples.ObjectRun("run-b", "account"), StatusSamples.ObjectRun("run-b", "subscription")] }, newestThree[1]);
        StatusAssert.Run(written[3] with { Objects = [StatusSamples.ObjectRun("run-c", "invoice")] }, all[2]);
        Assert.Equal(["run-z", "run-b"], other.Select(r => r.RunId));
        Assert.Equal(["zzz"], other[1].Objects.Select(o => o.ObjectName));
    }
}
