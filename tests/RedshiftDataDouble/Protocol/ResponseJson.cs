using System.Globalization;
using System.Text.Json;
using RedshiftDataDouble.Statements;

namespace RedshiftDataDouble.Protocol;

/// <summary>
/// Writes the Data API's output shapes, member names exactly as in the model. Timestamps are epoch seconds
/// with milliseconds, as JSON numbers; members without a value are left out. Callers hold the submission's gate.
/// </summary>
internal static class ResponseJson
{
    public static void WriteSubmitted(Utf8JsonWriter json, Submission submission, bool withStatus)
    {
        json.WriteStartObject();
        json.WriteString("Id", submission.Id);
        WriteTimestamp(json, "CreatedAt", submission.CreatedAt);
        WriteTarget(json, submission.Target);
        if (withStatus)
        {
            json.WriteString("Status", StatusText(submission.Status));
            json.WriteBoolean("HasResultSet", submission.Parts.Any(p => p.HasResultSet));
            json.WriteNumber("RedshiftPid", submission.RedshiftPid);
        }

        json.WriteEndObject();
    }

    /// <summary>DescribeStatement of a submission, or of one batch statement when <paramref name="subStatement"/> is given.</summary>
    public static void WriteDescription(Utf8JsonWriter json, Submission submission, StatementPart? subStatement)
    {
        json.WriteStartObject();
        if (subStatement is not null)
        {
            WritePartMembers(json, subStatement);
        }
        else if (!submission.IsBatch)
        {
            var part = submission.Parts[0];
            json.WriteString("Id", submission.Id);
            json.WriteString("Status", StatusText(submission.Status));
            WriteOptional(json, "Error", submission.Error);
            WriteTimestamp(json, "CreatedAt", submission.CreatedAt);
            WriteTimestamp(json, "UpdatedAt", Latest(submission.UpdatedAt, part.UpdatedAt));
            json.WriteNumber("Duration", submission.DurationNanoseconds);
            json.WriteBoolean("HasResultSet", part.HasResultSet);
            json.WriteNumber("ResultRows", part.ResultRows);
            json.WriteNumber("ResultSize", part.ResultSize);
            json.WriteNumber("RedshiftQueryId", part.RedshiftQueryId);
            json.WriteString("QueryString", part.Sql);
        }
        else
        {
            json.WriteString("Id", submission.Id);
            json.WriteString("Status", StatusText(submission.Status));
            WriteOptional(json, "Error", submission.Error);
            WriteTimestamp(json, "CreatedAt", submission.CreatedAt);
            WriteTimestamp(json, "UpdatedAt", submission.Parts.Select(p => p.UpdatedAt).Aggregate(submission.UpdatedAt, Latest));
            json.WriteNumber("Duration", submission.DurationNanoseconds);
            json.WriteBoolean("HasResultSet", submission.Parts.Any(p => p.HasResultSet));
            json.WriteNumber("ResultRows", submission.TotalResultRows);
            json.WriteNumber("ResultSize", submission.Parts.Where(p => p.ResultSize >= 0).Sum(p => p.ResultSize));
            json.WriteNumber("RedshiftQueryId", 0);
            json.WriteString("ExecutionMode", submission.AutoCommit ? "AUTO_COMMIT" : "TRANSACTION");
            json.WriteStartArray("SubStatements");
            foreach (var part in submission.Parts)
            {
                json.WriteStartObject();
                WritePartMembers(json, part);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteNumber("RedshiftPid", submission.RedshiftPid);
        if (submission.Parameters.Count > 0)
        {
            json.WriteStartArray("QueryParameters");
            foreach (var (name, value) in submission.Parameters)
            {
                json.WriteStartObject();
                json.WriteString("name", name);
                json.WriteString("value", value);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        WriteTarget(json, submission.Target);
        json.WriteEndObject();
    }

    public static void WriteResultPage(Utf8JsonWriter json, ResultSet result, int offset, int pageSize, string? nextToken)
    {
        json.WriteStartObject();
        json.WriteStartArray("Records");
        foreach (var row in result.Rows.Skip(offset).Take(pageSize))
        {
            json.WriteStartArray();
            for (var i = 0; i < row.Length; i++)
            {
                WriteField(json, result.Columns[i].Kind, row[i]);
            }

            json.WriteEndArray();
        }

        json.WriteEndArray();
        json.WriteStartArray("ColumnMetadata");
        foreach (var column in result.Columns)
        {
            json.WriteStartObject();
            json.WriteBoolean("isCaseSensitive", column.IsCaseSensitive);
            json.WriteBoolean("isCurrency", false);
            json.WriteBoolean("isSigned", column.IsSigned);
            json.WriteString("label", column.Name);
            json.WriteString("name", column.Name);
            json.WriteNumber("nullable", column.Nullable);
            json.WriteNumber("precision", column.Precision);
            json.WriteNumber("scale", column.Scale);
            json.WriteString("schemaName", column.SchemaName);
            json.WriteString("tableName", column.TableName);
            json.WriteString("typeName", column.TypeName);
            json.WriteNumber("length", 0);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteNumber("TotalNumRows", result.Rows.Count);
        WriteOptional(json, "NextToken", nextToken);
        json.WriteEndObject();
    }

    public static void WriteError(Utf8JsonWriter json, DataApiException error)
    {
        json.WriteStartObject();
        json.WriteString("__type", error.Code);
        // The model names the member "Message"; many awsJson services send "message". Both, so either reader works.
        json.WriteString("message", error.Message);
        json.WriteString("Message", error.Message);
        WriteOptional(json, "ResourceId", error.ResourceId);
        WriteOptional(json, "StatementId", error.StatementId);
        json.WriteEndObject();
    }

    public static string StatusText(StatementStatus status) => status switch
    {
        StatementStatus.Submitted => "SUBMITTED",
        StatementStatus.Started => "STARTED",
        StatementStatus.Finished => "FINISHED",
        StatementStatus.Failed => "FAILED",
        _ => "ABORTED",
    };

    // One member of the Field union: integers as longValue, booleans as booleanValue, finite floating point
    // as doubleValue (NaN and infinities, which JSON numbers cannot carry, as text), the rest as stringValue.
    private static void WriteField(Utf8JsonWriter json, FieldKind kind, string? value)
    {
        json.WriteStartObject();
        if (value is null)
        {
            json.WriteBoolean("isNull", true);
        }
        else if (kind == FieldKind.Long)
        {
            json.WriteNumber("longValue", long.Parse(value, CultureInfo.InvariantCulture));
        }
        else if (kind == FieldKind.Boolean)
        {
            json.WriteBoolean("booleanValue", value == "t");
        }
        else if (kind == FieldKind.Double && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            json.WriteNumber("doubleValue", number);
        }
        else
        {
            json.WriteString("stringValue", value);
        }

        json.WriteEndObject();
    }

    private static void WritePartMembers(Utf8JsonWriter json, StatementPart part)
    {
        json.WriteString("Id", part.Id);
        json.WriteString("Status", StatusText(part.Status));
        WriteOptional(json, "Error", part.Error);
        WriteTimestamp(json, "CreatedAt", part.CreatedAt);
        WriteTimestamp(json, "UpdatedAt", part.UpdatedAt);
        json.WriteNumber("Duration", part.DurationNanoseconds);
        json.WriteBoolean("HasResultSet", part.HasResultSet);
        json.WriteNumber("ResultRows", part.ResultRows);
        json.WriteNumber("ResultSize", part.ResultSize);
        json.WriteNumber("RedshiftQueryId", part.RedshiftQueryId);
        json.WriteString("QueryString", part.Sql);
    }

    private static void WriteTarget(Utf8JsonWriter json, StatementTarget target)
    {
        WriteOptional(json, "ClusterIdentifier", target.ClusterIdentifier);
        WriteOptional(json, "WorkgroupName", target.WorkgroupName);
        json.WriteString("Database", target.Database);
        WriteOptional(json, "DbUser", target.DbUser);
        WriteOptional(json, "SecretArn", target.SecretArn);
    }

    private static void WriteTimestamp(Utf8JsonWriter json, string name, DateTimeOffset value) =>
        json.WriteNumber(name, value.ToUnixTimeMilliseconds() / 1000m);

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static DateTimeOffset Latest(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
