using System.Runtime.CompilerServices;
using System.Text.Json;
using ServerlessSync.Core.Model;
using ServerlessSync.Zuora.Csv;
using ServerlessSync.Zuora.Http;

namespace ServerlessSync.Zuora.Jobs;

/// <summary>
/// An AQuA stateless export of one object's window: one ZOQL query per job, the result a CSV file whose record count
/// is its batch's <c>recordCount</c> (the source checks the download against it).
/// </summary>
internal sealed class AquaExport(ZuoraHttp http, ZuoraObject zuoraObject, ObjectSchema schema, IReadOnlyList<string> zuoraFields, TimeZoneInfo systemTimeZone) : IExportJob
{
    public string Description => $"AQuA export of {zuoraObject.Name}";

    public async Task<string> SubmitAsync(SyncWindow window, CancellationToken cancellationToken)
    {
        var body = ZuoraQueries.AquaJob(zuoraObject, ZuoraQueries.Zoql(zuoraObject, zuoraFields, window));
        var job = await http.SendJsonAsync($"{Description} (POST /v1/batch-query/)", HttpMethod.Post, "v1/batch-query/", body, cancellationToken);
        ThrowIfError(job, "submit", window);
        return JsonText(job, "id") ?? throw Failure(window, "submit answer has no job id", null);
    }

    public async Task<JobPoll> PollAsync(string jobId, SyncWindow window, CancellationToken cancellationToken)
    {
        var job = await http.SendJsonAsync($"{Description} (GET /v1/batch-query/jobs/{jobId})", HttpMethod.Get, $"v1/batch-query/jobs/{Uri.EscapeDataString(jobId)}", null, cancellationToken);
        ThrowIfError(job, $"job {jobId}", window);
        var status = JsonText(job, "status")?.ToLowerInvariant();
        switch (status)
        {
            case "submitted" or "executing" or "pending":
                return JobPoll.Running;
            case "completed":
                break;
            case null:
                throw Failure(window, $"job {jobId}: the status answer has no status ({ZuoraError.From(job)})", ZuoraError.From(job).Code);
            case "error" or "aborted" or "cancelled":
                throw Ended(window, $"job {jobId} ended {status}{BatchReason(job)}", JsonText(job, "errorCode"));
            default:
                throw Failure(window, $"job {jobId} has a status the source does not know: {status}{BatchReason(job)}", JsonText(job, "errorCode"));
        }

        // AQuA skips a query on an object the API user may not read: the job completes without its batch.
        var batch = FirstBatch(job) ?? throw Ended(window, $"completed job {jobId} ran no query for {zuoraObject.ApiName}: the API user may lack permission to read {zuoraObject.ApiName}", null);
        var batchStatus = JsonText(batch, "status")?.ToLowerInvariant();
        if (batchStatus != "completed")
        {
            throw Ended(window, $"job {jobId} completed but its batch is {batchStatus ?? "without status"}{BatchReason(job)}", null);
        }

        // A tenant with AQuA file segmentation lists the result as segments (files of at most 500,000 records) instead.
        IReadOnlyList<string> files = Segments(batch) is { Count: > 0 } segments
            ? segments
            : [JsonText(batch, "fileId") ?? throw Ended(window, $"completed batch of job {jobId} has neither a fileId nor segments", null)];
        return long.TryParse(JsonText(batch, "recordCount"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var records)
            ? JobPoll.Done(files, records)
            : JobPoll.Done(files);
    }

    public async Task CancelAsync(string jobId, CancellationToken cancellationToken) =>
        await http.SendJsonAsync($"cancel {Description} (DELETE /v1/batch-query/jobs/{jobId})", HttpMethod.Delete, $"v1/batch-query/jobs/{Uri.EscapeDataString(jobId)}", null, cancellationToken);

    public async IAsyncEnumerable<SourceRow> DownloadAsync(string result, SyncWindow window, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var url = http.Resolve($"v1/files/{Uri.EscapeDataString(result)}");
        using var response = await http.SendAsync($"{Description} file download (GET /v1/files/{result})", () => new HttpRequestMessage(HttpMethod.Get, url), RequestKind.File, cancellationToken);
        await using var stream = await http.OpenBodyAsync(response, $"{Description} file download (GET /v1/files/{result})", cancellationToken);
        var what = $"Zuora {Description} {WindowHalving.Describe(window)}, file {result}";
        var columns = schema.Columns.Select(c => c.Name).ToArray();
        await foreach (var row in CsvRows.ReadAsync(stream, schema, columns, deleted: false, what, emptyFileIsNoRows: false, zuoraObject.ApiName, systemTimeZone, cancellationToken))
        {
            yield return row;
        }
    }

    /// <summary>
    /// A 200 answer can still be an error: <c>"status":"error"</c> with an <c>errorCode</c> (the job ended, or was
    /// never started), or Zuora's REST error body (<c>"success":false</c> with <c>reasons</c>; the call was refused).
    /// </summary>
    private void ThrowIfError(JsonElement job, string step, SyncWindow window)
    {
        var status = JsonText(job, "status");
        var error = ZuoraError.From(job);
        if (string.Equals(status, "error", StringComparison.OrdinalIgnoreCase))
        {
            throw Ended(window, $"{step}: {error}", error.Code);
        }

        if ((status is null && JsonText(job, "errorCode") is not null) || ZuoraError.IsRefusal(job))
        {
            throw Failure(window, $"{step}: {error}", error.Code);
        }
    }

    private ZuoraApiException Failure(SyncWindow window, string problem, string? errorCode) =>
        new($"Zuora {Description} {WindowHalving.Describe(window)}: {problem}", null, errorCode);

    private JobEndedException Ended(SyncWindow window, string problem, string? errorCode) =>
        new($"Zuora {Description} {WindowHalving.Describe(window)}: {problem}", errorCode);

    private static JsonElement? FirstBatch(JsonElement job) =>
        job.TryGetProperty("batches", out var batches) && batches.ValueKind == JsonValueKind.Array && batches.GetArrayLength() > 0 ? batches[0] : null;

    /// <summary>The file ids of a batch's <c>segments</c> array, or null when it has none.</summary>
    private static List<string>? Segments(JsonElement batch) =>
        batch.TryGetProperty("segments", out var segments) && segments.ValueKind == JsonValueKind.Array
            ? [.. segments.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.String).Select(s => s.GetString()!).Where(s => s.Length > 0)]
            : null;

    private static string BatchReason(JsonElement job)
    {
        var error = ZuoraError.From(job);
        var batchMessage = FirstBatch(job) is { } batch ? JsonText(batch, "message") : null;
        var parts = new List<string>();
        if (error != default)
        {
            parts.Add(error.ToString());
        }

        if (!string.IsNullOrWhiteSpace(batchMessage))
        {
            parts.Add($"batch: {batchMessage}");
        }

        return parts.Count == 0 ? "" : ": " + string.Join("; ", parts);
    }

    internal static string? JsonText(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;
}
