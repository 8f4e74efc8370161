using System.Globalization;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using ServerlessSync.Aws.Redshift;
using ServerlessSync.Aws.RedshiftData;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Aws.Doctor;

/// <summary>
/// Check 6: a probe file staged by the loader's own stager (<see cref="ObjectStager"/>, the staged object's NULL marker and
/// <see cref="CsvFormat"/>) is loaded by the loader's own COPY (<see cref="RedshiftDialect.Stage"/>, the COPY role, a COPY
/// manifest) into a temporary table, read back through the Data API and compared value by value. A second part holds the
/// one thing the stager never writes, the marker as quoted text, to learn whether this cluster's <c>NULL AS</c> matches
/// quoted fields: the loader does not depend on it (a WARN, not a FAIL).
/// </summary>
internal sealed class CopyProbe(RedshiftDataClient dataApi, IStagingStore staging, DestinationSettings settings, TimeProvider clock)
{
    internal const string ObjectName = "serverless_sync_probe";
    private const string TargetTable = "serverless_sync_probe_target";
    private const string StagedTable = "serverless_sync_probe_staged";
    private const string QuotedMarkerId = "quoted-null-marker";

    internal static readonly ObjectSchema Schema = new(ObjectName,
    [
        new ColumnSchema("id", ColumnType.String),
        new ColumnSchema("updateddate", ColumnType.Timestamp),
        new ColumnSchema("text", ColumnType.String),
        new ColumnSchema("amount", ColumnType.Decimal(28, 9)),
        new ColumnSchema("flag", ColumnType.Boolean),
    ]);

    /// <summary>What the loader assumes survives a COPY: each row is one assumption, named by its id.</summary>
    internal static IReadOnlyList<object?[]> Rows { get; } =
    [
        ["quoted \\N stays text", new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.FromHours(5.5)).AddTicks(1_234_560), "\\N", 1.5m, true],
        ["\"\" stays empty", new DateTimeOffset(2026, 3, 1, 23, 59, 59, TimeSpan.FromHours(-8)).AddTicks(999_990), "", -0.000000001m, false],
        ["CR LF tab backslash quote comma", new DateTimeOffset(1999, 12, 31, 23, 59, 59, TimeSpan.Zero), "a\r\nb\tc\\d\"e,f\n", 1234567890123456789.123456789m, null],
        ["multibyte text", new DateTimeOffset(2026, 11, 26, 21, 30, 0, TimeSpan.FromHours(1)), "Zoë — 日本語 🎉 ß", -9999999999999999999.999999999m, null],
        ["NULLs", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(14)), null, null, null],
    ];

    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        var runId = string.Create(CultureInfo.InvariantCulture, $"doctor-{clock.GetUtcNow():yyyyMMddTHHmmss}-{Guid.NewGuid():N}")[..40];
        // The loader's own stager and marker (NullMarkers.For this probe's run and object).
        var stager = new ObjectStager(staging, new StagingOptions(), clock);
        var keys = new List<string>();
        try
        {
            var manifest = await stager.StagePartsAsync(settings.ConnectorId, runId, Schema, SyncWindow.Historical(clock.GetUtcNow()), ReadRows(), null, null, cancellationToken);
            keys.AddRange(manifest.Parts.Select(p => p.Key));
            var marker = manifest.NullMarker;
            var quotedMarkerPart = StagingKeys.Part(settings.ConnectorId, runId, ObjectName, manifest.Parts.Count, manifest.Codec);
            var quotedMarkerBytes = await WriteQuotedMarkerPartAsync(quotedMarkerPart, marker, manifest.Codec, cancellationToken);
            keys.Add(quotedMarkerPart);

            var copyManifestKey = StagingKeys.ObjectPrefix(settings.ConnectorId, runId, ObjectName) + ObjectName + RedshiftWarehouse.CopyManifestSuffix;
            var entries = manifest.Parts.Select(p => (staging.LocationOf(p.Key), p.Bytes)).Append((staging.LocationOf(quotedMarkerPart), quotedMarkerBytes)).ToList();
            await WriteAsync(copyManifestKey, RedshiftSql.CopyManifestJson(entries), cancellationToken);
            keys.Add(copyManifestKey);

            return await LoadAndCompareAsync(staging.LocationOf(copyManifestKey), marker, manifest.Codec, cancellationToken);
        }
        finally
        {
            if (keys.Count > 0)
            {
                await staging.DeleteAsync(keys, CancellationToken.None);
            }
        }
    }

    private async Task<CheckResult> LoadAndCompareAsync(string copyManifestUrl, string marker, StagingCodec codec, CancellationToken cancellationToken)
    {
        var dialect = new RedshiftDialect(settings.CopyRoleArn, copyRegion: null, truncateLongStrings: false);
        var columns = Schema.Columns;
        var createTarget = new StringBuilder("CREATE TEMP TABLE ").Append(RedshiftSql.Identifier(TargetTable)).Append(" (")
            .AppendJoin(", ", columns.Select(c => $"{RedshiftSql.Identifier(c.Name)} {RedshiftSql.TypeName(c.Type)}"))
            .Append(", ").Append(RedshiftSql.Identifier(ObjectSchema.DeletedColumn)).Append(" BOOLEAN)").ToString();
        var stage = dialect.Stage(new Core.Sql.StagingRequest(StagedTable, RedshiftSql.Identifier(TargetTable), columns, [copyManifestUrl], marker, codec));
        var select = $"SELECT {string.Join(", ", columns.Select(c => RedshiftSql.Identifier(c.Name)))}, OCTET_LENGTH({RedshiftSql.Identifier("text")}) FROM {RedshiftSql.Identifier(StagedTable)}";
        List<string> sqls = [createTarget, .. stage.Sqls, select];

        var batch = await dataApi.BatchExecuteStatementAsync(new BatchExecuteStatementRequest(settings.Target, sqls) { StatementName = "serverless-sync doctor copy probe" }, cancellationToken);
        try
        {
            await dataApi.WaitForStatementAsync(batch.Id, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), cancellationToken);
        }
        catch (RedshiftStatementFailedException failed)
        {
            var position = failed.FailedSubStatement?.Position ?? 0;
            var error = failed.FailedSubStatement?.Error ?? failed.Error ?? failed.Message;
            if (position - 2 != stage.CopyIndex)
            {
                return Fail($"statement {position} of the probe failed: {error}", null, null);
            }

            var detail = await LoadErrorsAsync(copyManifestUrl, cancellationToken) ?? error;
            var cause = Auth.AuthCauses.Classify("AccessDenied", detail) ?? Auth.AuthCauses.Classify(null, detail);
            return cause is null
                ? Fail($"COPY with the COPY role failed: {detail}", $"The COPY role {settings.CopyRoleArn} must be associated with the cluster or namespace, trust redshift.amazonaws.com and read the bucket:\n{SetupDocuments.CopyRoleTrustPolicy()}\n{SetupDocuments.CopyRolePolicy(settings)}", null)
                : Fail($"COPY with the COPY role was refused: {detail}", $"{cause.Fix}\n{SetupDocuments.CopyRoleTrustPolicy()}\n{SetupDocuments.CopyRolePolicy(settings)}", cause.Code);
        }

        var read = new Dictionary<string, (object?[] Values, long? Bytes)>(StringComparer.Ordinal);
        await foreach (var record in dataApi.ReadRecordsAsync($"{batch.Id}:{sqls.Count}", cancellationToken))
        {
            var values = new object?[columns.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = RedshiftValues.Read(record[i], columns[i].Type, columns[i].Name);
            }

            read[(string)values[0]!] = (values, record[columns.Count].IsNull == true ? null : record[columns.Count].LongValue);
        }

        return Compare(read, marker);
    }

    private CheckResult Compare(Dictionary<string, (object?[] Values, long? Bytes)> read, string marker)
    {
        var differences = new List<string>();
        foreach (var expected in Rows)
        {
            var id = (string)expected[0]!;
            if (!read.TryGetValue(id, out var row))
            {
                differences.Add($"row '{id}' did not load");
                continue;
            }

            for (var i = 1; i < expected.Length; i++)
            {
                if (!Equals(expected[i], row.Values[i]))
                {
                    differences.Add($"'{id}': {Schema.Columns[i].Name} {Show(expected[i])} came back as {Show(row.Values[i])}");
                }
            }

            if (expected[2] is string text && row.Bytes is { } bytes && bytes != Encoding.UTF8.GetByteCount(text))
            {
                differences.Add($"'{id}': text is {Encoding.UTF8.GetByteCount(text)} bytes of UTF-8 but the cluster counts {bytes}");
            }
        }

        if (differences.Count > 0)
        {
            return Fail(
                $"the staged format does not survive COPY on this cluster: {string.Join("; ", differences)}",
                "Do not sync until this is understood: the loader's COPY (FORMAT AS CSV, NULL AS the staged object's marker, ZSTD MANIFEST, TIMEFORMAT 'auto') reads these values differently here. Report the values above with the cluster's version.",
                null);
        }

        var quotedRead = read.TryGetValue(QuotedMarkerId, out var quoted) ? quoted.Values[2] : "(row missing)";
        if (quotedRead is null)
        {
            return new CheckResult(DestinationChecks.CopyProbe, DestinationChecks.NameOf(DestinationChecks.CopyProbe), CheckOutcome.Warn,
                $"COPY read every probe value as staged; note: the quoted text \"{marker}\" (this probe's NULL marker, quoted) loaded as NULL: NULL AS matches quoted fields on this cluster. The loader does not depend on it: each staged object draws its own marker and no staged string equals it");
        }

        return new CheckResult(DestinationChecks.CopyProbe, DestinationChecks.NameOf(DestinationChecks.CopyProbe), CheckOutcome.Pass,
            $"COPY with {settings.CopyRoleArn} loaded the staged probe ({Rows.Count} rows: quoted \\N, \"\", CR/LF/tab/backslash, multibyte text, timestamps with offsets, decimal(28,9), boolean NULLs) and every value read back equal; a quoted NULL marker stays text");
    }

    private async Task<string?> LoadErrorsAsync(string copyManifestUrl, CancellationToken cancellationToken)
    {
        try
        {
            var prefix = copyManifestUrl[..(copyManifestUrl.LastIndexOf('/') + 1)];
            var statement = await dataApi.ExecuteStatementAsync(new ExecuteStatementRequest(settings.Target, RedshiftSql.SelectLoadErrors(prefix, 3)), cancellationToken);
            await dataApi.WaitForStatementAsync(statement.Id, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), cancellationToken);
            var errors = new List<string>();
            await foreach (var record in dataApi.ReadRecordsAsync(statement.Id, cancellationToken))
            {
                errors.Add(new CopyError(record[0].StringValue ?? "", record[1].LongValue ?? 0, record[2].StringValue, record[3].StringValue, record[5].StringValue ?? "").ToString());
            }

            return errors.Count == 0 ? null : string.Join("; ", errors);
        }
        catch (Exception e) when (e is RedshiftStatementFailedException or Http.AwsServiceException)
        {
            return null;
        }
    }

    private async Task<long> WriteQuotedMarkerPartAsync(string key, string marker, StagingCodec codec, CancellationToken cancellationToken)
    {
        // The one line the stager refuses to write: the marker as quoted text. Formatted by the same CsvFormat.
        var line = new StringBuilder();
        object?[] values = [QuotedMarkerId, new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), marker, 0m, true];
        for (var i = 0; i < values.Length; i++)
        {
            CsvFormat.AppendValue(line, Schema.Columns[i], values[i], marker);
            line.Append(CsvFormat.Delimiter);
        }

        line.Append("false\n");
        using var buffer = new MemoryStream();
        await using (var compressed = codec.OpenCompressor(buffer, CompressionLevel.Fastest))
        {
            await compressed.WriteAsync(Encoding.UTF8.GetBytes(line.ToString()), cancellationToken);
        }

        var bytes = buffer.ToArray();
        await WriteAsync(key, bytes, cancellationToken);
        return bytes.Length;
    }

    private async Task WriteAsync(string key, byte[] bytes, CancellationToken cancellationToken)
    {
        await using var writer = await staging.OpenWriteAsync(key, cancellationToken);
        await writer.Body.WriteAsync(bytes, cancellationToken);
        await writer.CommitAsync(cancellationToken);
    }

    private static async IAsyncEnumerable<SourceRow> ReadRows([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var row in Rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new SourceRow([.. row], Deleted: false);
        }

        await Task.CompletedTask;
    }

    private static string Show(object? value) => value switch
    {
        null => "NULL",
        string s => "'" + s.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal) + "'",
        DateTimeOffset t => t.ToString("yyyy-MM-dd HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static CheckResult Fail(string message, string? fix, string? cause) =>
        new(DestinationChecks.CopyProbe, DestinationChecks.NameOf(DestinationChecks.CopyProbe), CheckOutcome.Fail, message, fix, cause);
}
