using System.Text.Json;

namespace RedshiftDataDouble;

/// <summary>
/// A call the double received, recorded whatever the answer (<see cref="ErrorCode"/> says which error, if any).
/// Members are read from the body as sent; a member of the wrong JSON type reads as null.
/// </summary>
public sealed record ReceivedRequest
{
    /// <summary>The operation named by <c>X-Amz-Target</c> (<c>RedshiftData.</c> removed); empty when there was none.</summary>
    public required string Operation { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    public string? ClientToken { get; init; }

    public bool? WithEvent { get; init; }

    public string? StatementName { get; init; }

    public string? ClusterIdentifier { get; init; }

    public string? WorkgroupName { get; init; }

    public string? Database { get; init; }

    public string? DbUser { get; init; }

    public string? SecretArn { get; init; }

    /// <summary>The SQL texts: ExecuteStatement's <c>Sql</c> as one item, BatchExecuteStatement's <c>Sqls</c>; empty for other operations.</summary>
    public IReadOnlyList<string> Sqls { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; init; } = [];

    public string? ExecutionMode { get; init; }

    public int? WaitTimeSeconds { get; init; }

    /// <summary>The <c>Id</c> member of DescribeStatement, GetStatementResult and CancelStatement.</summary>
    public string? Id { get; init; }

    public string? NextToken { get; init; }

    /// <summary>The statement id a submission was answered with (the first submission's for a repeated ClientToken).</summary>
    public string? StatementId { get; init; }

    /// <summary>The access key and region of the request's SigV4 credential scope.</summary>
    public string? AccessKeyId { get; init; }

    public string? Region { get; init; }

    /// <summary>The <c>__type</c> of the error answer; null when the call succeeded.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>The body as received.</summary>
    public string Body { get; init; } = "";

    internal static ReceivedRequest FromBody(string operation, DateTimeOffset receivedAt, string body)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return new ReceivedRequest { Operation = operation, ReceivedAt = receivedAt, Body = body };
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return new ReceivedRequest { Operation = operation, ReceivedAt = receivedAt, Body = body };
        }

        string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var sqls = Text("Sql") is { } sql ? [sql]
            : root.TryGetProperty("Sqls", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
                : new List<string>();
        var parameters = root.TryGetProperty("Parameters", out var p) && p.ValueKind == JsonValueKind.Array
            ? p.EnumerateArray()
                .Where(e => e.ValueKind == JsonValueKind.Object)
                .Select(e => new KeyValuePair<string, string>(
                    e.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "",
                    e.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : ""))
                .ToList()
            : [];
        return new ReceivedRequest
        {
            Operation = operation,
            ReceivedAt = receivedAt,
            Body = body,
            ClientToken = Text("ClientToken"),
            WithEvent = root.TryGetProperty("WithEvent", out var withEvent) && withEvent.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? withEvent.GetBoolean()
                : null,
            StatementName = Text("StatementName"),
            ClusterIdentifier = Text("ClusterIdentifier"),
            WorkgroupName = Text("WorkgroupName"),
            Database = Text("Database"),
            DbUser = Text("DbUser"),
            SecretArn = Text("SecretArn"),
            Sqls = sqls,
            Parameters = parameters,
            ExecutionMode = Text("ExecutionMode"),
            WaitTimeSeconds = root.TryGetProperty("WaitTimeSeconds", out var wait) && wait.ValueKind == JsonValueKind.Number && wait.TryGetInt32(out var seconds)
                ? seconds
                : null,
            Id = Text("Id"),
            NextToken = Text("NextToken"),
        };
    }
}
