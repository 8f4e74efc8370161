using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.S3.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using RedshiftDataDouble;
using ServerlessSync.Core.Staging;
using ServerlessSync.Functions.Hosting;
using ServerlessSync.Functions.Tests.Support;
using ServerlessSync.Sources.Synthetic;
using ServerlessSync.Testing.Http;

namespace ServerlessSync.Functions.Tests.Workflow;

/// <summary>
/// The deployed workflow, played locally: the state machine of <c>template.yaml</c> and its ASL run by
/// aws-local-stepfunctions (<see cref="LocalStateMachineRunner"/>), each Lambda task invoking the handler the template
/// names (the real function class, over the <see cref="FunctionsTestHost"/>'s host against moto (S3, DynamoDB) and the
/// Data API double), and the cloud's part between the functions played here:
/// <list type="bullet">
/// <item><c>lambda:invoke</c>: the handler's output comes back in the integration's wrapper (<c>Payload</c>,
/// <c>StatusCode</c>, …); a thrown exception becomes the task's error, its type name as <c>Error</c> (as Lambda's
/// <c>errorType</c>) and Lambda's error document <c>{"errorMessage","errorType","stackTrace"}</c> as <c>Cause</c>.</item>
/// <item><c>lambda:invoke.waitForTaskToken</c> (which aws-local-stepfunctions does not pause on): after Extract returns,
/// S3's <c>ObjectCreated</c> notification of each manifest under the object's prefix goes to the Load function; when
/// the double ends a statement submitted <c>WithEvent</c>, the Data API's EventBridge event goes to the LoadCompleted
/// function; the task waits until the first SendTaskSuccess or SendTaskFailure for its token reaches the host's Step
/// Functions endpoint, whose output or error and cause become the task's.</item>
/// </list>
/// Not reproduced: Lambda itself (containers, cold starts, timeouts, memory, concurrency, and the retries of an
/// asynchronous invocation: a failed event delivery stops the test instead), the moment S3 notifies (here after
/// Extract returned; in the cloud as soon as the manifest is written), EventBridge's delivery delays and order,
/// at-least-once duplicates unless a test asks for them (<see cref="S3NotificationCopies"/>,
/// <see cref="DataApiEventCopies"/>), the bucket's notification filter and the event rule's pattern (every manifest
/// created and every WithEvent statement ended goes to its function, which skips what is not its own), and IAM.
/// Copies of one event are delivered at the same time to different containers (a container runs one invocation at a
/// time): the first to the functions over the test host's <see cref="Host"/>, each other to a host of its own (same
/// settings, its own load claimant). The state machine's tasks all run over <see cref="Host"/>.
/// </summary>
internal sealed class LocalWorkflow : IAsyncDisposable
{
    public const string InvokeResource = "arn:aws:states:::lambda:invoke";
    public const string InvokeAndWaitResource = "arn:aws:states:::lambda:invoke.waitForTaskToken";

    private readonly FunctionsTestHost _functions;
    private readonly ConcurrentQueue<Exception> _deliveryErrors = new();
    private readonly TaskCompletionSource _broken = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> _deliveries = [];
    private readonly ConcurrentQueue<string> _manifestEvents = new();
    private readonly Dictionary<string, Func<Stream, Task<Stream>>> _functionsByArn;
    private readonly List<FunctionHost> _otherContainers = [];
    private LocalEndpoint? _endpoint;
    private int _executions;
    private volatile bool _disposed;

    private readonly ZuoraFunctionsStack? _zuora;

    private LocalWorkflow(FunctionsTestHost functions, DeployedStateMachine stateMachine, ZuoraFunctionsStack? zuora = null)
    {
        _functions = functions;
        _zuora = zuora;
        StateMachine = stateMachine;
        _functionsByArn = stateMachine.FunctionsByArn.ToDictionary(f => f.Key, f => HandlerOf(f.Value));
        functions.Redshift.StatementEnded += OnStatementEnded;
    }

    public FunctionHost Host => _functions.Host;

    public FakeTimeProvider Clock => _functions.FakeClock!;

    public string Bucket => _functions.Bucket;

    public RedshiftDataDoubleServer Redshift => _functions.Redshift;

    /// <summary>Step Functions' task-token API: every SendTask* call the functions made, and whether it was accepted.</summary>
    public LocalStepFunctions StepFunctions => _functions.StepFunctions;

    public DeployedStateMachine StateMachine { get; }

    /// <summary>How many times S3's notification of a manifest is delivered (at the same time): 2 plays a duplicate.</summary>
    public int S3NotificationCopies { get; set; } = 1;

    /// <summary>How many times the Data API's event of an ended statement is delivered (at the same time).</summary>
    public int DataApiEventCopies { get; set; } = 1;

    /// <summary>Runs once a manifest is in the bucket, before S3's notification of it is delivered: to disturb or hold the load.</summary>
    public Func<string, Task>? BeforeManifestEvent { get; set; }

    /// <summary>
    /// Runs before each Lambda task with its state's name and its Payload: where a test moves the clock by the wait the
    /// state machine just made (Wait states pass at once here).
    /// </summary>
    public Func<string, JsonNode, Task>? BeforeTask { get; set; }

    /// <summary>Every manifest key whose notification was delivered, in order (once per key, however many copies).</summary>
    public IReadOnlyCollection<string> ManifestEvents => _manifestEvents;

    /// <summary>What went wrong delivering an event (it also stops the waiting tasks: the cloud would have retried or lost it).</summary>
    public IReadOnlyCollection<Exception> DeliveryErrors => _deliveryErrors;

    public static async Task<LocalWorkflow> StartAsync(int syntheticScale = 1_500, IReadOnlyDictionary<string, string>? substitutions = null, FunctionsTestHostOptions? options = null)
    {
        var stateMachine = DeployedStateMachine.Read(substitutions);
        // Not yet SERIALIZABLE: the objects of a run load at the same time, and their loads fail with Redshift's
        // serializable isolation violation (error 1023) on the load ledger, as they would on Redshift. Turn it on with
        // the loader's fix (SyncStateMachineTests then pass with it).
        var functions = await FunctionsTestHost.StartAsync((options ?? new FunctionsTestHostOptions()) with { SyntheticScale = syntheticScale });
        return await ListeningAsync(new LocalWorkflow(functions, stateMachine));
    }

    /// <summary>The workflow over the functions with <c>SOURCE=zuora</c> (<paramref name="stack"/>'s fake Zuora); it disposes the stack.</summary>
    public static Task<LocalWorkflow> StartAsync(ZuoraFunctionsStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return ListeningAsync(new LocalWorkflow(stack.Host, DeployedStateMachine.Read(null), stack));
    }

    /// <summary><paramref name="workflow"/> with its task endpoint started; disposed when that fails.</summary>
    private static async Task<LocalWorkflow> ListeningAsync(LocalWorkflow workflow)
    {
        try
        {
            await workflow.StartEndpointAsync();
            return workflow;
        }
        catch
        {
            await workflow.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts an execution with <paramref name="input"/> (<c>{}</c> when null: a scheduled run) and runs it to its end. The
    /// clock moves a minute first, as time passes between runs. The run id is the execution's name unless the input names one.
    /// </summary>
    public Task<ExecutionOutcome> RunAsync(JsonObject? input = null, string? executionName = null)
    {
        Clock.Advance(TimeSpan.FromMinutes(1));
        executionName ??= $"execution-{Interlocked.Increment(ref _executions):D3}";
        return LocalStateMachineRunner.RunAsync(StateMachine.Name, StateMachine.DefinitionJson, input ?? [], executionName, new Uri(_endpoint!.Url, "task"));
    }

    /// <summary>The synthetic tenant StartRun created, read from the bucket, on the workflow's clock.</summary>
    public Task<SyntheticTenant> TenantAsync() => TenantFile().OpenAsync(Clock, CancellationToken.None);

    /// <summary>Moves the tenant's clock on by <paramref name="span"/>: new, updated and deleted records appear for the next run.</summary>
    public Task AdvanceTenantAsync(TimeSpan span) => _functions.AdvanceTenantAsync(span);

    /// <summary>Every key in the bucket under <paramref name="prefix"/>.</summary>
    public Task<List<string>> KeysAsync(string prefix = "runs/") => _functions.KeysAsync(prefix);

    /// <summary>Makes the manifest's load fail in COPY (a bad timestamp appended to its first part); see <see cref="FunctionsTestHost.BreakFirstPartAsync"/>.</summary>
    public Task<(string PartKey, long Line)> BreakFirstPartAsync(string manifestKey) => _functions.BreakFirstPartAsync(manifestKey);

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        _functions.Redshift.StatementEnded -= OnStatementEnded;
        _broken.TrySetCanceled();
        Task[] deliveries;
        lock (_deliveries)
        {
            deliveries = [.. _deliveries];
        }

        await Task.WhenAll(deliveries);
        if (_endpoint is not null)
        {
            await _endpoint.DisposeAsync();
        }

        foreach (var container in _otherContainers)
        {
            container.Dispose();
        }

        if (_zuora is not null)
        {
            await _zuora.DisposeAsync();
        }
        else
        {
            await _functions.DisposeAsync();
        }
    }

    private async Task StartEndpointAsync() => _endpoint = await LocalEndpoint.StartAsync(HandleTaskAsync);

    /// <summary>The handler the template names, on an instance of its class built over <see cref="Host"/>.</summary>
    private Func<Stream, Task<Stream>> HandlerOf(DeployedFunction function)
    {
        var parts = function.Handler.Split("::");
        if (parts.Length != 3 || parts[0] != FunctionsAssembly.Name)
        {
            throw new InvalidOperationException($"{function.LogicalId}'s handler '{function.Handler}' is not {FunctionsAssembly.Name}::<type>::<method>");
        }

        var type = typeof(FunctionsAssembly).Assembly.GetType(parts[1])
            ?? throw new InvalidOperationException($"{function.LogicalId}'s handler names type {parts[1]}, which {FunctionsAssembly.Name} does not have");
        var constructor = type.GetConstructor(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, [typeof(FunctionHost)])
            ?? throw new InvalidOperationException($"{type.Name} has no constructor taking a FunctionHost");
        var method = type.GetMethod(parts[2], BindingFlags.Instance | BindingFlags.Public, [typeof(Stream)]);
        if (method?.ReturnType != typeof(Task<Stream>))
        {
            throw new InvalidOperationException($"{function.LogicalId}'s handler names {type.Name}.{parts[2]}, which is not a public Task<Stream> {parts[2]}(Stream)");
        }

        return method.CreateDelegate<Func<Stream, Task<Stream>>>(constructor.Invoke([Host]));
    }

    private async Task HandleTaskAsync(HttpContext context)
    {
        JsonObject answer;
        try
        {
            var request = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
            var resource = (string)request["resource"]!;
            var input = request["input"]!.AsObject();
            if (BeforeTask is { } before)
            {
                await before((string)request["stateName"]!, input["Payload"] ?? new JsonObject());
            }

            answer = resource switch
            {
                InvokeResource => await InvokeTaskAsync(input),
                InvokeAndWaitResource => await InvokeAndWaitAsync(input, (string?)request["taskToken"]
                    ?? throw new InvalidOperationException($"state {request["stateName"]} waits for a task token, but its Parameters do not pass $$.Task.Token")),
                _ => throw new InvalidOperationException($"state {request["stateName"]}: resource {resource} is not one the local workflow plays"),
            };
        }
        catch (Exception e)
        {
            // Not a task outcome: the emulation itself cannot go on, and the runner stops with this text.
            context.Response.StatusCode = 500;
            await context.Response.WriteAsync(e.ToString());
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.ToJsonString());
    }

    /// <summary>The Lambda integration: the function's output wrapped as Step Functions returns it, or its error.</summary>
    private async Task<JsonObject> InvokeTaskAsync(JsonObject parameters)
    {
        var functionName = (string)parameters["FunctionName"]!;
        if (!_functionsByArn.TryGetValue(functionName, out var handler))
        {
            throw new InvalidOperationException($"FunctionName {functionName} is none of the functions the state machine's substitutions name: {string.Join(", ", _functionsByArn.Keys)}");
        }

        try
        {
            var payload = await InvokeAsync(handler, parameters["Payload"] ?? new JsonObject());
            return new JsonObject
            {
                ["result"] = new JsonObject
                {
                    ["ExecutedVersion"] = "$LATEST",
                    ["Payload"] = payload,
                    ["SdkHttpMetadata"] = new JsonObject { ["HttpStatusCode"] = 200 },
                    ["SdkResponseMetadata"] = new JsonObject { ["RequestId"] = Guid.NewGuid().ToString() },
                    ["StatusCode"] = 200,
                },
            };
        }
        catch (Exception e)
        {
            // As the .NET runtime reports an unhandled exception, and Step Functions passes it on.
            var cause = new JsonObject
            {
                ["errorMessage"] = e.Message,
                ["errorType"] = e.GetType().Name,
                ["stackTrace"] = new JsonArray([.. (e.StackTrace ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(l => (JsonNode)l)]),
            };
            return new JsonObject { ["error"] = e.GetType().Name, ["cause"] = cause.ToJsonString() };
        }
    }

    private async Task<JsonObject> InvokeAndWaitAsync(JsonObject parameters, string taskToken)
    {
        var invoked = await InvokeTaskAsync(parameters);
        if (invoked["error"] is not null)
        {
            return invoked;
        }

        var payload = parameters["Payload"]!;
        var prefix = StagingKeys.ObjectPrefix((string)payload["run"]!["connectorId"]!, (string)payload["run"]!["runId"]!, (string)payload["object"]!["objectName"]!);
        Deliver(() => NotifyManifestsAsync(prefix));
        var answer = StepFunctions.WaitForAnswerAsync(taskToken);
        if (await Task.WhenAny(answer, _broken.Task) != answer)
        {
            await _broken.Task;
        }

        var callback = await answer;
        return callback.Operation == "SendTaskSuccess"
            ? new JsonObject { ["result"] = JsonNode.Parse(callback.Output!) }
            : new JsonObject { ["error"] = callback.Error ?? "", ["cause"] = callback.Cause ?? "" };
    }

    // S3 → Load: one notification per manifest under the object's prefix.
    private async Task NotifyManifestsAsync(string prefix)
    {
        var listed = await _functions.S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix });
        foreach (var key in (listed.S3Objects ?? []).Select(o => o.Key).Where(StagingKeys.IsManifest))
        {
            if (BeforeManifestEvent is { } before)
            {
                await before(key);
            }

            var head = await _functions.S3.GetObjectMetadataAsync(Bucket, key);
            var notification = CloudEvents.ObjectCreated(Bucket, key, head.ContentLength, head.ETag, Clock.GetUtcNow());
            _manifestEvents.Enqueue(key);
            await Task.WhenAll(Containers(S3NotificationCopies).Select(host => InvokeAsync(new LoadFunction(host).HandleAsync, notification)));
        }
    }

    // The Data API → EventBridge → LoadCompleted.
    private void OnStatementEnded(StatementEnded ended)
    {
        if (_disposed)
        {
            return;
        }

        var statusChange = CloudEvents.StatementStatusChange(ended);
        Deliver(() => Task.WhenAll(Containers(DataApiEventCopies).Select(host => InvokeAsync(new LoadCompletedFunction(host).HandleAsync, statusChange))));
    }

    /// <summary>The hosts <paramref name="count"/> copies of an event land on: the test host's, then containers of their own.</summary>
    private List<FunctionHost> Containers(int count)
    {
        lock (_otherContainers)
        {
            while (_otherContainers.Count < count - 1)
            {
                _otherContainers.Add(new FunctionHost(_functions.Settings, Clock, FunctionsTestHost.Credentials, TextWriter.Null));
            }

            return [Host, .. _otherContainers.Take(count - 1)];
        }
    }

    /// <summary>Runs an event delivery in the background; a failure stops every waiting task (the test fails on it).</summary>
    private void Deliver(Func<Task> delivery)
    {
        var task = Task.Run(async () =>
        {
            try
            {
                await delivery();
            }
            catch (Exception e) when (!_disposed)
            {
                _deliveryErrors.Enqueue(e);
                _broken.TrySetException(new InvalidOperationException($"an event delivery failed; the cloud would retry or drop it and the load's task would wait: {e.Message}", e));
            }
            catch (Exception) when (_disposed)
            {
                // The test is over: what was still being delivered no longer matters.
            }
        });
        lock (_deliveries)
        {
            _deliveries.Add(task);
        }
    }

    private static async Task<JsonNode?> InvokeAsync(Func<Stream, Task<Stream>> handler, JsonNode input)
    {
        await using var output = await handler(new MemoryStream(Encoding.UTF8.GetBytes(input.ToJsonString())));
        return await JsonNode.ParseAsync(output);
    }

    private SyntheticTenantFile TenantFile() => new(_functions.S3, Bucket, Path.Combine(Path.GetTempPath(), "workflow-tests"));
}
