using Microsoft.AspNetCore.Http;

namespace ServerlessSync.Testing.Http;

/// <summary>
/// Lambda's Invoke as a local endpoint, for asynchronous invocations only: <c>POST /2015-03-31/functions/{name}/invocations</c>
/// with <c>X-Amz-Invocation-Type: Event</c>, signed for <c>lambda</c>. It records each invocation of a function it knows
/// (<see cref="Functions"/>) and answers 202 as Lambda does once the event is queued; an unknown function is Lambda's 404
/// <c>ResourceNotFoundException</c>, anything else a 400 or 403. It runs nothing.
/// </summary>
public sealed class LocalLambda : LocalEndpoint
{
    private readonly List<(string FunctionName, string Payload)> _invocations = [];
    private readonly Lock _gate = new();

    private LocalLambda(IReadOnlyCollection<string> functions) => Functions = functions;

    /// <summary>The function names or ARNs this endpoint knows.</summary>
    public IReadOnlyCollection<string> Functions { get; }

    /// <summary>Every queued invocation, in order: the function as named in the path, and the payload.</summary>
    public IReadOnlyList<(string FunctionName, string Payload)> Invocations
    {
        get
        {
            lock (_gate)
            {
                return [.. _invocations];
            }
        }
    }

    public static Task<LocalLambda> StartAsync(params string[] functions) => StartAsync(new LocalLambda(functions));

    protected override async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var segments = request.Path.Value?.Split('/') ?? [];
        if (request.Method != "POST" || segments is not ["", "2015-03-31", "functions", var name, "invocations"])
        {
            await AwsJson.WriteErrorAsync(context, "application/json", 400, "InvalidRequestContentException", $"no operation for {request.Method} {request.Path}");
            return;
        }

        if (!AwsJson.IsSigned(request) || !request.Headers.Authorization.ToString().Contains("/lambda/aws4_request", StringComparison.Ordinal))
        {
            await AwsJson.WriteErrorAsync(context, "application/json", 403, "IncompleteSignatureException", "the request is not SigV4-signed for lambda");
            return;
        }

        if (request.Headers["X-Amz-Invocation-Type"] != "Event")
        {
            await AwsJson.WriteErrorAsync(context, "application/json", 400, "InvalidParameterValueException", "this endpoint takes asynchronous invocations (X-Amz-Invocation-Type: Event) only");
            return;
        }

        var function = Uri.UnescapeDataString(name);
        if (!Functions.Contains(function))
        {
            await AwsJson.WriteErrorAsync(context, "application/json", 404, "ResourceNotFoundException", $"Function not found: {function}");
            return;
        }

        using var reader = new StreamReader(request.Body);
        var payload = await reader.ReadToEndAsync();
        lock (_gate)
        {
            _invocations.Add((function, payload));
        }

        context.Response.StatusCode = 202;
    }
}
