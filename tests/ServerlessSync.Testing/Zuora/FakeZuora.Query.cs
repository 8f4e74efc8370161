using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace ServerlessSync.Testing.Zuora;

/// <summary>
/// The Actions API's ZOQL query (<c>POST /v1/action/query</c>, docs/zuora-wire.md "Query action (record count)"):
/// <c>{"queryString": …, "conf": {"batchSize": 1..2000}}</c> answers up to batchSize records (2,000 at most), the
/// total they are drawn from as <c>size</c>, <c>done</c>, and a <c>queryLocator</c> while more remain. It serves the
/// subset the source sends: <c>select Field[, …] from Object [where UpdatedDate &gt;= '…' and] UpdatedDate &lt; '…'</c>,
/// keywords lowercase, datetimes in whole seconds with an offset. It refuses, with 400 and the Actions API's
/// <c>FaultCode</c>/<c>FaultMessage</c>, what the definition says the call does not take: uppercase keywords, a join
/// (<c>Parent.Id</c>), an Invoice Settlement object (credit and debit memos), an unknown object or field.
/// </summary>
public sealed partial class FakeZuora
{
    /// <summary>The most records one query action answers ("The number of records returned is limited to 2000 records").</summary>
    public const int MaxQueryBatchSize = 2000;

    /// <summary>Objects of the Invoice Settlement feature, which the query action does not serve (Zuora's API reference, <c>Action_POSTquery</c>).</summary>
    private static readonly string[] InvoiceSettlementObjects = ["CreditMemo", "DebitMemo"];

    private readonly List<string> _actionQueries = [];
    private int _batchSizedQueries;

    /// <summary>
    /// The next <paramref name="count"/> query actions answer <c>size</c> as the records returned, not the query's
    /// total: the other reading of the definition's "The number of the returned query results".
    /// </summary>
    public void SizeNextQueriesAsTheirBatch(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Locked(() => _batchSizedQueries += count);
    }

    /// <summary>Every <c>queryString</c> received by the query action, in order (also those refused).</summary>
    public IReadOnlyList<string> ActionQueries => Locked(() => _actionQueries.ToList());

    private Task ActionQueryAsync(HttpContext context, string body)
    {
        if (!(context.Request.ContentType ?? "").StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return WriteJsonAsync(context, 415, Message("Content-Type must be application/json"));
        }

        if (JsonObjectOf(body) is not { } request || Text(request, "queryString") is not { } text)
        {
            return WriteJsonAsync(context, 400, Fault("MALFORMED_QUERY", "the request body must be a JSON object with the string queryString"));
        }

        Locked(() => _actionQueries.Add(text));
        var batchSize = MaxQueryBatchSize;
        if (request.TryGetProperty("conf", out var conf))
        {
            if (conf.ValueKind != JsonValueKind.Object
                || (conf.TryGetProperty("batchSize", out var size) && (!size.TryGetInt32(out batchSize) || batchSize < 1)))
            {
                // The definition gives the range 1 - 2000; how Zuora refuses a value below it is not documented.
                return WriteJsonAsync(context, 400, Fault("INVALID_VALUE", "conf.batchSize must be a whole number from 1 to 2000"));
            }

            batchSize = Math.Min(batchSize, MaxQueryBatchSize);
        }

        if (QueryRefusal(text) is { } refusal)
        {
            return WriteJsonAsync(context, 400, Fault(refusal.Code, refusal.Message));
        }

        var query = ZoqlExportQuery.TryParse(text, out _)!;
        var matching = _tenant.Records(query.ObjectName).Where(r => query.Window.Contains(r.UpdatedDate)).ToList();
        var answer = new JsonObject
        {
            ["records"] = new JsonArray([.. matching.Take(batchSize).Select(r => (JsonNode)new JsonObject
            {
                ["Id"] = r.Id,
            })]),
            ["size"] = TakeBatchSizedQuery() ? Math.Min(batchSize, matching.Count) : matching.Count,
            ["done"] = matching.Count <= batchSize,
        };
        if (matching.Count > batchSize)
        {
            answer["queryLocator"] = $"{NewHexId()}-{batchSize}";
        }

        return WriteJsonAsync(context, 200, answer);
    }

    /// <summary>Whether this answer's <c>size</c> counts only its batch (<see cref="SizeNextQueriesAsTheirBatch"/>).</summary>
    private bool TakeBatchSizedQuery() => Locked(() =>
    {
        if (_batchSizedQueries == 0)
        {
            return false;
        }

        _batchSizedQueries--;
        return true;
    });

    /// <summary>Why the query action refuses <paramref name="text"/>, or null when it answers it.</summary>
    private (string Code, string Message)? QueryRefusal(string text)
    {
        if (KeywordPattern().Matches(text).FirstOrDefault(m => m.Value != m.Value.ToLowerInvariant()) is { } keyword)
        {
            return ("MALFORMED_QUERY", $"You have an error in your ZOQL syntax: keyword '{keyword.Value}' must be lower case");
        }

        if (LiteralPattern().Matches(text).FirstOrDefault(m => !QueryDateTimePattern().IsMatch(m.Groups[1].Value)) is { } literal)
        {
            return ("MALFORMED_QUERY", $"You have an error in your ZOQL syntax: '{literal.Groups[1].Value}' is not a datetime as yyyy-MM-ddTHH:mm:ss±hh:mm");
        }

        if (ZoqlExportQuery.TryParse(text, out var problem) is not { } query)
        {
            return ("MALFORMED_QUERY", $"You have an error in your ZOQL syntax: {problem}");
        }

        if (!_tenant.HasObject(query.ObjectName) || InvoiceSettlementObjects.Contains(query.ObjectName, StringComparer.OrdinalIgnoreCase))
        {
            return ("INVALID_TYPE", $"invalid type for query: {query.ObjectName}");
        }

        var fields = _tenant.Fields(query.ObjectName);
        return query.Fields.FirstOrDefault(f => !fields.Any(d => d.Name.Equals(f, StringComparison.OrdinalIgnoreCase))) is { } unknown
            ? ("INVALID_FIELD", $"invalid field for query: {_tenant.ObjectName(query.ObjectName)}.{unknown}")
            : null;
    }

    private static JsonObject Fault(string code, string message) => new() { ["FaultCode"] = code, ["FaultMessage"] = message };

    [GeneratedRegex(@"\b(select|from|where|and|or)\b", RegexOptions.IgnoreCase)]
    private static partial Regex KeywordPattern();

    [GeneratedRegex(@"'([^']*)'")]
    private static partial Regex LiteralPattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex QueryDateTimePattern();
}
