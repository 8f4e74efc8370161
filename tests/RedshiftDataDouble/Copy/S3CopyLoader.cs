using System.Data;
using System.IO.Compression;
using System.Net;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.S3;
using Amazon.S3.Model;
using Npgsql;
using RedshiftDataDouble.Statements;

namespace RedshiftDataDouble.Copy;

/// <summary>Who runs a COPY, for its load error rows.</summary>
internal sealed record CopyContext(long QueryId, string DatabaseName);

/// <summary>
/// Runs a Redshift COPY from S3 on PostgreSQL: lists the files (a manifest's entries or every object under a
/// prefix), streams each one from S3 (gunzipped when GZIP) into PostgreSQL's own
/// <c>COPY … FROM STDIN (FORMAT csv)</c> in the statement's session and transaction, never holding a whole
/// file. A COPY is atomic, as in Redshift: outside a transaction it runs in one of its own. A line PostgreSQL
/// rejects becomes a <c>sys_load_error_detail</c> row and fails the statement with Redshift's message.
/// </summary>
internal sealed partial class S3CopyLoader(IAmazonS3 s3, LoadErrorTable loadErrors, IsolationLevel isolation, bool nullStringMatchesQuotedFields, TimeProvider time)
{
    private const int ChunkChars = 64 * 1024;
    private const int RawLineLimit = 1024;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Loads the files and returns the number of rows loaded.</summary>
    public async Task<long> LoadAsync(NpgsqlConnection session, bool inTransaction, CopyStatement copy, CopyContext context, CancellationToken cancellationToken)
    {
        var startTime = time.GetUtcNow();
        var files = copy.Manifest
            ? await ReadManifestAsync(copy, cancellationToken)
            : await ListPrefixAsync(copy, cancellationToken);
        var target = await TargetTable.DescribeAsync(session, copy.QualifiedTable, cancellationToken);
        await using var ownTransaction = inTransaction ? null : await session.BeginTransactionAsync(isolation, cancellationToken);

        long rows = 0;
        var loadedAny = false;
        foreach (var file in files)
        {
            var loaded = await LoadFileAsync(session, copy, target, file, context, startTime, cancellationToken);
            if (loaded is { } count)
            {
                rows += count;
                loadedAny = true;
            }
        }

        if (!loadedAny)
        {
            throw new StatementFailedException(
                $"ERROR: Load into table '{copy.TableDisplayName}' failed: no files were found to load from {copy.Source.Url}");
        }

        if (ownTransaction is not null)
        {
            await ownTransaction.CommitAsync(cancellationToken);
        }

        return rows;
    }

    private sealed record SourceFile(S3Location Location, bool Mandatory);

    private async Task<IReadOnlyList<SourceFile>> ReadManifestAsync(CopyStatement copy, CancellationToken cancellationToken)
    {
        JsonDocument manifest;
        try
        {
            using var response = await s3.GetObjectAsync(copy.Source.Bucket, copy.Source.Key, cancellationToken);
            manifest = await JsonDocument.ParseAsync(response.ResponseStream, cancellationToken: cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new StatementFailedException($"ERROR: Problem reading manifest file - the S3 object {copy.Source.Url} does not exist");
        }
        catch (JsonException e)
        {
            throw new StatementFailedException($"ERROR: Manifest file {copy.Source.Url} is not in correct json format: {e.Message}");
        }

        using (manifest)
        {
            if (manifest.RootElement.ValueKind != JsonValueKind.Object
                || !manifest.RootElement.TryGetProperty("entries", out var entries)
                || entries.ValueKind != JsonValueKind.Array)
            {
                throw new StatementFailedException($"ERROR: Manifest file {copy.Source.Url} is not in correct json format: no \"entries\" array");
            }

            var files = new List<SourceFile>();
            foreach (var entry in entries.EnumerateArray())
            {
                var url = entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("url", out var u) && u.ValueKind == JsonValueKind.String
                    ? u.GetString()!
                    : throw new StatementFailedException($"ERROR: Manifest file {copy.Source.Url} is not in correct json format: an entry has no \"url\" string");
                var location = S3Location.TryParse(url) is { Key.Length: > 0 } parsed
                    ? parsed
                    : throw new StatementFailedException($"ERROR: Manifest entry '{url}' must be the full s3://bucket/key path of a file");
                var mandatory = entry.TryGetProperty("mandatory", out var m) && m.ValueKind == JsonValueKind.True;
                files.Add(new SourceFile(location, mandatory));
            }

            return files;
        }
    }

    private async Task<IReadOnlyList<SourceFile>> ListPrefixAsync(CopyStatement copy, CancellationToken cancellationToken)
    {
        var files = new List<SourceFile>();
        var request = new ListObjectsV2Request { BucketName = copy.Source.Bucket, Prefix = copy.Source.Key };
        ListObjectsV2Response page;
        do
        {
            page = await s3.ListObjectsV2Async(request, cancellationToken);
            foreach (var item in page.S3Objects ?? [])
            {
                if (!item.Key.EndsWith('/'))
                {
                    files.Add(new SourceFile(new S3Location(copy.Source.Bucket, item.Key), Mandatory: true));
                }
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);

        return files.Count > 0
            ? files
            : throw new StatementFailedException($"ERROR: The specified S3 prefix '{copy.Source.Key}' does not exist in bucket '{copy.Source.Bucket}'");
    }

    // Null when an optional manifest entry is missing.
    private async Task<long?> LoadFileAsync(
        NpgsqlConnection session,
        CopyStatement copy,
        TargetTable target,
        SourceFile file,
        CopyContext context,
        DateTimeOffset startTime,
        CancellationToken cancellationToken)
    {
        var text = await OpenAsync(file.Location, copy, cancellationToken);
        if (text is null)
        {
            return file.Mandatory
                ? throw new StatementFailedException(
                    $"ERROR: Load into table '{copy.TableDisplayName}' failed: the mandatory file {file.Location.Url} does not exist in S3 (NoSuchKey)")
                : null;
        }

        using (text)
        {
            var records = new CsvRecordSplitter(copy.Quote);
            var import = await session.BeginTextImportAsync(PostgresCopySql(copy, target, nullStringMatchesQuotedFields), cancellationToken);
            PostgresException? rejected = null;
            try
            {
                var buffer = new char[ChunkChars];
                int read;
                while ((read = await text.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    records.Feed(buffer.AsSpan(0, read));
                    await import.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }

                records.Finish();
                await import.DisposeAsync();
            }
            catch (PostgresException e)
            {
                rejected = e;
            }
            catch (Exception e)
            {
                await AbandonAsync(import);
                if (e is InvalidDataException or DecoderFallbackException or ZstdSharp.ZstdException)
                {
                    throw new StatementFailedException(
                        $"ERROR: Load into table '{copy.TableDisplayName}' failed: {file.Location.Url} is not {(e is DecoderFallbackException ? "valid UTF-8" : copy.Zstd ? "valid zstd data" : "valid gzip data")}: {e.Message}");
                }

                throw;
            }

            if (rejected is not null)
            {
                if (!TryReadErrorPosition(rejected, out var line, out var column))
                {
                    ExceptionDispatchInfo.Throw(rejected);
                }

                await RecordLoadErrorAsync(copy, target, file.Location, context, session.ProcessID, startTime, rejected, line, column, cancellationToken);
                throw new StatementFailedException(
                    $"ERROR: Load into table '{copy.TableDisplayName}' failed.  Check 'sys_load_error_detail' system table for details.");
            }

            return records.Records;
        }
    }

    private static async Task AbandonAsync(NpgsqlCopyTextWriter import)
    {
        try
        {
            await import.CancelAsync();
        }
        catch (Exception)
        {
            // The import is being abandoned because something else failed; that failure is the one to report.
        }
    }

    private async Task<TextReader?> OpenAsync(S3Location location, CopyStatement copy, CancellationToken cancellationToken)
    {
        GetObjectResponse response;
        try
        {
            response = await s3.GetObjectAsync(location.Bucket, location.Key, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        // The reader owns the chain: disposing it closes the decompressor and the S3 response stream.
        Stream content = response.ResponseStream;
        if (copy.Gzip)
        {
            content = new GZipStream(content, CompressionMode.Decompress);
        }
        else if (copy.Zstd)
        {
            content = new ZstdSharp.DecompressionStream(content);
        }

        return new StreamReader(content, StrictUtf8, detectEncodingFromByteOrderMarks: false, ChunkChars);
    }

    // FORCE_NULL makes PostgreSQL match the NULL string against quoted fields too (PostgreSQL 15 needs the columns named).
    private static string PostgresCopySql(CopyStatement copy, TargetTable target, bool nullStringMatchesQuotedFields)
    {
        var loaded = copy.Columns ?? [.. target.Columns.Select(c => c.Name)];
        var columns = copy.Columns is null ? "" : $" ({string.Join(", ", copy.Columns.Select(CopyStatement.QuoteIdentifier))})";
        var options = new StringBuilder($"FORMAT csv, DELIMITER {Literal(copy.Delimiter.ToString())}, QUOTE {Literal(copy.Quote.ToString())}");
        if (copy.NullString is not null)
        {
            options.Append($", NULL {Literal(copy.NullString)}");
            if (nullStringMatchesQuotedFields)
            {
                options.Append($", FORCE_NULL ({string.Join(", ", loaded.Select(CopyStatement.QuoteIdentifier))})");
            }
        }

        return $"COPY {copy.QualifiedTable}{columns} FROM STDIN WITH ({options})";
    }

    // An escape-string literal reads the same whatever standard_conforming_strings says.
    private static string Literal(string value) =>
        "E'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    // PostgreSQL names the line (per file: each file is its own COPY) and usually the column in the error's context:
    // "COPY _sync_staged, line 3, column amount: "abc"".
    private static bool TryReadErrorPosition(PostgresException error, out long line, out string column)
    {
        line = 0;
        column = "";
        var context = (error.Where ?? "").Split('\n').Select(line => CopyContextLine().Match(line)).FirstOrDefault(m => m.Success);
        if (context is null)
        {
            return false;
        }

        line = long.Parse(context.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture);
        column = context.Groups["column"].Success ? context.Groups["column"].Value
            : error.ColumnName is { Length: > 0 } notNullColumn ? notNullColumn
            : MissingColumn().Match(error.MessageText) is { Success: true } missing ? missing.Groups["column"].Value
            : "";
        return true;
    }

    private async Task RecordLoadErrorAsync(
        CopyStatement copy,
        TargetTable target,
        S3Location file,
        CopyContext context,
        int sessionId,
        DateTimeOffset startTime,
        PostgresException error,
        long line,
        string column,
        CancellationToken cancellationToken)
    {
        var rawLine = await ReadRecordAsync(file, copy, line, cancellationToken);
        var columnNames = copy.Columns ?? [.. target.Columns.Select(c => c.Name)];
        var index = columnNames.ToList().IndexOf(column);
        var fields = CsvRecordSplitter.SplitFields(rawLine, copy.Delimiter, copy.Quote);
        var targetColumn = target.Columns.FirstOrDefault(c => c.Name == column);
        var columnType = targetColumn?.RedshiftTypeName ?? "";
        await loadErrors.WriteAsync(
            new LoadError(
                context.QueryId,
                sessionId,
                context.DatabaseName,
                target.Oid,
                startTime,
                file.Url,
                line,
                column,
                columnType,
                targetColumn?.Length is { } length ? length.ToString(System.Globalization.CultureInfo.InvariantCulture) : "",
                LoadErrorTable.RedshiftErrorCode(error.SqlState, error.MessageText, columnType),
                error.MessageText,
                rawLine,
                index >= 0 && index < fields.Count ? fields[index] : ""),
            cancellationToken);
    }

    // Reads the file again to find the record PostgreSQL rejected; empty when it cannot be read.
    private async Task<string> ReadRecordAsync(S3Location file, CopyStatement copy, long line, CancellationToken cancellationToken)
    {
        try
        {
            using var text = await OpenAsync(file, copy, cancellationToken);
            if (text is null)
            {
                return "";
            }

            var records = new CsvRecordSplitter(copy.Quote, captureLimit: RawLineLimit, captureLine: line);
            var buffer = new char[ChunkChars];
            int read;
            while (!records.CaptureDone && (read = await text.ReadAsync(buffer, cancellationToken)) > 0)
            {
                records.Feed(buffer.AsSpan(0, read));
            }

            records.Finish();
            return records.Captured ?? "";
        }
        catch (Exception e) when (e is AmazonS3Exception or IOException or InvalidDataException or DecoderFallbackException or ZstdSharp.ZstdException)
        {
            return "";
        }
    }

    [GeneratedRegex("^COPY .+?, line (?<line>[0-9]+)(?:, column (?<column>[^:]+))?(?::.*)?$", RegexOptions.Singleline)]
    private static partial Regex CopyContextLine();

    [GeneratedRegex("column \"(?<column>[^\"]+)\"")]
    private static partial Regex MissingColumn();
}
