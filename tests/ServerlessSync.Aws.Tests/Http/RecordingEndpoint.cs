using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using ServerlessSync.Testing.Http;

namespace ServerlessSync.Aws.Tests.Http;

/// <summary>One request as the server received it.</summary>
public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public string BodyText => Encoding.UTF8.GetString(Body);

    public JsonElement Json
    {
        get
        {
            using var document = JsonDocument.Parse(Body);
            return document.RootElement.Clone();
        }
    }
}

/// <summary>An answer the endpoint gives, in the order they were queued.</summary>
public sealed record ScriptedResponse(int Status, string Body, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// A <see cref="LocalEndpoint"/> that records every request — method, path, headers, body bytes as received — and
/// answers with the scripted responses in order (awsJson 1.1). With nothing left to answer it says 400
/// "NoScriptedResponse" (not retried, so a test fails at once).
/// </summary>
public sealed class RecordingEndpoint : LocalEndpoint
{
    private readonly Queue<ScriptedResponse> _responses = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly Lock _gate = new();

    private RecordingEndpoint()
    {
    }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public static Task<RecordingEndpoint> StartAsync() => StartAsync(new RecordingEndpoint());

    public RecordingEndpoint Answer(int status, string body, params (string Name, string Value)[] headers)
    {
        lock (_gate)
        {
            _responses.Enqueue(new ScriptedResponse(status, body, headers.ToDictionary(h => h.Name, h => h.Value)));
        }

        return this;
    }

    public RecordingEndpoint AnswerJson(string body) => Answer(200, body);

    /// <summary>An awsJson error answer: <c>{"__type": type, "message": message}</c> with an x-amzn-RequestId.</summary>
    public RecordingEndpoint AnswerError(int status, string type, string message = "scripted error") =>
        Answer(status, AwsJson.ErrorBody(type, message), ("x-amzn-RequestId", $"req-{type}"));

    protected override async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        ScriptedResponse response;
        lock (_gate)
        {
            _requests.Add(new RecordedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body.ToArray()));
            response = _responses.Count > 0
                ? _responses.Dequeue()
                : new ScriptedResponse((int)HttpStatusCode.BadRequest, AwsJson.ErrorBody("NoScriptedResponse", "the test queued no answer for this request"), new Dictionary<string, string>());
        }

        foreach (var (name, value) in response.Headers)
        {
            context.Response.Headers[name] = value;
        }

        await AwsJson.WriteAsync(context, AwsJson.ContentType11, response.Status, response.Body);
    }
}
