using System.Text;
using System.Text.Json;

namespace ServerlessSync.Functions.Hosting;

/// <summary>
/// One invocation's structured log: each entry is one JSON line on the output (stdout in Lambda, which goes to
/// CloudWatch Logs) with <c>time</c> (from the host's clock), <c>level</c>, <c>function</c>, and, once known,
/// <c>connectorId</c>, <c>runId</c> and <c>object</c>, then <c>message</c> and, for a failure, <c>error</c>
/// (exception type and message). Members without a value are left out.
/// </summary>
public sealed class FunctionLog
{
    private static readonly Lock OutputGate = new();
    private readonly TextWriter _output;
    private readonly TimeProvider _time;

    internal FunctionLog(TextWriter output, TimeProvider time, string function)
    {
        _output = output;
        _time = time;
        Function = function;
    }

    public string Function { get; }

    public string? ConnectorId { get; private set; }

    public string? RunId { get; private set; }

    public string? ObjectName { get; private set; }

    /// <summary>Sets what the following entries are about; a null argument keeps the value already set.</summary>
    public FunctionLog About(string? connectorId = null, string? runId = null, string? objectName = null)
    {
        ConnectorId = connectorId ?? ConnectorId;
        RunId = runId ?? RunId;
        ObjectName = objectName ?? ObjectName;
        return this;
    }

    public void Info(string message) => Write("INFO", message, null);

    public void Warn(string message) => Write("WARN", message, null);

    public void Error(string message, Exception error) => Write("ERROR", message, $"{error.GetType().Name}: {error.Message}");

    private void Write(string level, string message, string? error)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("time", _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("level", level);
            json.WriteString("function", Function);
            WriteIfSet(json, "connectorId", ConnectorId);
            WriteIfSet(json, "runId", RunId);
            WriteIfSet(json, "object", ObjectName);
            json.WriteString("message", message);
            WriteIfSet(json, "error", error);
            json.WriteEndObject();
        }

        var line = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        lock (OutputGate)
        {
            _output.WriteLine(line);
            _output.Flush();
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
