using System.Buffers.Text;
using System.Text;
using static ServerlessSync.Testing.StatusSamples;

namespace ServerlessSync.Testing;

/// <summary>The paged listing of runs (<see cref="IStatusStore.ListRunsPageAsync"/>) part of the contract.</summary>
public abstract partial class StatusStoreContract<TStore>
{
    [Fact]
    public async Task ListRunsPage_FiveRunsByTwo_ThreePagesNewestFirstLastWithoutToken()
    {
        var written = await RunPages.WriteFiveAsync(NewStore());

        var first = await NewStore().ListRunsPageAsync(Connector, 2, null, None);
        var second = await NewStore().ListRunsPageAsync(Connector, 2, first.NextPageToken, None);
        var third = await NewStore().ListRunsPageAsync(Connector, 2, second.NextPageToken, None);

        Assert.Equal(["run-5", "run-4b", "run-4a", "run-2", "run-1"], written.Select(r => r.RunId));
        Assert.Equal(["run-5", "run-4b"], first.Runs.Select(r => r.RunId));
        Assert.Equal(["run-4a", "run-2"], second.Runs.Select(r => r.RunId));
        Assert.Equal(["run-1"], third.Runs.Select(r => r.RunId));
        Assert.NotNull(first.NextPageToken);
        Assert.NotNull(second.NextPageToken);
        Assert.Null(third.NextPageToken);
        foreach (var (expected, actual) in written.Zip(first.Runs.Concat(second.Runs).Concat(third.Runs)))
        {
            StatusAssert.Run(expected, actual);
        }
    }

    [Fact]
    public async Task ListRunsPage_LastPageExactlyFull_HasNoToken()
    {
        var written = await RunPages.WriteFiveAsync(NewStore());
        var store = NewStore();

        var whole = await store.ListRunsPageAsync(Connector, 5, null, None);
        var four = await store.ListRunsPageAsync(Connector, 4, null, None);
        var rest = await store.ListRunsPageAsync(Connector, 4, four.NextPageToken, None);

        Assert.Equal(written.Select(r => r.RunId), whole.Runs.Select(r => r.RunId));
        Assert.Null(whole.NextPageToken);
        Assert.Equal(["run-1"], rest.Runs.Select(r => r.RunId));
        Assert.Null(rest.NextPageToken);
        Assert.Equal(whole, await store.ListRunsPageAsync(Connector, 100, null, None), RunPages.SameRuns);
    }

    [Fact]
    public async Task ListRunsPage_NoRuns_EmptyWithoutToken()
    {
        await RunPages.WriteFiveAsync(NewStore());

        var page = await NewStore().ListRunsPageAsync("nobody", 3, null, None);

        Assert.Empty(page.Runs);
        Assert.Null(page.NextPageToken);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task ListRunsPage_LimitNotPositive_Throws(int limit)
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => NewStore().ListRunsPageAsync(Connector, limit, null, None));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a token!")]
    [InlineData("e30")] // {}
    [InlineData("W10")] // []
    [InlineData("__8")] // not UTF-8
    [InlineData("eyJ2IjoyLCJjIjoiYWNtZSIsInQiOjEsInIiOiJydW4tMSJ9")] // {"v":2,…}: another version
    [InlineData("eyJ2IjoxLCJjIjoiYWNtZSIsInQiOjEsInIiOiIifQ")] // an empty run id
    [InlineData("eyJ2IjoxLCJjIjoiYWNtZSIsInQiOi0xLCJyIjoicnVuLTEifQ")] // negative ticks
    [InlineData("eyJ2IjoxLCJjIjoiYWNtZSIsInQiOjEsInIiOiJcdWQ4MDAifQ")] // a lone surrogate as run id
    public async Task ListRunsPage_MalformedToken_ArgumentExceptionNamingIt(string token)
    {
        await RunPages.WriteFiveAsync(NewStore());

        var error = await Assert.ThrowsAsync<ArgumentException>(() => NewStore().ListRunsPageAsync(Connector, 2, token, None));

        Assert.Equal("pageToken", error.ParamName);
        Assert.Contains("page token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListRunsPage_TokenOfAnotherConnectorOrTruncatedOrTooLong_ArgumentException()
    {
        await RunPages.WriteFiveAsync(NewStore());
        var store = NewStore();
        var token = (await store.ListRunsPageAsync(Connector, 1, null, None)).NextPageToken!;
        var otherToken = (await store.ListRunsPageAsync("other", 1, null, None)).NextPageToken!;

        string[] bad = [otherToken, token[..^3], new string('A', RunPageToken.MaxLength + 1), Base64Url.EncodeToString(Encoding.UTF8.GetBytes("{\"v\":1,\"c\":\"acme\"}"))];
        foreach (var candidate in bad)
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(() => store.ListRunsPageAsync(Connector, 2, candidate, None));
            Assert.Equal("pageToken", error.ParamName);
        }

        Assert.Equal(["run-4b", "run-4a"], (await store.ListRunsPageAsync(Connector, 2, token, None)).Runs.Select(r => r.RunId));
    }

    [Fact]
    public async Task ListRunsPage_RunStartedAfterFirstPage_NotInLaterPages()
    {
        var store = NewStore();
        await RunPages.WriteFiveAsync(store);
        var first = await store.ListRunsPageAsync(Connector, 2, null, None);

        await store.PutRunAsync(StatusBuilders.Run(runId: "run-6", status: RunStatus.Running, startedAt: RunPages.Start.AddDays(1)), None);
        var second = await store.ListRunsPageAsync(Connector, 2, first.NextPageToken, None);

        Assert.Equal(["run-4a", "run-2"], second.Runs.Select(r => r.RunId));
        Assert.Equal("run-6", (await store.ListRunsPageAsync(Connector, 2, null, None)).Runs[0].RunId);
    }
}

/// <summary>Five runs of <see cref="StatusSamples.Connector"/> for paging, two of them at one start instant, and runs of another connector.</summary>
public static class RunPages
{
    public static readonly DateTimeOffset Start = new(2025, 4, 1, 6, 0, 0, TimeSpan.Zero);

    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>Compares pages by their runs (ids, fields and object records) and tokens.</summary>
    public static readonly IEqualityComparer<RunPage> SameRuns = EqualityComparer<RunPage>.Create(
        (a, b) => a is not null && b is not null && a.NextPageToken == b.NextPageToken && a.Runs.Count == b.Runs.Count
            && a.Runs.Zip(b.Runs).All(p => p.First with { Objects = [] } == p.Second with { Objects = [] } && p.First.Objects.SequenceEqual(p.Second.Objects)),
        page => page.Runs.Count);

    /// <summary>Writes the runs out of order, with object records, and returns them as they must be listed: newest first, each with its object records by name.</summary>
    public static async Task<IReadOnlyList<RunRecord>> WriteFiveAsync(IStatusStore store)
    {
        // run-4a and run-4b start at one instant (written in two offsets): the run id orders them, and the first
        // page ends between them. run-2 starts earlier than run-4* as an instant, later as text.
        var runs = new Dictionary<string, RunRecord>
        {
            ["run-2"] = StatusBuilders.Run(
                runId: "run-2",
                status: RunStatus.Failed,
                startedAt: Start.AddHours(1).ToOffset(TimeSpan.FromHours(9)),
                endedAt: Start.AddHours(2),
                error: "boom"),
            ["run-4a"] = StatusBuilders.Run(runId: "run-4a", startedAt: Start.AddHours(3)),
            ["run-1"] = StatusBuilders.Run(runId: "run-1", mode: RunMode.Historical, startedAt: Start, endedAt: Start.AddHours(1)),
            ["run-5"] = StatusBuilders.Run(runId: "run-5", status: RunStatus.Running, startedAt: Start.AddHours(4)),
            ["run-4b"] = StatusBuilders.Run(runId: "run-4b", mode: RunMode.Mixed, startedAt: Start.AddHours(3).ToOffset(TimeSpan.FromHours(-4))),
        };
        foreach (var run in runs.Values)
        {
            await store.PutRunAsync(run, None);
        }

        (string RunId, string ObjectName)[] records = [("run-4a", "subscription"), ("run-4a", "account"), ("run-4b", "invoice"), ("run-1", "account"), ("run-2", "account")];
        foreach (var (runId, objectName) in records)
        {
            await store.PutObjectRunAsync(StatusSamples.Connector, StatusSamples.ObjectRun(runId, objectName), None);
        }

        await store.PutRunAsync(StatusBuilders.Run(runId: "run-9", connectorId: "other", startedAt: Start.AddHours(2)), None);
        await store.PutRunAsync(StatusBuilders.Run(runId: "run-8", connectorId: "other", startedAt: Start.AddHours(1)), None);

        return [.. new[] { "run-5", "run-4b", "run-4a", "run-2", "run-1" }.Select(id => runs[id] with
        {
            Objects = [.. records.Where(r => r.RunId == id).OrderBy(r => r.ObjectName, StringComparer.Ordinal).Select(r => StatusSamples.ObjectRun(id, r.ObjectName))],
        })];
    }
}
