using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace RedshiftDataDouble.Protocol;

/// <summary>
/// The HTTP side of the awsJson 1.1 protocol: <c>POST /</c> with <c>X-Amz-Target: RedshiftData.&lt;Operation&gt;</c>,
/// <c>Content-Type: application/x-amz-json-1.1</c> (exactly) and SigV4 headers; answers carry
/// <c>x-amzn-RequestId</c>, errors a JSON body with <c>__type</c> and the message (HTTP 400, 5xx for faults).
/// Every call is recorded, and an injected fault answers before the input is looked at.
/// </summary>
internal sealed class DataApiEndpoint(StatementService statements, TimeProvider time)
{
    public const string ContentType = "application/x-amz-json-1.1";
    private const string TargetPrefix = "RedshiftData.";

    private readonly List<ReceivedRequest> _received = [];
    private readonly Dictionary<string, Queue<DataApiException>> _faults = new(StringComparer.Ordinal);

    public IReadOnlyList<ReceivedRequest> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    public void AddFaults(string operation, string errorCode, int count, string message)
    {
        lock (_faults)
        {
            if (!_faults.TryGetValue(operation, out var queue))
            {
                _faults[operation] = queue = new Queue<DataApiException>();
            }

            for (var i = 0; i < count; i++)
            {
                queue.Enqueue(new DataApiException(errorCode, message) { StatementId = Guid.NewGuid().ToString("D") });
            }
        }
    }

    public async Task HandleAsync(HttpContext http)
    {
        http.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString("D");
        var receivedAt = time.GetUtcNow();
        var target = http.Request.Headers["X-Amz-Target"].ToString();
        var operation = target.StartsWith(TargetPrefix, StringComparison.Ordinal) ? target[TargetPrefix.Length..] : "";
        var body = await new StreamReader(http.Request.Body, Encoding.UTF8).ReadToEndAsync(http.RequestAborted);
        RequestSignature? signature = null;
        string? statementId = null;
        string? errorCode = null;
        try
        {
            if (!HttpMethods.IsPost(http.Request.Method) || http.Request.Path != "/")
            {
                throw new DataApiException("UnknownOperationException", $"The Data API is served at POST /, not {http.Request.Method} {http.Request.Path}");
            }

            if (http.Request.Headers.ContentType.ToString() != ContentType)
            {
                throw new DataApiException("SerializationException", $"Content-Type must be exactly '{ContentType}' (got '{http.Request.Headers.ContentType}')");
            }

            signature = RequestSignature.Check(http.Request.Headers);
            if (!DataApiRequest.Operations.Contains(operation, StringComparer.Ordinal))
            {
                throw new DataApiException(
                    "UnknownOperationException",
                    $"X-Amz-Target '{target}' names no operation the double serves ({string.Join(", ", DataApiRequest.Operations.Select(o => TargetPrefix + o))})");
            }

            TakeFault(operation);
            using var document = Parse(body);
            var request = DataApiRequest.Parse(operation, document.RootElement);
            var answer = await statements.HandleAsync(request, signature.AccessKeyId, http.RequestAborted);
            statementId = answer.StatementId;
            await WriteAsync(http, 200, answer.Write);
        }
        catch (DataApiException e)
        {
            errorCode = e.Code;
            await WriteAsync(http, e.StatusCode, json => ResponseJson.WriteError(json, e));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            errorCode = "InternalServerException";
            var fault = new DataApiException(errorCode, $"The double failed: {e}");
            await WriteAsync(http, fault.StatusCode, json => ResponseJson.WriteError(json, fault));
        }
        finally
        {
            var record = ReceivedRequest.FromBody(operation, receivedAt, body) with
            {
                StatementId = statementId,
                AccessKeyId = signature?.AccessKeyId,
                Region = signature?.Region,
                ErrorCode = errorCode,
            };
            lock (_received)
            {
                _received.Add(record);
            }
        }
    }

    private void TakeFault(string operation)
    {
        lock (_faults)
        {
            if (_faults.TryGetValue(operation, out var queue) && queue.TryDequeue(out var fault))
            {
                throw fault;
            }
        }
    }

    private static JsonDocument Parse(string body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new DataApiException("SerializationException", $"The request body is not valid JSON: {e.Message}");
        }
    }

    private static async Task WriteAsync(HttpContext http, int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        http.Response.StatusCode = status;
        http.Response.ContentType = ContentType;
        http.Response.ContentLength = buffer.WrittenCount;
        await http.Response.Body.WriteAsync(buffer.WrittenMemory, http.RequestAborted);
    }
}
