using ServerlessSync.Core.Status;
using ServerlessSync.Functions.Hosting;

namespace ServerlessSync.Functions.Api;

/// <summary>
/// One JSON line per request on the output (stdout in Lambda, which goes to CloudWatch Logs), in the functions'
/// format (<see cref="JsonLogLine"/>): <c>time</c>, <c>level</c> (<c>ERROR</c> for a 5xx, else <c>INFO</c>),
/// <c>function</c>, <c>requestId</c>, <c>route</c> (method and path template), <c>status</c>, <c>connectorId</c> and
/// <c>runId</c> when the path or the start named them, and <c>error</c> (exception type and message) for a 5xx.
/// Members without a value are left out.
/// </summary>
internal sealed class ApiRequestLog(TextWriter output, TimeProvider time)
{
    public const string Function = "StatusApi";

    public void Write(string? requestId, StatusApiAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var failed = answer.Response.StatusCode >= 500;
        JsonLogLine.Write(output, time, failed ? "ERROR" : "INFO", Function, json =>
        {
            json.WriteIfSet("requestId", requestId);
            json.WriteString("route", answer.Route);
            json.WriteNumber("status", answer.Response.StatusCode);
            json.WriteIfSet("connectorId", answer.ConnectorId);
            json.WriteIfSet("runId", answer.RunId);
            json.WriteIfSet("error", failed && answer.Failure is { } failure ? JsonLogLine.ErrorText(failure) : null);
        });
    }
}
