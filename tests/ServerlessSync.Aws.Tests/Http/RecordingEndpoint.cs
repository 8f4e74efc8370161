using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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
/// A real HTTP server (Kestrel on 127.0.0.1, a free port) that records every request — method, path,
/// headers, body bytes as received — and answers with the scripted responses in order. With nothing left
/// to answer it says 400 "NoScriptedResponse" (not retried, so a test fails at once).
/// </summary>
public sealed class RecordingEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Queue<ScriptedResponse> _responses = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly Lock _gate = new();

    private RecordingEndpoint(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; private set; }

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

    public static async Task<RecordingEndpoint> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var endpoint = new RecordingEndpoint(app, new Uri("http://127.0.0.1/"));
        app.Run(endpoint.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        endpoint.Url = new Uri(address.EndsWith('/') ? address : address + "/");
        return endpoint;
    }

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
        Answer(status, JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = type, ["message"] = message }), ("x-amzn-RequestId", $"req-{type}"));

    private async Task HandleAsync(HttpContext context)
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
                : new ScriptedResponse((int)HttpStatusCode.BadRequest, """{"__type":"NoScriptedResponse","message":"the test queued no answer for this request"}""", new Dictionary<string, string>());
        }

        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers)
        {
            context.Response.Headers[name] = value;
        }

        context.Response.ContentType = "application/x-amz-json-1.1";
        await context.Response.WriteAsync(response.Body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
