namespace ServerlessSync.Functions.Hosting;

/// <summary>
/// One invocation's structured log: each entry is one JSON line on the output (stdout in Lambda, which goes to
/// CloudWatch Logs; <see cref="JsonLogLine"/>) with <c>time</c> (from the host's clock), <c>level</c>, <c>function</c>,
/// and, once known, <c>connectorId</c>, <c>runId</c> and <c>object</c>, then <c>message</c> and, for a failure,
/// <c>error</c> (exception type and message). Members without a value are left out.
/// </summary>
public sealed class FunctionLog
{
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

    public void Error(string message, Exception error) => Write("ERROR", message, JsonLogLine.ErrorText(error));

    private void Write(string level, string message, string? error) =>
        JsonLogLine.Write(_output, _time, level, Function, json =>
        {
            json.WriteIfSet("connectorId", ConnectorId);
            json.WriteIfSet("runId", RunId);
            json.WriteIfSet("object", ObjectName);
            json.WriteString("message", message);
            json.WriteIfSet("error", error);
        });
}
