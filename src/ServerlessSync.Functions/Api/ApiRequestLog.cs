using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ServerlessSync.Functions.Api;

/// <summary>
/// One JSON line per request on the output (stdout in Lambda, which goes to CloudWatch Logs): <c>time</c>,
/// <c>level</c> (<c>ERROR</c> for a 5xx, else <c>INFO</c>), <c>function</c>, <c>requestId</c>, <c>route</c>
/// (method and path template), <c>status</c>, <c>connectorId</c> and <c>runId</c> when the path or the start
/// named them, and <c>error</c> (exception type and message) for a 5xx. Members without a value are left out.
/// </summary>
internal sealed class ApiRequestLog(TextWriter output, TimeProvider time)
{
    public const string Function = "StatusApi";

    private static readonly Lock OutputGate = new();

    public void Write(string? requestId, ApiAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var failed = answer.Response.StatusCode >= 500;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("time", time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("level", failed ? "ERROR" : "INFO");
            json.WriteString("function", Function);
            WriteIfSet(json, "requestId", requestId);
            json.WriteString("route", answer.Route);
            json.WriteNumber("status", answer.Response.StatusCode);
            WriteIfSet(json, "connectorId", answer.ConnectorId);
            WriteIfSet(json, "runId", answer.RunId);
            WriteIfSet(json, "error", failed && answer.Failure is { } failure ? $"{failure.GetType().Name}: {failure.Message}" : null);
            json.WriteEndObject();
        }

        var line = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        lock (OutputGate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    private static void WriteIfSet(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
