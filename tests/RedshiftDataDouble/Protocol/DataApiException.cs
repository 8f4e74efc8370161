namespace RedshiftDataDouble.Protocol;

/// <summary>An error answer of the Data API: its <c>__type</c> code, message and HTTP status.</summary>
internal sealed class DataApiException(string code, string message) : Exception(message)
{
    // The model marks these as faults (server side): they come back as 5xx.
    private static readonly HashSet<string> ServerFaults =
        ["InternalServerException", "ExecuteStatementException", "BatchExecuteStatementException", "DatabaseConnectionException"];

    public string Code { get; } = code;

    public int StatusCode => Code switch
    {
        "ServiceUnavailableException" => 503,
        _ when ServerFaults.Contains(Code) => 500,
        _ => 400,
    };

    /// <summary>The <c>ResourceId</c> member of a ResourceNotFoundException.</summary>
    public string? ResourceId { get; init; }

    /// <summary>The <c>StatementId</c> member of ExecuteStatementException and BatchExecuteStatementException.</summary>
    public string? StatementId { get; init; }

    public static DataApiException Validation(string message) => new("ValidationException", message);

    public static DataApiException NotFound(string message, string resourceId) => new("ResourceNotFoundException", message) { ResourceId = resourceId };
}
