using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace ServerlessSync.Testing.Zuora;

public sealed partial class FakeZuora
{
    private readonly Dictionary<string, DataQueryJob> _dataQueryJobs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Signature, byte[] Content)> _dataFiles = new(StringComparer.Ordinal);
    private readonly List<string> _sqlQueries = [];
    private readonly List<string> _dataQueryFailures = [];
    private readonly Queue<DataQueryResultFault> _dataQueryResultFaults = new();

    /// <summary>The next Data Query job accepted completes with a result shaped by <paramref name="fault"/>.</summary>
    public void FaultNextDataQueryResult(DataQueryResultFault fault) => Locked(() => _dataQueryResultFaults.Enqueue(fault));

    /// <summary>
    /// Why each Data Query job the fake failed on submit failed, in order. Only here: Zuora's job record has no field for
    /// a reason, so the failed job's answer gives none.
    /// </summary>
    public IReadOnlyList<string> DataQueryFailures => Locked(() => _dataQueryFailures.ToList());

    /// <summary>Every Data Query SQL text received, in order (also those whose job fails).</summary>
    public IReadOnlyList<string> SqlQueries => Locked(() => _sqlQueries.ToList());

    private Task SubmitDataQueryAsync(HttpContext context, string body)
    {
        if (!(context.Request.ContentType ?? "").StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return WriteJsonAsync(context, 415, Message("Content-Type must be application/json"));
        }

        if (JsonObjectOf(body) is not { } request)
        {
            return WriteJsonAsync(context, 400, Message("the Data Query request body is not a JSON object"));
        }

        var query = Text(request, "query") ?? "";
        var readDeleted = request.TryGetProperty("readDeleted", out var flag) && flag.ValueKind == JsonValueKind.True;
        var gzip = string.Equals(Text(request, "compression"), "GZIP", StringComparison.OrdinalIgnoreCase);
        var submitted = Now;
        var job = new DataQueryJob(Guid.NewGuid().ToString("D"), query, submitted);
        string? problem;
        var sql = DataQuerySql.TryParse(query, out problem);
        if (sql is not null && !string.Equals(Text(request, "outputFormat"), "CSV", StringComparison.OrdinalIgnoreCase))
        {
            problem = "outputFormat must be CSV";
        }
        else if (sql is not null && !_tenant.HasObject(sql.ObjectName))
        {
            problem = $"table {sql.ObjectName} does not exist";
        }
        else if (sql is not null)
        {
            var (csv, rows) = DataQueryResult(sql, readDeleted);
            job.Result = (Compress(csv, gzip), rows, gzip);
        }

        var json = Locked(() =>
        {
            _sqlQueries.Add(query);
            if (job.Result is null)
            {
                _dataQueryFailures.Add($"Unsupported query: {problem}");
            }

            job.NeverCompletes = sql is not null && NeverCompletes(sql.Window, submitted);
            if (job.Result is { } result && _dataQueryResultFaults.TryDequeue(out var fault))
            {
                job.Result = fault switch
                {
                    DataQueryResultFault.NoDataFile => (result.Content, 0, result.Gzip),
                    DataQueryResultFault.ZeroByteFile => ([], 0, false),
                    DataQueryResultFault.Failed => null,
                    _ => ([.. Encoding.UTF8.GetBytes("id,updateddate\n"), 0xff, 0xfe, .. Encoding.UTF8.GetBytes(",2026-11-01T00:00:00Z\n")], 1, false),
                };
                job.OmitDataFile = fault == DataQueryResultFault.NoDataFile;
            }

            _dataQueryJobs.Add(job.Id, job);
            JobStarted();
            return job.ToJson(Url);
        });
        return WriteJsonAsync(context, 200, json);
    }

    /// <summary>The CSV (lowercase header) of the deleted records (with <paramref name="readDeleted"/>) or live records in the window, and its row count.</summary>
    private (string Csv, int Rows) DataQueryResult(DataQuerySql sql, bool readDeleted)
    {
        var rows = readDeleted
            ? _tenant.DeletedRecords(sql.ObjectName).Where(d => sql.Window.Contains(d.DeletedAt)).Select(d => (d.Record.Id, UpdatedDate: d.DeletedAt))
            : _tenant.Records(sql.ObjectName).Where(r => sql.Window.Contains(r.UpdatedDate)).Select(r => (r.Id, r.UpdatedDate));
        var lines = rows.Select(r => (IReadOnlyList<object?>)[.. sql.Columns.Select(c => c == "id" ? (object)r.Id : r.UpdatedDate)]).ToList();
        return (ZuoraCsv.Write(sql.Columns, lines), lines.Count);
    }

    private static byte[] Compress(string csv, bool gzip)
    {
        var bytes = Encoding.UTF8.GetBytes(csv);
        if (!gzip)
        {
            return bytes;
        }

        using var buffer = new MemoryStream();
        using (var compressor = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            compressor.Write(bytes);
        }

        return buffer.ToArray();
    }

    private Task DataQueryStatusAsync(HttpContext context, string id)
    {
        var json = Locked(() =>
        {
            if (!_dataQueryJobs.TryGetValue(id, out var job))
            {
                return null;
            }

            if (!job.Ended && StepDue(ref job.Polls))
            {
                Step(job);
            }

            return job.ToJson(Url);
        });
        return json is null ? NoDataQueryJobAsync(context, id) : WriteJsonAsync(context, 200, json);
    }

    /// <summary>Moves <paramref name="job"/> one step: accepted → in_progress (or failed) → completed. Call under the gate.</summary>
    private void Step(DataQueryJob job)
    {
        job.UpdatedOn = Now;
        if (job.Result is not { } result)
        {
            job.Status = "failed";
        }
        else if (job.Status == "accepted")
        {
            job.Status = "in_progress";
            return;
        }
        else if (job.NeverCompletes || StillRunning(job.CreatedOn))
        {
            return;
        }
        else
        {
            job.Status = "completed";
            job.DataFileName = job.Id + (result.Gzip ? ".csv.gz" : ".csv");
            job.Signature = NewHexId();
            _dataFiles[job.DataFileName] = (job.Signature, result.Content);
        }

        _runningJobs--;
    }

    private Task CancelDataQueryAsync(HttpContext context, string id)
    {
        var json = Locked(() =>
        {
            if (!_dataQueryJobs.TryGetValue(id, out var job))
            {
                return null;
            }

            if (!job.Ended)
            {
                job.Status = "cancelled";
                job.UpdatedOn = Now;
                _runningJobs--;
                _jobsCancelled++;
            }

            return job.ToJson(Url);
        });
        return json is null ? NoDataQueryJobAsync(context, id) : WriteJsonAsync(context, 200, json);
    }

    /// <summary>A result file, served like a pre-signed S3 URL: the signature must match and an Authorization header is refused.</summary>
    private Task DataFileAsync(HttpContext context, string name)
    {
        if (context.Request.Headers.Authorization.Count > 0)
        {
            return WriteS3ErrorAsync(context, 400, "InvalidArgument",
                "Only one auth mechanism allowed; the request has both a query-string signature and an Authorization header");
        }

        var file = Locked(() => _dataFiles.TryGetValue(name, out var stored) ? stored : ((string Signature, byte[] Content)?)null);
        if (file is not { } found || context.Request.Query["X-Amz-Signature"].ToString() != found.Signature)
        {
            return WriteS3ErrorAsync(context, 403, "AccessDenied", "Access Denied");
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/octet-stream";
        return context.Response.Body.WriteAsync(found.Content).AsTask();
    }

    private static Task WriteS3ErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/xml";
        return context.Response.WriteAsync($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message></Error>");
    }

    private static Task NoDataQueryJobAsync(HttpContext context, string id) => WriteJsonAsync(context, 404, Message($"Data Query job {id} not found"));

    private sealed class DataQueryJob(string id, string query, DateTimeOffset createdOn)
    {
        public int Polls;

        public string Id { get; } = id;

        public string Status { get; set; } = "accepted";

        public DateTimeOffset CreatedOn { get; } = createdOn;

        public DateTimeOffset UpdatedOn { get; set; } = createdOn;

        public (byte[] Content, int Rows, bool Gzip)? Result { get; set; }

        public bool NeverCompletes { get; set; }

        public bool OmitDataFile { get; set; }

        public string? DataFileName { get; set; }

        public string? Signature { get; set; }

        public bool Ended => Status is not ("accepted" or "in_progress");

        public JsonObject ToJson(Uri baseUrl)
        {
            var data = new JsonObject
            {
                ["id"] = Id,
                ["query"] = query,
                ["queryStatus"] = Status,
                ["remainingRetries"] = 3,
                ["createdOn"] = Timestamp(CreatedOn),
                ["updatedOn"] = Timestamp(UpdatedOn),
            };
            if (Status == "completed" && Result is { } result)
            {
                data["outputRows"] = result.Rows;
            }

            if (Status == "completed" && !OmitDataFile)
            {
                data["dataFile"] = new Uri(baseUrl, $"dq-results/{DataFileName}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature={Signature}").ToString();
            }

            return new JsonObject { ["data"] = data };
        }

        private static string Timestamp(DateTimeOffset instant) =>
            instant.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }
}
