using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;

namespace ServerlessSync.Testing.Zuora;

public sealed partial class FakeZuora
{
    private const int MaxQueriesPerJob = 50;

    /// <summary>
    /// Zuora's limit on stateless AQuA jobs per tenant that are submitted or executing ("Limits" of the AQuA API
    /// introduction: 50, and further job requests are rejected once it is reached).
    /// </summary>
    public const int MaxConcurrentStatelessJobs = 50;
    private const int MaxJobNameLength = 32;
    private const string SyntaxErrorCode = "90005";
    private const string SyntaxErrorMessage = "There is a syntax error in one of the queries in the AQuA input";

    private readonly Dictionary<string, AquaJob> _aquaJobs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AquaFile> _files = new(StringComparer.Ordinal);
    private readonly List<string> _zoqlQueries = [];
    private readonly List<(string? ObjectName, AquaJobFailure Failure, string ErrorCode, string Message)> _aquaFailures = [];
    private readonly List<string?> _fileMisses = [];
    private int _shortFiles;

    /// <summary>Every ZOQL query text received in an AQuA submit, in order (also those refused).</summary>
    public IReadOnlyList<string> ZoqlQueries => Locked(() => _zoqlQueries.ToList());

    /// <summary>
    /// The next AQuA job accepted (for <paramref name="objectName"/> when given: a job with a query on it) ends as
    /// <paramref name="failure"/> with <paramref name="message"/> instead of completing.
    /// </summary>
    public void FailNextAquaJob(string message, string? objectName = null, AquaJobFailure failure = AquaJobFailure.Error, string errorCode = "90000") =>
        Locked(() => _aquaFailures.Add((objectName, failure, errorCode, message)));

    /// <summary>The next download of <paramref name="fileId"/> (of any file when null) answers 404 once.</summary>
    public void MissNextFileDownload(string? fileId = null) => Locked(() => _fileMisses.Add(fileId));

    /// <summary>The next file downloaded ends one record early, as a transfer cut off between two lines would (its batch's recordCount is unchanged).</summary>
    public void CutNextFileShort() => Locked(() => _shortFiles++);

    private Task SubmitAquaAsync(HttpContext context, string body)
    {
        if (JsonObjectOf(body) is not { } request)
        {
            return WriteJsonAsync(context, 400, Message("the AQuA request body is not a JSON object"));
        }

        var queries = request.TryGetProperty("queries", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().ToList()
            : [];
        var texts = queries.Select(q => Text(q, "query") ?? "").ToList();
        Locked(() => _zoqlQueries.AddRange(texts));
        if (RefusalOf(request, queries) is { } refusal)
        {
            return WriteJsonAsync(context, 200, AquaError(refusal.Code, refusal.Message));
        }

        // Zuora documents that a request past the limit is rejected, not the form of the rejection: an AQuA error body, as for its other refusals.
        if (Locked(() => _aquaJobs.Values.Count(j => !j.Ended)) >= MaxConcurrentStatelessJobs)
        {
            return WriteJsonAsync(context, 200, AquaError("90000", $"The tenant already has {MaxConcurrentStatelessJobs} stateless AQuA jobs submitted or executing; submit again when one has ended"));
        }

        var submitted = Now;
        var batches = queries.Select((q, i) => NewBatch(Text(q, "name") ?? $"query{i + 1}", texts[i], ZoqlExportQuery.TryParse(texts[i], out _)!)).ToList();
        var job = new AquaJob(NewHexId(), Text(request, "name") ?? "", Text(request, "encrypted") ?? "none",
            Text(request, "useQueryLabels") ?? "false", Text(request, "dateTimeUtc") ?? "false", batches);
        var json = Locked(() =>
        {
            var objects = batches.Select(b => b.ObjectName).ToList();
            var failureAt = _aquaFailures.FindIndex(f => f.ObjectName is null || objects.Contains(f.ObjectName, StringComparer.OrdinalIgnoreCase));
            if (failureAt >= 0)
            {
                var (_, failure, errorCode, message) = _aquaFailures[failureAt];
                job.Failure = (failure, errorCode, message);
                _aquaFailures.RemoveAt(failureAt);
            }

            job.NeverCompletes = batches.Any(b => NeverCompletes(b.Window, submitted));
            job.SubmittedAt = submitted;
            _aquaJobs.Add(job.Id, job);
            JobStarted();
            return job.ToJson();
        });
        return WriteJsonAsync(context, 200, json);
    }

    /// <summary>Why the fake refuses an AQuA request (as HTTP 200 with an error body), or null when it accepts it.</summary>
    private (string Code, string Message)? RefusalOf(JsonElement request, List<JsonElement> queries)
    {
        if (Text(request, "version") != "1.0")
        {
            return (SyntaxErrorCode, "version must be 1.0 (stateless AQuA)");
        }

        if (!string.Equals(Text(request, "format"), "csv", StringComparison.OrdinalIgnoreCase))
        {
            return (SyntaxErrorCode, "format must be csv");
        }

        if (Text(request, "name") is { Length: > MaxJobNameLength } name)
        {
            // Zuora documents the limit ("The name of the job. 32 character limit."); how it refuses a longer name is not.
            return (SyntaxErrorCode, $"The job name '{name}' is longer than {MaxJobNameLength} characters");
        }

        if (request.TryGetProperty("partner", out _) || request.TryGetProperty("project", out _))
        {
            return (SyntaxErrorCode, "partner/project (stateful AQuA) is not supported by the fake Zuora");
        }

        if (queries.Count == 0)
        {
            return ("90016", "There are no queries in the AQuA input");
        }

        if (queries.Count > MaxQueriesPerJob)
        {
            return ("90004", $"There are more than {MaxQueriesPerJob} queries in the AQuA input");
        }

        foreach (var query in queries)
        {
            if (Text(query, "type") != "zoqlexport")
            {
                return (SyntaxErrorCode, "query type must be zoqlexport");
            }

            if (ZoqlExportQuery.TryParse(Text(query, "query") ?? "", out _) is not { } parsed || !_tenant.HasObject(parsed.ObjectName))
            {
                return (SyntaxErrorCode, SyntaxErrorMessage);
            }

            if (_tenant.IsForbidden(parsed.ObjectName))
            {
                return ("90009", $"The user is not authorized to export {parsed.ObjectName}");
            }

            if (parsed.Fields.FirstOrDefault(f => SelectedField(parsed.ObjectName, f) is null) is { } unknown)
            {
                return (SyntaxErrorCode, $"There is no field named {unknown} that can be exported from {parsed.ObjectName}");
            }
        }

        return null;
    }

    /// <summary>
    /// A batch holding the records live now that the query selects (the tenant replaces a record it changes, so these
    /// stay as they were at submit); their CSV is written only when the file is downloaded.
    /// </summary>
    private AquaBatch NewBatch(string name, string text, ZoqlExportQuery query)
    {
        var columns = query.Fields.Select(f => SelectedField(query.ObjectName, f)!.Name).ToList();
        var records = _tenant.Records(query.ObjectName).Where(r => query.Window.Contains(r.UpdatedDate)).ToList();
        var objectName = _tenant.ObjectName(query.ObjectName);
        var header = _options.PrefixedHeaders ? query.Fields.Select(f => f.Contains('.', StringComparison.Ordinal) ? f : $"{objectName}.{f}").ToList() : query.Fields;
        return new AquaBatch(NewHexId(), name, text, objectName, query.Window, new AquaFile(header, columns, records));
    }

    /// <summary>
    /// The field an export query's <paramref name="selected"/> name reads: an exportable field by its name, or a parent
    /// under describe's related objects by <c>Parent.Id</c>; null when the query may not select it.
    /// </summary>
    private ZuoraFieldDefinition? SelectedField(string objectName, string selected)
    {
        var fields = _tenant.Fields(objectName);
        var dot = selected.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return fields.FirstOrDefault(f => f.IsExportable && f.Name.Equals(selected, StringComparison.OrdinalIgnoreCase));
        }

        // A parent's id is a field of the record: the parent's own Id under the name ParentId.
        var parent = selected[..dot];
        return selected[(dot + 1)..].Equals("Id", StringComparison.OrdinalIgnoreCase) && _tenant.RelatedObjects(objectName).Contains(parent, StringComparer.OrdinalIgnoreCase)
            ? fields.FirstOrDefault(f => f.Name.Equals(parent + "Id", StringComparison.OrdinalIgnoreCase))
            : null;
    }

    private Task AquaStatusAsync(HttpContext context, string id)
    {
        var json = Locked(() =>
        {
            if (!_aquaJobs.TryGetValue(id, out var job))
            {
                return null;
            }

            if (!job.Ended && StepDue(ref job.Polls))
            {
                Step(job);
            }

            return job.ToJson();
        });
        return json is null ? NoAquaJobAsync(context, id) : WriteJsonAsync(context, 200, json);
    }

    /// <summary>Moves <paramref name="job"/> one step. Call under the gate.</summary>
    private void Step(AquaJob job)
    {
        if (job.Status == "submitted")
        {
            job.Status = "executing";
            job.Batches.ForEach(b => b.Status = "executing");
            return;
        }

        if (job.NeverCompletes || StillRunning(job.SubmittedAt, job.Batches.FirstOrDefault()?.ObjectName))
        {
            return;
        }

        if (job.Failure is { } failure)
        {
            job.Status = failure.Kind == AquaJobFailure.Error ? "error" : "aborted";
            job.ErrorCode = failure.Kind == AquaJobFailure.Error ? failure.ErrorCode : null;
            job.Message = failure.Message;
            job.Batches.ForEach(b => (b.Status, b.Message) = ("aborted", failure.Message));
        }
        else
        {
            job.Status = "completed";
            foreach (var batch in job.Batches)
            {
                batch.Status = "completed";
                if (_options.SegmentRecords is { } perFile)
                {
                    batch.Segments = [.. batch.File.Records.Chunk(perFile).DefaultIfEmpty([]).Select(part => NewFile(batch.File with { Records = part }))];
                }
                else
                {
                    batch.FileId = NewFile(batch.File);
                }
            }
        }

        _runningJobs--;
    }

    /// <summary>Stores <paramref name="file"/> for download and returns its id. Call under the gate.</summary>
    private string NewFile(AquaFile file)
    {
        var fileId = NewHexId();
        _files[fileId] = file;
        return fileId;
    }

    private Task CancelAquaAsync(HttpContext context, string id)
    {
        var json = Locked(() =>
        {
            if (!_aquaJobs.TryGetValue(id, out var job))
            {
                return null;
            }

            if (job.Ended)
            {
                return AquaError("90003", $"The job {id} has already ended ({job.Status}) and cannot be cancelled");
            }

            job.Status = "cancelled";
            job.Batches.ForEach(b => (b.Status, b.Message) = ("aborted", "the job was cancelled"));
            _runningJobs--;
            _jobsCancelled++;
            return job.ToJson();
        });
        return json is null ? NoAquaJobAsync(context, id) : WriteJsonAsync(context, 200, json);
    }

    private Task FileAsync(HttpContext context, string fileId)
    {
        var file = Locked(() =>
        {
            var miss = _fileMisses.FindIndex(f => f is null || f == fileId);
            if (miss >= 0 && _files.ContainsKey(fileId))
            {
                _fileMisses.RemoveAt(miss);
                return null;
            }

            return _files.TryGetValue(fileId, out var found) ? found : null;
        });
        var cut = file is not null && Locked(() => _shortFiles > 0 && _shortFiles-- > 0);
        if (file is null)
        {
            return WriteJsonAsync(context, 404, Message($"File {fileId} not found"));
        }

        if (file.Records.Count > _options.MaxFileRecords)
        {
            context.Response.StatusCode = 403;
            context.Response.ContentType = "text/xml; charset=utf-8";
            return context.Response.WriteAsync("<security:max-object-size>2047MB</security:max-object-size>");
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/csv; charset=utf-8";
        var rows = (cut ? file.Rows().SkipLast(1) : file.Rows()).Select(r => (IReadOnlyList<object?>)[.. r.Select(ExportValue)]);
        return ZuoraCsv.WriteAsync(context.Response.Body, file.Header, rows, context.RequestAborted);
    }

    /// <summary>A value as an export writes it: a datetime at midnight in Zuora system time as its date alone.</summary>
    private object? ExportValue(object? value)
    {
        if (value is DateTimeOffset instant)
        {
            var local = TimeZoneInfo.ConvertTime(instant, _options.SystemTimeZone);
            return local.TimeOfDay == TimeSpan.Zero ? DateOnly.FromDateTime(local.DateTime) : value;
        }

        return value;
    }

    private Task DescribeAsync(HttpContext context, string objectName)
    {
        if (!_tenant.HasObject(objectName))
        {
            return WriteJsonAsync(context, 404, Message($"Object {objectName} not found"));
        }

        var name = _tenant.ObjectName(objectName);
        var xml = new XElement("object",
            new XElement("name", name),
            new XElement("label", name),
            new XElement("fields", _tenant.Fields(name).Where(f => f.RelatedObject is null).Select(f => new XElement("field",
                new XElement("name", f.Name),
                new XElement("label", f.Label ?? f.Name),
                new XElement("type", f.Type),
                new XElement("selectable", f.Selectable ? "true" : "false"),
                new XElement("contexts", f.Contexts.Select(c => new XElement("context", c)))))),
            new XElement("related-objects", _tenant.RelatedObjects(name).Select(r => new XElement("object",
                new XAttribute("href", new Uri(Url, $"v1/describe/{r}").ToString()),
                new XElement("name", r),
                new XElement("label", r)))));
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/xml; charset=utf-8";
        return context.Response.WriteAsync(xml.ToString(SaveOptions.DisableFormatting));
    }

    private static Task NoAquaJobAsync(HttpContext context, string id) => WriteJsonAsync(context, 404, Message($"AQuA job {id} not found"));

    private static JsonObject AquaError(string code, string message) => new() { ["status"] = "error", ["errorCode"] = code, ["message"] = message };

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private sealed class AquaJob(string id, string name, string encrypted, string useQueryLabels, string dateTimeUtc, List<AquaBatch> batches)
    {
        public int Polls;

        public string Id { get; } = id;

        public List<AquaBatch> Batches { get; } = batches;

        public string Status { get; set; } = "submitted";

        public string? ErrorCode { get; set; }

        public string? Message { get; set; }

        public bool NeverCompletes { get; set; }

        public DateTimeOffset SubmittedAt { get; set; }

        public (AquaJobFailure Kind, string ErrorCode, string Message)? Failure { get; set; }

        public bool Ended => Status is not ("submitted" or "executing");

        public JsonObject ToJson()
        {
            var json = new JsonObject
            {
                ["id"] = Id,
                ["status"] = Status,
                ["version"] = "1.0",
                ["format"] = "CSV",
                ["encrypted"] = encrypted,
                ["useQueryLabels"] = useQueryLabels,
                ["dateTimeUtc"] = dateTimeUtc,
                ["name"] = name,
                ["batches"] = new JsonArray([.. Batches.Select(b => b.ToJson())]),
            };
            if (ErrorCode is not null)
            {
                json["errorCode"] = ErrorCode;
            }

            if (Message is not null)
            {
                json["message"] = Message;
            }

            return json;
        }
    }

    /// <summary>An export file: its header as queried, the field names in the tenant, and the records in its rows.</summary>
    private sealed record AquaFile(IReadOnlyList<string> Header, IReadOnlyList<string> Columns, IReadOnlyList<ZuoraRecord> Records)
    {
        public IEnumerable<IReadOnlyList<object?>> Rows() => Records.Select(r => (IReadOnlyList<object?>)[.. Columns.Select(r.Value)]);
    }

    private sealed class AquaBatch(string batchId, string name, string query, string objectName, ZuoraWindow window, AquaFile file)
    {
        public string ObjectName { get; } = objectName;

        public ZuoraWindow Window { get; } = window;

        public AquaFile File { get; } = file;

        public string Status { get; set; } = "pending";

        public string Message { get; set; } = "";

        public string? FileId { get; set; }

        public List<string>? Segments { get; set; }

        public JsonObject ToJson()
        {
            var json = new JsonObject
            {
                ["batchId"] = batchId,
                ["name"] = name,
                ["query"] = query,
                ["status"] = Status,
                ["recordCount"] = Status == "completed" ? File.Records.Count : 0,
                ["batchType"] = "zoqlexport",
                ["apiVersion"] = "1.0",
                ["full"] = true,
                ["message"] = Message,
            };
            if (FileId is not null)
            {
                json["fileId"] = FileId;
            }

            if (Segments is not null)
            {
                json["segments"] = new JsonArray([.. Segments.Select(s => (JsonNode)s)]);
            }

            return json;
        }
    }
}
