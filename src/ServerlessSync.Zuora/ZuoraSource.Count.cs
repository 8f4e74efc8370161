using System.Text.Json;
using ServerlessSync.Core.Model;
using ServerlessSync.Zuora.Http;
using ServerlessSync.Zuora.Jobs;

namespace ServerlessSync.Zuora;

/// <summary>The record count that sizes a historical read's slices (docs/zuora-wire.md, "Query action (record count)").</summary>
public sealed partial class ZuoraSource
{
    /// <summary>
    /// How many live records of the object have an <c>UpdatedDate</c> in <paramref name="window"/> (a historical window up
    /// to the end its export reads to, a day ahead of now): one <c>POST /v1/action/query</c> asking for a single record,
    /// whose <c>size</c> is the number of rows the query retrieved in all. Throws <see cref="ZuoraApiException"/> with
    /// Zuora's code and message when it refuses the query (the action does not serve every object: not those of Invoice
    /// Settlement, such as credit memos), and when the answer's <c>size</c> is not a total.
    /// </summary>
    public async Task<long> CountAsync(string objectName, SyncWindow window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(window);
        var zuoraObject = Find(objectName);
        var concrete = Concrete(window);
        var zoql = ZuoraQueries.CountZoql(zuoraObject, concrete);
        var what = $"Zuora record count of {zuoraObject.Name} {WindowHalving.Describe(concrete)} (POST /v1/action/query)";
        var answer = await Http.SendJsonAsync($"record count of {zuoraObject.Name} (POST /v1/action/query)", HttpMethod.Post, "v1/action/query", ZuoraQueries.ActionQuery(zoql, ZuoraQueries.CountBatchSize), cancellationToken);
        if (answer.ValueKind != JsonValueKind.Object || ZuoraError.IsRefusal(answer))
        {
            var error = ZuoraError.From(answer);
            throw new ZuoraApiException($"{what}: {error}", null, error.Code);
        }

        if (!answer.TryGetProperty("size", out var size) || !size.TryGetInt64(out var total) || total < 0)
        {
            throw new ZuoraApiException($"{what}: the answer has no whole-number size ({ZuoraError.From(answer)})");
        }

        var returned = answer.TryGetProperty("records", out var records) && records.ValueKind == JsonValueKind.Array ? records.GetArrayLength() : 0;
        var done = answer.TryGetProperty("done", out var doneValue) && doneValue.ValueKind == JsonValueKind.True;
        if (total < returned || (!done && total <= returned))
        {
            // With more rows to come, a size no larger than the rows returned counts the batch, not the query.
            throw new ZuoraApiException($"{what}: size {total} with {returned} record(s) returned and done {(done ? "true" : "false")} is not the query's total");
        }

        _log($"{what}: {total} records");
        return total;
    }
}
