using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ServerlessSync.Functions.Tests.Api;

/// <summary>An execution the local Step Functions started.</summary>
public sealed record StartedExecution(string StateMachineArn, string Name, string Input, string ExecutionArn, string Authorization);

/// <summary>
/// Step Functions' StartExecution on a real HTTP server (Kestrel on 127.0.0.1, a free port), as the service
/// answers it: awsJson 1.0 with <c>X-Amz-Target: AWSStepFunctions.StartExecution</c> and a signed request; an unknown
/// state machine is <c>StateMachineDoesNotExist</c>; a name started before with the same input answers that execution
/// again, with another input <c>ExecutionAlreadyExists</c>. <see cref="FailNext"/> makes the next start fail as given.
/// </summary>
public sealed class LocalStepFunctions : IAsyncDisposable
{
    public const string StateMachineArn = "arn:aws:states:eu-west-1:123456789012:stateMachine:serverless-sync";

    private static readonly DateTimeOffset StartDate = new(2026, 11, 26, 21, 45, 10, 250, TimeSpan.Zero);

    private readonly WebApplication _app;
    private readonly List<StartedExecution> _executions = [];
    private readonly Lock _gate = new();
    private (int Status, string Type)? _failNext;

    private LocalStepFunctions(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = new("http://127.0.0.1/");

    public IReadOnlyList<StartedExecution> Executions
    {
        get
        {
            lock (_gate)
            {
                return [.. _executions];
            }
        }
    }

    public static async Task<LocalStepFunctions> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var endpoint = new LocalStepFunctions(app);
        app.Run(endpoint.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        endpoint.Url = new Uri(address.EndsWith('/') ? address : address + "/");
        return endpoint;
    }

    /// <summary>The next StartExecution fails with this status and error type, starting nothing.</summary>
    public void FailNext(int status, string type)
    {
        lock (_gate)
        {
            _failNext = (status, type);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        var authorization = context.Request.Headers.Authorization.ToString();
        using var document = await JsonDocument.ParseAsync(context.Request.Body);
        var body = document.RootElement;
        context.Response.ContentType = "application/x-amz-json-1.0";
        if (target != "AWSStepFunctions.StartExecution")
        {
            await ErrorAsync(context, 400, "UnknownOperationException", $"this endpoint only starts executions, not {target}");
            return;
        }

        if (!authorization.StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal))
        {
            await ErrorAsync(context, 400, "MissingAuthenticationTokenException", "the request is not signed");
            return;
        }

        var arn = body.GetProperty("stateMachineArn").GetString()!;
        var name = body.TryGetProperty("name", out var n) ? n.GetString()! : Guid.NewGuid().ToString();
        var input = body.TryGetProperty("input", out var i) ? i.GetString()! : "{}";
        var (execution, failure) = Start(arn, name, input, authorization);
        if (execution is null)
        {
            await ErrorAsync(context, failure.Status, failure.Type, $"{failure.Type}: '{name}'");
            return;
        }

        var answer = new JsonObject
        {
            ["executionArn"] = execution.ExecutionArn,
            ["startDate"] = StartDate.ToUnixTimeMilliseconds() / 1000m,
        };
        await context.Response.WriteAsync(answer.ToJsonString());
    }

    private (StartedExecution? Execution, (int Status, string Type) Failure) Start(string arn, string name, string input, string authorization)
    {
        lock (_gate)
        {
            if (_failNext is { } failure)
            {
                _failNext = null;
                return (null, failure);
            }

            if (arn != StateMachineArn)
            {
                return (null, (400, "StateMachineDoesNotExist"));
            }

            if (_executions.FirstOrDefault(e => e.Name == name) is { } existing)
            {
                return existing.Input == input ? (existing, default) : (null, (400, "ExecutionAlreadyExists"));
            }

            var execution = new StartedExecution(arn, name, input, arn.Replace(":stateMachine:", ":execution:", StringComparison.Ordinal) + ":" + name, authorization);
            _executions.Add(execution);
            return (execution, default);
        }
    }

    private static Task ErrorAsync(HttpContext context, int status, string type, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsync(new JsonObject { ["__type"] = type, ["message"] = message }.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
