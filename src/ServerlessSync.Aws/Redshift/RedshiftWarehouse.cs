using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ServerlessSync.Aws.RedshiftData;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Sql;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Aws.Redshift;

/// <summary>
/// Amazon Redshift as the destination, through the Data API. A load is one <c>BatchExecuteStatement</c> (one
/// transaction): a temporary staging table made <c>LIKE</c> the target, <c>COPY</c> from the staged parts (listed
/// in a COPY manifest written beside them), one row per id, a newest-wins merge with soft deletes and
/// <c>_synced_at</c>, and a ledger row that makes a replay change nothing. Schema and table creation and
/// add-column evolution run before the batch, from the catalog's current columns. The statements are Core's
/// (<see cref="LoadSql"/>, <see cref="SchemaEvolution"/>) in <see cref="RedshiftDialect"/>; what only Redshift sends
/// is in <see cref="RedshiftSql"/>.
/// <para>
/// A load answers running: its end comes as the Data API's event, and <see cref="ReadCompletionAsync"/> reads it.
/// Loading a manifest again returns <see cref="LoadOutcome.Replayed"/> and changes nothing, with one nuance:
/// within <see cref="RedshiftWarehouseOptions.ClockSkewAllowance"/> of the first load's end, the Data API's
/// answer for the manifest's token cannot be told from this call's own, and the first load's statement is
/// answered instead (still nothing is loaded twice).
/// </para>
/// </summary>
/// <param name="client">the Data API client</param>
/// <param name="staging">where the COPY manifest is written, beside the parts</param>
/// <param name="options">target, schema, COPY role and options</param>
/// <param name="clock">the clock compared with the Data API's own timestamps: the system clock outside tests</param>
public sealed class RedshiftWarehouse(RedshiftDataClient client, IStagingStore staging, RedshiftWarehouseOptions options, TimeProvider clock) : IWarehouse
{
    /// <summary>The file name, beside a manifest's parts, of the COPY manifest listing them.</summary>
    public const string CopyManifestSuffix = ".copy-manifest.json";

    /// <summary>How many of COPY's recorded errors a failed load quotes.</summary>
    private const int QuotedLoadErrors = 3;

    /// <summary>How often a load prepares its table when a concurrent load's DDL got in the way.</summary>
    private const int MaxSchemaAttempts = 3;

    /// <summary>How many earlier failed submissions of one manifest a load steps over (see <see cref="SubmitAsync"/>).</summary>
    private const int MaxAttemptTokens = 100;

    private readonly RedshiftWarehouseOptions _options = options ?? throw new ArgumentNullException(nameof(options));
    private readonly RedshiftDialect _dialect = new(options.CopyRoleArn, options.CopyRegion, options.TruncateLongStrings);

    /// <summary>
    /// Prepares the table and submits the batch with <c>WithEvent</c> under <paramref name="submissionName"/>, which the
    /// Data API's completion event carries back; answers <see cref="LoadSubmission.Running"/> without waiting. The same
    /// manifest submitted again while its load runs gets the same statement (the client token); after a committed load
    /// it answers <see cref="LoadSubmission.Completed"/> with <see cref="LoadOutcome.Replayed"/>.
    /// </summary>
    public async Task<LoadSubmission> SubmitLoadAsync(StagedManifest manifest, IReadOnlyList<string> partLocations, DateTimeOffset syncedAt, string submissionName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(submissionName);
        var load = await PrepareAsync(manifest, partLocations, syncedAt, cancellationToken);
        var batch = await SubmitAsync(manifest, load.Statements, submissionName, cancellationToken);
        return batch.FinishedEarlier ? LoadSubmission.Completed(new LoadCompletion(LoadOutcome.Replayed, 0)) : LoadSubmission.Running(batch.Id);
    }

    /// <summary>
    /// What the ended batch <paramref name="statementId"/> did. A finished batch gives its counts and the time Redshift
    /// took; a failed one an error naming the failed step (for a failed COPY, file, line, column and reason from
    /// <c>SYS_LOAD_ERROR_DETAIL</c>); one still running throws <see cref="LoadNotEndedException"/>.
    /// </summary>
    public async Task<LoadCompletion> ReadCompletionAsync(StagedManifest manifest, IReadOnlyList<string> partLocations, string statementId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentException.ThrowIfNullOrEmpty(statementId);
        // The statements are rebuilt only for their positions (which one is the COPY, which one counts).
        var load = Plan(manifest, manifest.SchemaForLoad(partLocations, LoadSql.LedgerTable).Columns, manifest.Parts.Count == 0 ? null : CopyManifestLocation(manifest), manifest.CreatedAt);
        var state = await client.DescribeStatementAsync(new DescribeStatementRequest(statementId), cancellationToken);
        switch (state.Status)
        {
            case StatementStatus.Finished:
                var outcome = await ReadOutcomeAsync(statementId, load.Statements, cancellationToken);
                var took = state.CreatedAt is { } created && state.UpdatedAt is { } updated && updated > created ? (long)(updated - created).TotalMilliseconds : 0;
                return new LoadCompletion(outcome, took);
            case StatementStatus.Failed or StatementStatus.Aborted:
                throw await ExplainAsync(manifest, load, new RedshiftStatementFailedException(state), cancellationToken);
            default:
                throw new LoadNotEndedException(statementId, state.Status ?? "unknown");
        }
    }

    /// <summary>Creates or evolves the table, writes the COPY manifest, and builds the load's batch.</summary>
    private async Task<PreparedLoad> PrepareAsync(StagedManifest manifest, IReadOnlyList<string> partLocations, DateTimeOffset syncedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var schema = manifest.SchemaForLoad(partLocations, LoadSql.LedgerTable);
        var columns = await EnsureTableAsync(schema, cancellationToken);
        var copyManifestUrl = manifest.Parts.Count == 0 ? null : await WriteCopyManifestAsync(manifest, partLocations, cancellationToken);
        return Plan(manifest, columns, copyManifestUrl, syncedAt);
    }

    private PreparedLoad Plan(StagedManifest manifest, IReadOnlyList<ColumnSchema> columns, string? copyManifestUrl, DateTimeOffset syncedAt) =>
        new(LoadSql.Load(_dialect, _options.Schema, manifest, columns, copyManifestUrl is null ? [] : [copyManifestUrl], syncedAt), copyManifestUrl);

    public async Task<ObjectSchema?> DescribeAsync(string objectName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(objectName);
        return SchemaEvolution.Describe(_dialect, _options.Schema, objectName, await ReadCatalogAsync(objectName, cancellationToken));
    }

    /// <summary>
    /// A page of the live rows in <c>id</c> order, one Data API result per page, and so at most
    /// <see cref="RedshiftDataLimits.RowsAlwaysWithinOneResult"/> rows whatever <paramref name="pageSize"/> asks: rows of up to
    /// 64 KB must stay within one result's 100 MB. Empty when the table does not exist.
    /// </summary>
    public async Task<LiveRowsPage> ReadLiveRowsAsync(ObjectSchema schema, string? afterId, int pageSize, CancellationToken cancellationToken)
    {
        var idIndex = WarehouseReads.IdIndexForPaging(schema, pageSize);
        pageSize = Math.Min(pageSize, RedshiftDataLimits.RowsAlwaysWithinOneResult);

        // Asked once, on the first page: a table that had a page goes on existing.
        if (afterId is null && (await ReadCatalogAsync(schema.Name, cancellationToken)).Count == 0)
        {
            return LiveRowsPage.Empty;
        }

        var statement = await ExecuteAsync(LoadSql.SelectLivePage(_dialect, _options.Schema, schema.Name, schema.Columns, afterId, pageSize), cancellationToken);
        var rows = new List<object?[]>();
        await foreach (var record in client.ReadRecordsAsync(statement, cancellationToken))
        {
            var values = new object?[schema.Columns.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = RedshiftValues.Read(record[i], schema.Columns[i].Type, schema.Columns[i].Name);
            }

            rows.Add(values);
        }

        return WarehouseReads.Page(rows, idIndex, pageSize);
    }

    /// <summary>
    /// Creates schema, ledger and table on first use; adds the manifest's new columns; refuses a type change. Loads of
    /// several objects run at once (the workflow's Map): two may create the schema or the ledger at the same moment,
    /// and the catalog lets only one win even with <c>IF NOT EXISTS</c>. The loser reads the catalog again and does
    /// what is still missing, a few times at most. Returns the load's columns as the table spells them.
    /// </summary>
    private async Task<IReadOnlyList<ColumnSchema>> EnsureTableAsync(ObjectSchema schema, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await EnsureTableOnceAsync(schema, cancellationToken);
            }
            catch (RedshiftStatementFailedException) when (attempt < MaxSchemaAttempts)
            {
                // Another load changed the catalog in between: look again.
            }
        }
    }

    private async Task<IReadOnlyList<ColumnSchema>> EnsureTableOnceAsync(ObjectSchema schema, CancellationToken cancellationToken)
    {
        var existing = await ReadCatalogAsync(schema.Name, cancellationToken);
        var plan = SchemaEvolution.Plan(_dialect, _options.Schema, schema, existing, existing.Count > 0 || await SchemaExistsAsync(cancellationToken));

        // ALTER TABLE ADD COLUMN takes one column per statement; a batch holds at most 40.
        foreach (var chunk in plan.Statements.Chunk(RedshiftDataLimits.MaxBatchStatements))
        {
            var submitted = await client.BatchExecuteStatementAsync(new BatchExecuteStatementRequest(_options.Target, chunk) { StatementName = StatementName("schema", schema.Name) }, cancellationToken);
            await WaitAsync(submitted.Id, cancellationToken);
        }

        return plan.Columns;
    }

    /// <summary>Looks before creating: a pre-created schema needs no CREATE privilege on the database.</summary>
    private async Task<bool> SchemaExistsAsync(CancellationToken cancellationToken)
    {
        var statement = await ExecuteAsync(RedshiftSql.CountSchemas(_options.Schema), cancellationToken);
        await foreach (var record in client.ReadRecordsAsync(statement, cancellationToken))
        {
            return (record[0].LongValue ?? 0) > 0;
        }

        return false;
    }

    private async Task<List<CatalogColumn>> ReadCatalogAsync(string table, CancellationToken cancellationToken)
    {
        var statement = await ExecuteAsync(RedshiftSql.SelectColumns(_options.Schema, table), cancellationToken);
        var columns = new List<CatalogColumn>();
        await foreach (var record in client.ReadRecordsAsync(statement, cancellationToken))
        {
            columns.Add(new CatalogColumn(
                record[0].StringValue ?? throw new InvalidDataException($"catalog row for {table} has no column name"),
                record[1].StringValue ?? "",
                (int?)record[2].LongValue,
                (int?)record[3].LongValue));
        }

        return columns;
    }

    private static string CopyManifestKey(StagedManifest manifest) =>
        StagingKeys.ObjectPrefix(manifest.ConnectorId, manifest.RunId, manifest.ObjectName) + manifest.ObjectName + CopyManifestSuffix;

    private string CopyManifestLocation(StagedManifest manifest) => staging.LocationOf(CopyManifestKey(manifest));

    /// <summary>
    /// Writes the COPY manifest beside the parts, unless a resubmission finds it there already: its text follows from the
    /// manifest alone, and a COPY of the first submission may be reading it right now.
    /// </summary>
    private async Task<string> WriteCopyManifestAsync(StagedManifest manifest, IReadOnlyList<string> partLocations, CancellationToken cancellationToken)
    {
        var key = CopyManifestKey(manifest);
        var json = RedshiftSql.CopyManifestJson([.. partLocations.Select((url, i) => (url, manifest.Parts[i].Bytes))]);
        await foreach (var existing in staging.ListAsync(key, cancellationToken))
        {
            if (existing.Key == key && existing.Bytes == json.Length)
            {
                return staging.LocationOf(key);
            }
        }

        await using var writer = await staging.OpenWriteAsync(key, cancellationToken);
        await writer.Body.WriteAsync(json, cancellationToken);
        await writer.CommitAsync(cancellationToken);
        return staging.LocationOf(key);
    }

    /// <summary>
    /// Submits the load with a <c>ClientToken</c> derived from the manifest, so a repeated submission (a retried
    /// call, a second delivery of the S3 event) is the same statement, not a second load. The Data API remembers a
    /// token for hours, failed statements too, and a retry after a failed load must run anew: a token whose
    /// statement had already ended in failure before this call is stepped over to the manifest's next token. One
    /// that had already finished is the committed load itself. "Before this call" compares the statement's end
    /// time with this machine's clock less <see cref="RedshiftWarehouseOptions.ClockSkewAllowance"/>: a retry
    /// sooner than that after a failure is reported failed again, and the next retry steps over it.
    /// </summary>
    private async Task<Submitted> SubmitAsync(StagedManifest manifest, LoadStatements statements, string statementName, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttemptTokens; attempt++)
        {
            var calledAt = clock.GetUtcNow();
            var submitted = await client.BatchExecuteStatementAsync(
                new BatchExecuteStatementRequest(_options.Target, statements.Sqls)
                {
                    ClientToken = ClientToken(manifest, attempt),
                    StatementName = statementName,
                    WithEvent = true,
                },
                cancellationToken);
            var state = await client.DescribeStatementAsync(new DescribeStatementRequest(submitted.Id), cancellationToken);
            var endedEarlier = state.UpdatedAt is { } ended && ended < calledAt - _options.ClockSkewAllowance;
            if (endedEarlier && state.Status is StatementStatus.Failed or StatementStatus.Aborted)
            {
                continue;
            }

            return new Submitted(submitted.Id, endedEarlier && state.Status == StatementStatus.Finished);
        }

        throw new InvalidOperationException($"load of {manifest.LoadId} has failed {MaxAttemptTokens} times; see the earlier errors");
    }

    /// <summary>64 hex digits: SHA-256 of the load id and the attempt number.</summary>
    internal static string ClientToken(StagedManifest manifest, int attempt) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{manifest.LoadId}#{manifest.CreatedAt.UtcTicks}#{attempt}"))));

    private static string StatementName(string what, string name)
    {
        var full = $"serverless-sync {what} {name}";
        return full.Length <= RedshiftDataLimits.MaxStatementNameLength ? full : full[..RedshiftDataLimits.MaxStatementNameLength];
    }

    private async Task<string> ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        var submitted = await client.ExecuteStatementAsync(new ExecuteStatementRequest(_options.Target, sql), cancellationToken);
        await WaitAsync(submitted.Id, cancellationToken);
        return submitted.Id;
    }

    private Task<DescribeStatementResponse> WaitAsync(string statementId, CancellationToken cancellationToken) =>
        client.WaitForStatementAsync(statementId, _options.PollInterval, _options.StatementTimeout, cancellationToken);

    private async Task<LoadOutcome> ReadOutcomeAsync(string batchId, LoadStatements statements, CancellationToken cancellationToken)
    {
        await foreach (var record in client.ReadRecordsAsync(SubStatementId(batchId, statements.CountIndex), cancellationToken))
        {
            return LoadSql.Outcome([.. record.Select(f => f.LongValue ?? long.Parse(f.StringValue ?? "0", CultureInfo.InvariantCulture))]);
        }

        throw new InvalidDataException($"batch {batchId} returned no outcome row");
    }

    /// <summary>The Data API names a batch's sub-statements <c>{batch id}:{n}</c>, n from 1.</summary>
    private static string SubStatementId(string batchId, int index) => string.Create(CultureInfo.InvariantCulture, $"{batchId}:{index + 1}");

    /// <summary>Turns a failed batch into an error naming the step, and for a failed COPY the file, line, column and reason.</summary>
    private async Task<Exception> ExplainAsync(StagedManifest manifest, PreparedLoad load, RedshiftStatementFailedException failure, CancellationToken cancellationToken)
    {
        var (statements, copyManifestUrl) = (load.Statements, load.CopyManifestUrl);
        var failed = failure.Statement.SubStatements?.FirstOrDefault(s => s.Status == StatementStatus.Failed);
        var index = failed?.Position is { } position ? position - 1 : -1;
        var table = $"{_options.Schema}.{manifest.ObjectName}";
        if (index != statements.CopyIndex || copyManifestUrl is null)
        {
            var step = index >= 0 ? $"statement {index + 1} of {statements.Sqls.Count}" : "the batch";
            return new RedshiftLoadException($"load of {table} ({manifest.LoadId}) failed at {step} and was rolled back: {failed?.Error ?? failure.Statement.Error}", manifest.ObjectName, [], failure);
        }

        var prefix = copyManifestUrl[..(copyManifestUrl.LastIndexOf('/') + 1)];
        var errors = new List<CopyError>();
        var query = await ExecuteAsync(RedshiftSql.SelectLoadErrors(prefix, QuotedLoadErrors), cancellationToken);
        await foreach (var record in client.ReadRecordsAsync(query, cancellationToken))
        {
            errors.Add(new CopyError(record[0].StringValue ?? "", record[1].LongValue ?? 0, record[2].StringValue, record[3].StringValue, record[5].StringValue ?? ""));
        }

        var detail = errors.Count == 0
            ? failed?.Error ?? failure.Statement.Error
            : string.Join("; ", errors.Select(e => e.ToString()));
        if (!_options.TruncateLongStrings && errors.Any(e => e.IsValueTooLong))
        {
            detail += $" (a Redshift VARCHAR holds at most {RedshiftSql.MaxVarcharBytes} bytes; the option TruncateLongStrings loads such values cut to that length)";
        }

        return new RedshiftLoadException($"COPY into {table} ({manifest.LoadId}) failed and the load was rolled back: {detail}", manifest.ObjectName, errors, failure);
    }

    /// <param name="Statements">the batch</param>
    /// <param name="CopyManifestUrl">the COPY manifest's location, null when the manifest has no parts</param>
    private sealed record PreparedLoad(LoadStatements Statements, string? CopyManifestUrl);

    /// <param name="Id">the batch's statement id</param>
    /// <param name="FinishedEarlier">the token's statement had finished before this submission: a committed replay</param>
    private sealed record Submitted(string Id, bool FinishedEarlier);
}

/// <summary>Where and how the Redshift warehouse loads.</summary>
/// <param name="Target">the cluster (with DbUser) or Serverless workgroup, and database</param>
/// <param name="Schema">the destination schema, created on first load</param>
/// <param name="CopyRoleArn">the IAM role Redshift assumes to read the staging bucket (COPY's IAM_ROLE)</param>
/// <param name="CopyRegion">the bucket's region when it differs from the cluster's, else null</param>
/// <param name="TruncateLongStrings">
/// what happens to a string longer than Redshift's 65535-byte VARCHAR: false (the default) fails the load
/// naming file, line and column, and keeps the staged files; true truncates it (COPY's TRUNCATECOLUMNS)
/// </param>
public sealed record RedshiftWarehouseOptions(
    RedshiftTarget Target,
    string Schema,
    string CopyRoleArn,
    string? CopyRegion = null,
    bool TruncateLongStrings = false)
{
    /// <summary>How often a running statement is described again, when the Data API returns before it ends.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one statement or load may run; inside Lambda's 15 minutes.</summary>
    public TimeSpan StatementTimeout { get; init; } = TimeSpan.FromMinutes(13);

    /// <summary>
    /// How far this machine's clock may be ahead of the Data API's: a statement that ended more than this before
    /// a submission of its token is an earlier attempt's, not this one's.
    /// </summary>
    public TimeSpan ClockSkewAllowance { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>One row COPY could not load, as Redshift recorded it in SYS_LOAD_ERROR_DETAIL.</summary>
public sealed record CopyError(string File, long Line, string? Column, string? ColumnType, string Message)
{
    /// <summary>The value was longer than its column (Redshift: "String length exceeds DDL length").</summary>
    public bool IsValueTooLong =>
        Message.Contains("exceeds DDL length", StringComparison.OrdinalIgnoreCase) || Message.Contains("too long", StringComparison.OrdinalIgnoreCase);

    public override string ToString() =>
        $"{File} line {Line}{(string.IsNullOrEmpty(Column) ? "" : $", column {Column}{(string.IsNullOrEmpty(ColumnType) ? "" : $" ({ColumnType})")}")}: {Message}";
}

/// <summary>A load that failed and was rolled back; for a failed COPY, <see cref="CopyErrors"/> says where and why.</summary>
public sealed class RedshiftLoadException(string message, string objectName, IReadOnlyList<CopyError> copyErrors, Exception innerException)
    : Exception(message, innerException)
{
    public string ObjectName { get; } = objectName;

    public IReadOnlyList<CopyError> CopyErrors { get; } = copyErrors;
}
