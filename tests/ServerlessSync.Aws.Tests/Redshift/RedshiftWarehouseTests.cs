using Microsoft.Extensions.Time.Testing;
using ServerlessSync.Aws.Redshift;
using ServerlessSync.Aws.Tests.Pipeline;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Sql;
using ServerlessSync.Core.Staging;
using ServerlessSync.Testing.Warehouse;

namespace ServerlessSync.Aws.Tests.Redshift;

/// <summary>
/// The Redshift warehouse on its own: parts staged to S3 (moto) by Core's stager, loaded through the Data API
/// double (COPY from moto into PostgreSQL, then the merge), read back through the Data API. What every warehouse
/// does is in <see cref="RedshiftWarehouseContractTests"/>; here is what is Redshift's own (client tokens, COPY
/// errors, the Data API's limits and requests, what the tables and the ledger hold).
/// </summary>
public sealed class RedshiftWarehouseTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 2, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;

    private static readonly ObjectSchema Plain = new("plan",
    [
        new ColumnSchema("id", ColumnType.String),
        new ColumnSchema("updateddate", ColumnType.Timestamp),
        new ColumnSchema("name", ColumnType.String),
    ]);

    private readonly FakeTimeProvider _clock = new(T0);
    private CloudPipeline _pipeline = null!;
    private int _runs;

    public async Task InitializeAsync() => _pipeline = await CloudPipeline.StartAsync(_clock);

    public async Task DisposeAsync() => await _pipeline.DisposeAsync();

    private RedshiftWarehouse Warehouse => _pipeline.Warehouse;

    [Fact]
    public async Task SameManifestLoadedAgain_ChangesNothing_WhetherTheDataApiRemembersTheTokenOrOnlyTheLedgerDoes()
    {
        var warehouseClock = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var warehouse = _pipeline.WarehouseFor(CloudPipeline.Target, warehouseClock);
        var manifest = await StageAsync(Plain, [Row("a", T0, "a1")]);
        var first = await LoadAsync(warehouse, manifest);

        // At once: the token's statement is answered again (it may be this call's own, within clock skew): its outcome.
        var sameTokenAtOnce = await LoadAsync(warehouse, manifest);
        warehouseClock.Advance(TimeSpan.FromMinutes(1));
        // Later: the token's statement ended before this call: a replay.
        var sameTokenLater = await LoadAsync(warehouse, manifest);
        // Once the Data API has forgotten the token (here: another token), the ledger stops it.
        var ledgerOnly = await LoadAsync(warehouse, manifest with { CreatedAt = manifest.CreatedAt.AddSeconds(1) });

        Assert.Equal(new LoadOutcome(1, 0, 0, 0, false), first);
        Assert.Equal(first, sameTokenAtOnce);
        Assert.Equal(LoadOutcome.Replayed, sameTokenLater);
        Assert.Equal(LoadOutcome.Replayed, ledgerOnly);
        Assert.Single(await LiveRowsAsync(Plain));
        var tokens = _pipeline.Redshift.Requests.Where(r => r.Sqls.Any(s => s.StartsWith("COPY", StringComparison.Ordinal))).Select(r => r.ClientToken).ToList();
        Assert.Equal(4, tokens.Count);
        Assert.Single(tokens.Take(3).Distinct());
        Assert.NotEqual(tokens[0], tokens[3]);
    }

    [Fact]
    public async Task FailedLoad_RetriedAfterTheCause_IsFixed_RunsAnew()
    {
        // The warehouse tells an earlier attempt's statement by its end time: its clock starts at the real time
        // (the double's) and moves on past the skew allowance before the retry.
        var warehouseClock = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var warehouse = _pipeline.WarehouseFor(CloudPipeline.Target, warehouseClock);
        var manifest = await StageAsync(Plain, [Row("a", T0, "a1")]);
        var part = manifest.Parts[0];
        var bytes = await ReadAsync(part.Key);
        await _pipeline.Staging.DeleteAsync([part.Key], None);

        var failure = await Assert.ThrowsAsync<RedshiftLoadException>(() => LoadAsync(warehouse, manifest));
        Assert.Contains(part.Key, failure.Message, StringComparison.Ordinal);

        await WriteAsync(part.Key, bytes);
        var tooSoon = await Assert.ThrowsAsync<RedshiftLoadException>(() => LoadAsync(warehouse, manifest));
        warehouseClock.Advance(TimeSpan.FromMinutes(1));
        var retried = await LoadAsync(warehouse, manifest);

        Assert.Equal(failure.Message, tooSoon.Message);
        Assert.Equal(1, retried.Inserted);
        // The retry first submits the failed load's token, finds that statement ended before it asked, and steps over it.
        var tokens = _pipeline.Redshift.Requests.Where(r => r.Sqls.Any(s => s.StartsWith("COPY", StringComparison.Ordinal))).Select(r => r.ClientToken).ToList();
        Assert.Equal(4, tokens.Count);
        Assert.Single(tokens.Take(3).Distinct());
        Assert.NotEqual(tokens[0], tokens[3]);
    }

    [Fact]
    public async Task StringOverRedshiftsVarcharLimit_FailsTheLoad_NamingFileLineAndColumn()
    {
        var tooLong = new string('x', RedshiftSql.MaxVarcharBytes + 1);

        var failure = await Assert.ThrowsAsync<RedshiftLoadException>(() => LoadAsync(Plain, [Row("a", T0, "fine"), Row("b", T0, tooLong)]));

        var error = Assert.Single(failure.CopyErrors);
        Assert.Equal(2, error.Line);
        Assert.Equal("name", error.Column);
        Assert.StartsWith($"s3://{_pipeline.Bucket}/runs/", error.File, StringComparison.Ordinal);
        Assert.Contains("65535", failure.Message, StringComparison.Ordinal);
        Assert.Empty(await LiveRowsAsync(Plain));
    }

    [Fact]
    public async Task TableWithoutThePipelinesColumns_IsRefusedBeforeAnyLoad_NamingTheColumn()
    {
        await LoadAsync(Plain with { Name = "other" }, [Row("x", T0, "x1")]);
        await _pipeline.Redshift.QueryAsync($"CREATE TABLE \"{CloudPipeline.Schema}\".\"plan\" (\"id\" VARCHAR(65535) NOT NULL, \"updateddate\" TIMESTAMPTZ, \"name\" VARCHAR(65535))");
        // Made by hand by an administrator, and granted to the loading user (without the grant the catalog hides it).
        await _pipeline.Redshift.QueryAsync($"GRANT ALL ON \"{CloudPipeline.Schema}\".\"plan\" TO \"{CloudPipeline.Target.DbUser}\"");

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => LoadAsync(Plain, [Row("a", T0, "a1")]));

        Assert.Contains($"table {CloudPipeline.Schema}.plan has no BOOLEAN column '_deleted'", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_pipeline.Redshift.Requests, r => r.Sqls.Any(s => s.StartsWith("COPY", StringComparison.Ordinal) && s.Contains("plan", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ManifestWithoutParts_LoadsNothing_ButIsRecorded()
    {
        await LoadAsync(Plain, [Row("a", T0, "a1")]);
        var empty = await StageAsync(Plain, []);

        var outcome = await LoadAsync(empty);
        var again = await LoadAsync(empty with { CreatedAt = empty.CreatedAt.AddSeconds(1) });

        Assert.Empty(empty.Parts);
        Assert.Equal(new LoadOutcome(0, 0, 0, 0, false), outcome);
        Assert.True(again.AlreadyLoaded);
        Assert.Single(await LiveRowsAsync(Plain));
    }

    [Fact]
    public async Task ConcurrencyLimitOnSubmit_IsRetried_WithTheSameClientToken_AndLoadsOnce()
    {
        await LoadAsync(Plain, [Row("z", T0, "z1")]);
        var manifest = await StageAsync(Plain, [Row("a", T0, "a1"), Row("b", T0, "b1")]);
        var earlier = _pipeline.Redshift.Requests.Count;
        _pipeline.Redshift.FailNextCalls("BatchExecuteStatement", "ActiveStatementsExceededException", count: 2);

        var outcome = await LoadAsync(manifest);

        Assert.Equal(2, outcome.Inserted);
        var submits = _pipeline.Redshift.Requests.Skip(earlier).Where(r => r.Operation == "BatchExecuteStatement").ToList();
        Assert.Equal(["ActiveStatementsExceededException", "ActiveStatementsExceededException", null], submits.Select(r => r.ErrorCode));
        Assert.Single(submits.Select(r => r.ClientToken).Distinct());
        Assert.Equal(3, (await LiveRowsAsync(Plain)).Count);
    }

    [Fact]
    public async Task SubmitLoad_Again_LeavesTheCopyManifestAlone_WhichTheFirstSubmissionsCopyMayBeReading()
    {
        var writes = new WriteCountingStore(_pipeline.Staging);
        var warehouse = new RedshiftWarehouse(_pipeline.DataApi, writes, new RedshiftWarehouseOptions(CloudPipeline.Target, CloudPipeline.Schema, CloudPipeline.CopyRole), TimeProvider.System);
        var manifest = await StageAsync(Plain, [Row("a", T0, "a1")]);

        var first = await warehouse.SubmitLoadAsync(manifest, _pipeline.Staging.PartLocations(manifest), T0, "serverless-sync test-load", None);
        var again = await warehouse.SubmitLoadAsync(manifest, _pipeline.Staging.PartLocations(manifest), T0, "serverless-sync test-load", None);

        Assert.Equal(first.StatementId, again.StatementId);
        Assert.Single(writes.Keys, k => k.EndsWith(RedshiftWarehouse.CopyManifestSuffix, StringComparison.Ordinal));
        await _pipeline.LoadEnds.WaitForEndAsync(first.StatementId!, None);
        Assert.Equal(1, (await warehouse.ReadCompletionAsync(manifest, _pipeline.Staging.PartLocations(manifest), first.StatementId!, None)).Outcome.Inserted);
    }

    [Fact]
    public async Task ReadLiveRows_TableOverOneResultsLimit_ReadsEveryRowInPagesTheDataApiServes()
    {
        await LoadAsync(Plain, [Row("a", T0, "a1")]);
        // 2,000 rows of about 62 KB (under the 64 KB a row may hold): some 124 MB, more than one result's 100 MB.
        await _pipeline.Redshift.QueryAsync(
            $"INSERT INTO \"{CloudPipeline.Schema}\".\"plan\" (\"id\", \"updateddate\", \"name\", \"_deleted\", \"_synced_at\") " +
            "SELECT 'wide-' || lpad(g::text, 5, '0'), now(), repeat('x', 62000), false, now() FROM generate_series(1, 2000) AS g");

        var count = 0;
        await foreach (var row in Warehouse.ReadLiveRowsAsync(Plain, None))
        {
            count++;
        }

        Assert.Equal(2001, count);
    }

    [Fact]
    public async Task ServerlessWorkgroup_LoadsAndReadsBack()
    {
        var serverless = _pipeline.WarehouseFor(CloudPipeline.ServerlessTarget);
        var manifest = await StageAsync(Plain, [Row("a", T0, "a1")]);

        var outcome = await serverless.LoadAsync(manifest, _pipeline.Staging.PartLocations(manifest), T0, None, _pipeline.LoadEnds);

        Assert.Equal(1, outcome.Inserted);
        Assert.Equal(Plain.Columns, (await serverless.DescribeAsync("plan", None))!.Columns);
        var submits = _pipeline.Redshift.Requests.Where(r => r.Operation == "BatchExecuteStatement").ToList();
        Assert.All(submits, r => Assert.Equal(("sync-workgroup", (string?)null, (string?)null), (r.WorkgroupName, r.ClusterIdentifier, r.DbUser)));
    }

    [Fact]
    public async Task LoadWhoseStatementOutgrowsTheDataApiLimit_FailsBeforeAnyLoadIsSubmitted_NamingStatementAndSize()
    {
        // 400 columns with 60-character names: the table is created, but the load's classify statement passes 100 KB.
        var wide = new ObjectSchema("wide",
        [
            .. Plain.Columns,
            .. Enumerable.Range(0, 400).Select(i => new ColumnSchema($"c{i:D3}_".PadRight(60, 'x'), ColumnType.String)),
        ]);
        var manifest = await StageAsync(wide, [new SourceRow(["a", T0, "a1", .. Enumerable.Repeat<object?>("v", 400)], false)]);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => LoadAsync(manifest));

        Assert.Matches(@"Sqls\[\d+\] is \d+ bytes of UTF-8; the Data API takes statements of at most 100 KB \(100000 bytes\)", error.Message);
        Assert.DoesNotContain(_pipeline.Redshift.Requests, r => r.Sqls.Any(s => s.StartsWith("COPY", StringComparison.Ordinal)));
        Assert.NotNull(await Warehouse.DescribeAsync("wide", None));
    }

    [Fact]
    public async Task HistoricalLoad_LacksLiveRows_MarksThemDeletedKeepingValues_LeavesLaterAndDeletedOnes_CountsThem()
    {
        var snapshotEnd = T0.AddHours(1);
        await LoadAsync(Plain, [Row("same", T0, "s"), Row("changed", T0, "before"), Row("gone", T0, "g"), Row("at-end", snapshotEnd, "e"), Row("deleted", T0, "d", deleted: true)], new SyncWindow(T0.AddDays(-1), snapshotEnd));
        _clock.Advance(TimeSpan.FromHours(1));

        var snapshot = await StageAsync(Plain, [Row("same", T0, "s"), Row("changed", T0, "after")], SyncWindow.Historical(snapshotEnd));
        var outcome = await LoadAsync(snapshot);

        Assert.Equal(new LoadOutcome(Inserted: 0, Updated: 1, Deleted: 1, Unchanged: 1, AlreadyLoaded: false), outcome);
        Assert.Equal(
            ["at-end|e|False|T0", "changed|after|False|T1", "deleted|d|True|T0", "gone|g|True|T1", "same|s|False|T0"],
            await DumpAsync(Plain.Name, T0));
        var ledger = await _pipeline.Redshift.QueryAsync($"SELECT deleted FROM \"{CloudPipeline.Schema}\".\"{LoadSql.LedgerTable}\" WHERE run_id = '{snapshot.RunId}'");
        Assert.Equal(1L, Convert.ToInt64(Assert.Single(ledger)["deleted"], System.Globalization.CultureInfo.InvariantCulture));

        // Loaded again once the Data API forgot the token, the ledger stops it: nothing more is deleted.
        Assert.Equal(LoadOutcome.Replayed, await LoadAsync(snapshot with { CreatedAt = snapshot.CreatedAt.AddSeconds(1) }));
        Assert.Equal(3, (await LiveRowsAsync(Plain)).Count);
    }

    [Fact]
    public async Task Tombstone_WithOnlyIdAndUpdateddate_KeepsTheRowsLastKnownValues()
    {
        await LoadAsync(Plain, [Row("a", T0, "a1"), Row("b", T0, "b1")]);
        _clock.Advance(TimeSpan.FromHours(1));

        var outcome = await LoadAsync(Plain, [Row("a", T0.AddMinutes(1), null, deleted: true), Row("b", T0.AddMinutes(1), null)], new SyncWindow(T0, T0.AddHours(1)));

        Assert.Equal(new LoadOutcome(0, 1, 1, 0, false), outcome);
        Assert.Equal(["a|a1|True|T1", "b||False|T1"], await DumpAsync(Plain.Name, T0));
        var updated = await _pipeline.Redshift.QueryAsync($"SELECT updateddate FROM \"{CloudPipeline.Schema}\".\"plan\" WHERE id = 'a'");
        Assert.Equal(T0.AddMinutes(1), new DateTimeOffset((DateTime)Assert.Single(updated)["updateddate"]!, TimeSpan.Zero));
    }

    [Fact]
    public async Task Tombstone_SeenAgainOrNewer_KeepsValuesAndCountsOnlyWhatChanged()
    {
        await LoadAsync(Plain, [Row("a", T0, "a1")]);
        _clock.Advance(TimeSpan.FromHours(1));
        await LoadAsync(Plain, [Row("a", T0.AddMinutes(1), null, deleted: true)], new SyncWindow(T0, T0.AddHours(1)));
        _clock.Advance(TimeSpan.FromHours(1));

        // The next window's lookback reads the same deleted record again: nothing changes, nothing is counted.
        var again = await LoadAsync(Plain, [Row("a", T0.AddMinutes(1), null, deleted: true)], new SyncWindow(T0, T0.AddHours(2)));
        var newer = await LoadAsync(Plain, [Row("a", T0.AddMinutes(2), null, deleted: true)], new SyncWindow(T0, T0.AddHours(2)));

        Assert.Equal(new LoadOutcome(0, 0, 0, 1, false), again);
        Assert.Equal(new LoadOutcome(0, 1, 0, 0, false), newer);
        Assert.Equal(["a|a1|True|T2"], await DumpAsync(Plain.Name, T0));
    }

    private static SourceRow Row(string id, DateTimeOffset updated, string? name, bool deleted = false) => new([id, updated, name], deleted);

    private async Task<LoadOutcome> LoadAsync(ObjectSchema schema, IEnumerable<SourceRow> rows, SyncWindow? window = null) => await LoadAsync(await StageAsync(schema, rows, window));

    private Task<LoadOutcome> LoadAsync(StagedManifest manifest) => LoadAsync(Warehouse, manifest);

    private Task<LoadOutcome> LoadAsync(RedshiftWarehouse warehouse, StagedManifest manifest) =>
        warehouse.LoadAsync(manifest, _pipeline.Staging.PartLocations(manifest), _clock.GetUtcNow(), None, _pipeline.LoadEnds);

    private Task<StagedManifest> StageAsync(ObjectSchema schema, IEnumerable<SourceRow> rows, SyncWindow? window = null) =>
        _pipeline.Staging.StageRowsAsync($"run-{Interlocked.Increment(ref _runs):D4}", schema, rows, window ?? new SyncWindow(null, T0), _clock, None);

    /// <summary>Every row of the table, deleted ones too, by id: <c>id|name|_deleted|T{hours of _synced_at after <paramref name="origin"/>}</c>.</summary>
    private async Task<List<string>> DumpAsync(string table, DateTimeOffset origin)
    {
        var rows = await _pipeline.Redshift.QueryAsync($"SELECT id, name, _deleted, _synced_at FROM \"{CloudPipeline.Schema}\".\"{table}\" ORDER BY id");
        return [.. rows.Select(r => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{r["id"]}|{r["name"]}|{r["_deleted"]}|T{(new DateTimeOffset((DateTime)r["_synced_at"]!, TimeSpan.Zero) - origin).TotalHours}"))];
    }

    private async Task<List<object?[]>> LiveRowsAsync(ObjectSchema schema)
    {
        var rows = new List<object?[]>();
        await foreach (var row in Warehouse.ReadLiveRowsAsync(schema, None))
        {
            rows.Add(row);
        }

        return rows;
    }

    private async Task<byte[]> ReadAsync(string key)
    {
        await using var stream = await _pipeline.Staging.OpenReadAsync(key, None);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private async Task WriteAsync(string key, byte[] bytes)
    {
        await using var writer = await _pipeline.Staging.OpenWriteAsync(key, None);
        await writer.Body.WriteAsync(bytes);
        await writer.CommitAsync(None);
    }

    /// <summary>The staging store, remembering every key written through it.</summary>
    private sealed class WriteCountingStore(IStagingStore inner) : IStagingStore
    {
        public List<string> Keys { get; } = [];

        public Task<IStagedObjectWriter> OpenWriteAsync(string key, CancellationToken cancellationToken)
        {
            Keys.Add(key);
            return inner.OpenWriteAsync(key, cancellationToken);
        }

        public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) => inner.OpenReadAsync(key, cancellationToken);

        public IAsyncEnumerable<StagedObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        public Task DeleteAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken) => inner.DeleteAsync(keys, cancellationToken);

        public string LocationOf(string key) => inner.LocationOf(key);
    }
}

/// <summary>
/// The setup the customer's onboarding page allows as an alternative: the schema created beforehand by an administrator
/// with ALL granted to the loading user, the database-level CREATE not granted, TEMPORARY kept (for the staging table).
/// </summary>
public sealed class RedshiftPreCreatedSchemaTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);

    private CloudPipeline _pipeline = null!;

    public async Task InitializeAsync() => _pipeline = await CloudPipeline.StartAsync(
        new FakeTimeProvider(T0),
        [
            $"CREATE SCHEMA IF NOT EXISTS {CloudPipeline.Schema}", // run once per database user
            $"GRANT ALL ON SCHEMA {CloudPipeline.Schema} TO {{user}}",
            "GRANT TEMPORARY ON DATABASE {database} TO {user}",
        ]);

    public async Task DisposeAsync() => await _pipeline.DisposeAsync();

    [Fact]
    public async Task FirstLoad_SchemaExistsWithAllGranted_NoDatabaseCreate_LoadsWithoutCreatingTheSchema()
    {
        var schema = new ObjectSchema("plan", [new ColumnSchema("id", ColumnType.String), new ColumnSchema("updateddate", ColumnType.Timestamp), new ColumnSchema("name", ColumnType.String)]);
        var manifest = await new ObjectStager(_pipeline.Staging, new StagingOptions(), new FakeTimeProvider(T0))
            .StageAsync("conn", "run-1", schema, new SyncWindow(null, T0), Rows(), taskToken: null, progress: null, CancellationToken.None);

        var outcome = await _pipeline.Warehouse.LoadAsync(manifest, _pipeline.Staging.PartLocations(manifest), T0, CancellationToken.None, _pipeline.LoadEnds);

        Assert.Equal(1, outcome.Inserted);
        Assert.DoesNotContain(_pipeline.Redshift.Requests, r => r.Sqls.Any(s => s.Contains("CREATE SCHEMA", StringComparison.Ordinal)));
    }

    private static async IAsyncEnumerable<SourceRow> Rows()
    {
        yield return new SourceRow(["a", T0.AddHours(-1), "a1"], false);
        await Task.CompletedTask;
    }
}
