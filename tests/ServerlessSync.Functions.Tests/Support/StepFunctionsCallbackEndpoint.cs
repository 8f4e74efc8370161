using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ServerlessSync.Functions.Tests.Support;

/// <summary>One task-token call Step Functions received.</summary>
/// <param name="Operation">SendTaskSuccess, SendTaskFailure or SendTaskHeartbeat</param>
/// <param name="TaskToken">the token answered</param>
/// <param name="Output">SendTaskSuccess's output (JSON text)</param>
/// <param name="Error">SendTaskFailure's error</param>
/// <param name="Cause">SendTaskFailure's cause</param>
/// <param name="Accepted">false when the token had been answered before (the endpoint said TaskTimedOut)</param>
public sealed record TaskCallback(string Operation, string TaskToken, string? Output, string? Error, string? Cause, bool Accepted);

/// <summary>
/// The task-token side of Step Functions on a local Kestrel endpoint (awsJson 1.0, <c>AWSStepFunctions.*</c>): records every
/// SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat, accepts the first answer for a token and refuses later ones with
/// <c>TaskTimedOut</c>, as Step Functions does once a task is closed. <see cref="WaitForAnswerAsync"/> is how a workflow
/// executor resumes the task waiting on a token.
/// </summary>
public sealed class StepFunctionsCallbackEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly List<TaskCallback> _calls = [];
    private readonly Dictionary<string, TaskCompletionSource<TaskCallback>> _answers = new(StringComparer.Ordinal);

    private StepFunctionsCallbackEndpoint(WebApplication app) => _app = app;

    /// <summary>The endpoint's URL: SSYNC_STEPFUNCTIONS_ENDPOINT.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Every call so far, in order of arrival.</summary>
    public IReadOnlyList<TaskCallback> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    public static async Task<StepFunctionsCallbackEndpoint> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var endpoint = new StepFunctionsCallbackEndpoint(app);
        app.Run(endpoint.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        endpoint.Url = new Uri(address.TrimEnd('/') + "/");
        return endpoint;
    }

    /// <summary>The first accepted success or failure for <paramref name="taskToken"/>, whenever it arrives.</summary>
    public Task<TaskCallback> WaitForAnswerAsync(string taskToken, CancellationToken cancellationToken = default) =>
        AnswerSource(taskToken).Task.WaitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private TaskCompletionSource<TaskCallback> AnswerSource(string taskToken)
    {
        lock (_gate)
        {
            if (!_answers.TryGetValue(taskToken, out var source))
            {
                source = new TaskCompletionSource<TaskCallback>(TaskCreationOptions.RunContinuationsAsynchronously);
                _answers[taskToken] = source;
            }

            return source;
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        var operation = target.StartsWith("AWSStepFunctions.", StringComparison.Ordinal) ? target["AWSStepFunctions.".Length..] : target;
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var root = body.RootElement;
        string? Member(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        var token = Member("taskToken") ?? "";

        bool accepted;
        TaskCallback call;
        lock (_gate)
        {
            var answered = _calls.Any(c => c.TaskToken == token && c.Accepted && c.Operation != "SendTaskHeartbeat");
            accepted = operation is "SendTaskSuccess" or "SendTaskFailure" or "SendTaskHeartbeat" && !answered;
            call = new TaskCallback(operation, token, Member("output"), Member("error"), Member("cause"), accepted);
            _calls.Add(call);
        }

        context.Response.ContentType = "application/x-amz-json-1.0";
        if (!accepted)
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsync("""{"__type":"com.amazonaws.swf.service.v2.model#TaskTimedOut","message":"Task Timed Out: 'Provided task does not exist anymore'"}""");
            return;
        }

        if (operation != "SendTaskHeartbeat")
        {
            AnswerSource(token).TrySetResult(call);
        }

        await context.Response.WriteAsync("{}");
    }
}
