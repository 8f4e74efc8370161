using System.Runtime.CompilerServices;
using System.Text.Json;
using ServerlessSync.Core.Model;
using ServerlessSync.Zuora.Csv;
using ServerlessSync.Zuora.Http;

namespace ServerlessSync.Zuora.Jobs;

/// <summary>
/// A Data Query job with <c>readDeleted: true</c> for one object's window: <c>select id, updateddate</c> of its deleted
/// records (kept 30 days by Zuora), gzip CSV behind a pre-signed URL fetched without the bearer token. Each record is a
/// row with only <c>id</c> and <c>updateddate</c> (taken as the deletion time) set and <see cref="SourceRow.Deleted"/>.
/// </summary>
internal sealed class DeletedRecordsQuery(ZuoraHttp http, ZuoraObject zuoraObject, ObjectSchema schema, TimeZoneInfo systemTimeZone) : IExportJob
{
    /// <summary>The result of a completed job that wrote no file (no deleted records).</summary>
    private const string NoFile = "";

    private static readonly string[] Required = [ObjectSchema.PrimaryKey, ObjectSchema.CursorColumn];
    private readonly ObjectSchema _keys = new(schema.Name, [.. schema.Columns.Select(c => Required.Contains(c.Name) ? c : c with { Type = ColumnType.String })]);

    public string Description => $"Data Query for deleted {zuoraObject.Name} records";

    public async Task<string> SubmitAsync(SyncWindow window, CancellationToken cancellationToken)
    {
        var body = ZuoraQueries.DataQueryJob(ZuoraQueries.DeletedSql(zuoraObject, window));
        var answer = await http.SendJsonAsync($"{Description} (POST /query/jobs)", HttpMethod.Post, "query/jobs", body, cancellationToken);
        var data = Data(answer, "submit", window);
        return AquaExport.JsonText(data, "id") ?? throw Failure(window, "submit answer has no data.id", null);
    }

    public async Task<JobPoll> PollAsync(string jobId, SyncWindow window, CancellationToken cancellationToken)
    {
        var answer = await http.SendJsonAsync($"{Description} (GET /query/jobs/{jobId})", HttpMethod.Get, $"query/jobs/{Uri.EscapeDataString(jobId)}", null, cancellationToken);
        var data = Data(answer, $"job {jobId}", window);
        var status = AquaExport.JsonText(data, "queryStatus")?.ToLowerInvariant();
        var error = ZuoraError.From(data);
        return status switch
        {
            "submitted" or "accepted" or "in_progress" => JobPoll.Running,
            "completed" => JobPoll.Done([AquaExport.JsonText(data, "dataFile") ?? (NoRows(data) ? NoFile : throw Ended(window, $"completed job {jobId} has no dataFile", null))]),
            null => throw Failure(window, $"job {jobId}: the status answer has no queryStatus ({error})", error.Code),
            "failed" or "cancelled" or "aborted" => throw Ended(window, $"job {jobId} ended {status}: {Reason(data, error)}", error.Code),
            _ => throw Failure(window, $"job {jobId} has a queryStatus the source does not know: {status} ({error})", error.Code),
        };
    }

    public async Task CancelAsync(string jobId, CancellationToken cancellationToken) =>
        await http.SendJsonAsync($"cancel {Description} (DELETE /query/jobs/{jobId})", HttpMethod.Delete, $"query/jobs/{Uri.EscapeDataString(jobId)}", null, cancellationToken);

    public async IAsyncEnumerable<SourceRow> DownloadAsync(string result, SyncWindow window, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (result == NoFile)
        {
            yield break;
        }

        if (!Uri.TryCreate(result, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            throw Failure(window, "dataFile is not an http(s) URL", null);
        }

        // The pre-signed URL carries its own signature: never name it whole in a message.
        var call = $"{Description} result download ({url.GetLeftPart(UriPartial.Path)})";
        using var response = await http.SendAsync(call, () => new HttpRequestMessage(HttpMethod.Get, url), RequestKind.Presigned, cancellationToken);
        await using var body = await http.OpenBodyAsync(response, call, cancellationToken);
        await using var csv = await GzipOrPlain.OpenAsync(body, cancellationToken);
        var what = $"Zuora {Description} {WindowHalving.Describe(window)}";
        await foreach (var row in CsvRows.ReadAsync(csv, _keys, Required, deleted: true, what, emptyFileIsNoRows: true, zuoraObject.Name, systemTimeZone, cancellationToken))
        {
            // Only the key and the deletion time: every other value stays null (the CSV has no other column).
            var values = new object?[schema.Columns.Count];
            foreach (var name in Required)
            {
                var at = schema.IndexOf(name);
                values[at] = row.Values[at];
            }

            yield return new SourceRow(values, Deleted: true);
        }
    }

    /// <summary>
    /// Why a job ended: Zuora's error if the answer carries one (the client reads <c>errorCode</c>/<c>errorMessage</c>/
    /// <c>message</c>), else where to look. The definition's data query job has no error field at all.
    /// </summary>
    private static string Reason(JsonElement data, ZuoraError error) =>
        error != default
            ? error.ToString()
            : $"Zuora's job gives no reason (a Data Query job has no error field); run the query in Zuora's Data Query page to see why: {AquaExport.JsonText(data, "query") ?? "(no query in the answer)"}";

    /// <summary>A completed job with <c>outputRows</c> 0 may have no <c>dataFile</c>: nothing was deleted in the window.</summary>
    private static bool NoRows(JsonElement data) =>
        data.TryGetProperty("outputRows", out var rows) && rows.ValueKind == JsonValueKind.Number && rows.TryGetInt64(out var count) && count == 0;

    /// <summary>The <c>data</c> object; a body without it (or with an error) is Zuora's refusal.</summary>
    private JsonElement Data(JsonElement answer, string step, SyncWindow window)
    {
        if (answer.ValueKind == JsonValueKind.Object && !ZuoraError.IsRefusal(answer) && answer.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object)
        {
            return data;
        }

        var error = ZuoraError.From(answer);
        throw Failure(window, $"{step}: {error}", error.Code);
    }

    private ZuoraApiException Failure(SyncWindow window, string problem, string? errorCode) =>
        new($"Zuora {Description} {WindowHalving.Describe(window)}: {problem}", null, errorCode);

    private JobEndedException Ended(SyncWindow window, string problem, string? errorCode) =>
        new($"Zuora {Description} {WindowHalving.Describe(window)}: {problem}", errorCode);
}
