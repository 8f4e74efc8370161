using System.Collections.Concurrent;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using Amazon;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RedshiftDataDouble;
using ServerlessSync.Aws.DynamoDb;
using ServerlessSync.Aws.RedshiftData;
using ServerlessSync.Core.Staging;
using ServerlessSync.Functions.Hosting;
using ServerlessSync.Sources.Synthetic;

namespace ServerlessSync.Functions.Tests.Workflow;

/// <summary>
/// The deployed workflow, played locally: the state machine from <c>template.yaml</c> and its ASL run by
/// aws-local-stepfunctions (<see cref="LocalStateMachineRunner"/>), each Lambda task invoking the handler the template
/// names (the real function class, on a <see cref="FunctionHost"/> against s3rver, dynalite and the Data API double),
/// and the cloud's part between the functions played here:
/// <list type="bullet">
/// <item><c>lambda:invoke</c>: the handler's output comes back in the integration's wrapper (<c>Payload</c>,
/// <c>StatusCode</c>, …); a thrown exception becomes the task's error, its type name as <c>Error</c> (as Lambda's
/// <c>errorType</c>) and Lambda's error document as <c>Cause</c>.</item>
/// <item><c>lambda:invoke.waitForTaskToken</c> (which aws-local-stepfunctions does not pause on): the task waits for
/// its token here. After Extract returns, S3's <c>ObjectCreated</c> notification for each manifest under the
/// object's prefix goes to the Load function; when the double ends a statement submitted <c>WithEvent</c>, the Data
/// API's EventBridge event goes to the LoadCompleted function; the first SendTaskSuccess or SendTaskFailure reaching
/// <see cref="Tokens"/> becomes the task's result or error.</item>
/// </list>
/// Not reproduced: Lambda itself (containers, cold starts, timeouts, memory, concurrency, async-invoke retries: a
/// failed event delivery stops the test instead), the moment S3 notifies (here after Extract returned, in the cloud
/// as soon as the manifest is written), EventBridge's delivery delays and order, at-least-once duplicates unless a
/// test asks for them (<see cref="S3NotificationCopies"/>, <see cref="DataApiEventCopies"/>), the bucket's
/// notification filter and the EventBridge rule's pattern (every manifest created, every WithEvent statement ended
/// goes to its function; the functions themselves skip what is not theirs), and IAM.
/// </summary>
internal sealed class LocalWorkflow : IAsyncDisposable
{
    public const string InvokeResource = "arn:aws:states:::lambda:invoke";
    public const string InvokeAndWaitResource = "arn:aws:states:::lambda:invoke.waitForTaskToken";
    public static readonly DateTimeOffset Start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
    public static readonly RedshiftTarget Target = RedshiftTarget.ProvisionedCluster("sync-test", "dev", "sync_loader");

    private readonly ConcurrentQueue<Exception> _deliveryErrors = new();
    private readonly TaskCompletionSource _broken = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> _deliveries = [];
    private readonly ConcurrentQueue<string> _manifestEvents = new();
    private IAmazonS3 _s3 = null!;
    private IAmazonDynamoDB _dynamoDb = null!;
    private WebApplication? _endpoint;
    private Dictionary<string, Func<Stream, Task<Stream>>> _functionsByArn = [];
    private LoadFunction _load = null!;
    private LoadCompletedFunction _loadCompleted = null!;
    private int _executions;
    private volatile bool _disposed;

    private LocalWorkflow()
    {
    }

    public FakeTimeProvider Clock { get; } = new(Start);

    public string Bucket { get; } = $"workflow-{Guid.NewGuid():N}";

    public string StatusTable { get; } = $"workflow-{Guid.NewGuid():N}";

    public RedshiftDataDoubleServer Redshift { get; private set; } = null!;

    public FunctionHost Host { get; private set; } = null!;

    public DeployedStateMachine StateMachine { get; private set; } = null!;

    /// <summary>Step Functions' task-token API: every SendTask* call received, and its answer.</summary>
    public TaskTokenEndpoint Tokens { get; } = new();

    /// <summary>Where the Lambda tasks are posted and Step Functions' API is served.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>How many times S3's notification of a manifest is delivered (at the same time): 2 plays a duplicate.</summary>
    public int S3NotificationCopies { get; set; } = 1;

    /// <summary>How many times the Data API's event of an ended load is delivered (at the same time).</summary>
    public int DataApiEventCopies { get; set; } = 1;

    /// <summary>Runs once a manifest is in the bucket, before S3's notification of it is delivered: to disturb or hold the load.</summary>
    public Func<string, Task>? BeforeManifestEvent { get; set; }

    /// <summary>Every manifest key whose notification was delivered, in order (once per key, however many copies).</summary>
    public IReadOnlyCollection<string> ManifestEvents => _manifestEvents;

    /// <summary>What went wrong delivering an event (the test fails on any: the cloud would have retried or lost it).</summary>
    public IReadOnlyCollection<Exception> DeliveryErrors => _deliveryErrors;

    public static async Task<LocalWorkflow> StartAsync(int syntheticScale = 1_500, IReadOnlyDictionary<string, string>? substitutions = null)
    {
        var workflow = new LocalWorkflow();
        try
        {
            await workflow.InitializeAsync(syntheticScale, substitutions);
            return workflow;
        }
        catch
        {
            await workflow.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts an execution with <paramref name="input"/> (<c>{}</c> when null: a scheduled run) and runs it to its end.
    /// The clock moves a minute first, as time passes between runs. The execution name is the run id unless the input names one.
    /// </summary>
    public Task<ExecutionOutcome> RunAsync(JsonObject? input = null, string? executionName = null)
    {
        Clock.Advance(TimeSpan.FromMinutes(1));
        executionName ??= $"execution-{Interlocked.Increment(ref _executions):D3}";
        return LocalStateMachineRunner.RunAsync(StateMachine.StateMachineResource, StateMachine.DefinitionJson, input ?? [], executionName, new Uri(Endpoint, "task"));
    }

    /// <summary>The synthetic tenant StartRun created, on this workflow's clock (a copy: changes need <see cref="AdvanceTenantAsync"/>).</summary>
    public Task<SyntheticTenant> TenantAsync() => TenantFile().OpenAsync(Clock, CancellationToken.None);

    /// <summary>Moves the tenant's clock on by <paramref name="span"/>: new, updated and deleted records appear for the next run.</summary>
    public async Task AdvanceTenantAsync(TimeSpan span)
    {
        var path = Path.Combine(Path.GetTempPath(), $"workflow-tenant-{Guid.NewGuid():N}.json");
        try
        {
            using (var response = await _s3.GetObjectAsync(Bucket, SyntheticTenantFile.Key))
            {
                await response.WriteResponseStreamToFileAsync(path, false, CancellationToken.None);
            }

            SyntheticTenant.Open(path, Clock).Advance(span);
            await _s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = SyntheticTenantFile.Key, FilePath = path });
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Every key in the bucket under <paramref name="prefix"/>.</summary>
    public async Task<List<string>> KeysAsync(string prefix = "runs/")
    {
        var keys = new List<string>();
        await foreach (var item in Host.Staging.ListAsync(prefix, CancellationToken.None))
        {
            keys.Add(item.Key);
        }

        return keys;
    }

    /// <summary>Delivers S3's notification for <paramref name="manifestKey"/> to the Load function now (a late duplicate); returns its output.</summary>
    public async Task<JsonNode?> DeliverManifestEventAsync(string manifestKey)
    {
        var head = await _s3.GetObjectMetadataAsync(Bucket, manifestKey);
        return await InvokeAsync(_load.HandleAsync, CloudEvents.ObjectCreated(Bucket, manifestKey, head.ContentLength, head.ETag, Clock.GetUtcNow()));
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        _broken.TrySetCanceled();
        if (Redshift is not null)
        {
            await Redshift.DisposeAsync();
        }

        Task[] deliveries;
        lock (_deliveries)
        {
            deliveries = [.. _deliveries];
        }

        await Task.WhenAll(deliveries.Select(d => d.ContinueWith(_ => { }, TaskScheduler.Default)));
        if (_endpoint is not null)
        {
            await _endpoint.StopAsync();
            await _endpoint.DisposeAsync();
        }

        Host?.Dispose();
        if (_dynamoDb is not null)
        {
            await _dynamoDb.DeleteTableAsync(new DeleteTableRequest { TableName = StatusTable });
            _dynamoDb.Dispose();
        }

        if (_s3 is not null)
        {
            await EmptyBucketAsync();
            await _s3.DeleteBucketAsync(Bucket);
            _s3.Dispose();
        }
    }

    private async Task InitializeAsync(int syntheticScale, IReadOnlyDictionary<string, string>? substitutions)
    {
        var credentials = new BasicAWSCredentials("S3RVER", "S3RVER");
        var region = RegionEndpoint.GetBySystemName(DeployedStateMachine.Region);
        var s3Endpoint = new Uri(Required("SSYNC_TEST_S3_ENDPOINT"));
        var dynamoDbEndpoint = new Uri(Required("SSYNC_TEST_DYNAMODB_ENDPOINT"));
        _s3 = ServiceClients.S3(credentials, region, s3Endpoint);
        await _s3.PutBucketAsync(Bucket);
        _dynamoDb = ServiceClients.DynamoDb(credentials, region, dynamoDbEndpoint);
        await DynamoDbStatusStore.CreateTableAsync(_dynamoDb, StatusTable, CancellationToken.None);
        Redshift = await RedshiftDataDoubleServer.StartAsync(new RedshiftDataDoubleOptions
        {
            AdminConnectionString = Required("SSYNC_TEST_POSTGRES"),
            S3 = _s3,
            Targets = [RedshiftDataTarget.Cluster(Target.ClusterIdentifier!, Target.Database, Target.DbUser!)],
            OnStatementEnded = OnStatementEnded,
        });

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _endpoint = builder.Build();
        _endpoint.Run(context => context.Request.Path == "/task" ? HandleTaskAsync(context) : Tokens.HandleAsync(context));
        await _endpoint.StartAsync();
        Endpoint = new Uri(_endpoint.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");

        Host = new FunctionHost(
            new FunctionSettings
            {
                StagingBucket = Bucket,
                StatusTable = StatusTable,
                Redshift = Target,
                CopyRoleArn = $"arn:aws:iam::{DeployedStateMachine.Account}:role/serverless-sync-copy",
                SyntheticScale = syntheticScale,
                SyntheticSeed = 11,
                PartSizeBytesOverride = 64 * 1024,
                Region = region,
                S3Endpoint = s3Endpoint,
                DynamoDbEndpoint = dynamoDbEndpoint,
                RedshiftDataEndpoint = Redshift.Endpoint,
                StepFunctionsEndpoint = Endpoint,
            },
            Clock,
            credentials,
            TextWriter.Null);
        StateMachine = DeployedStateMachine.Read(substitutions);
        _functionsByArn = StateMachine.FunctionsByArn.ToDictionary(f => f.Key, f => HandlerOf(f.Value));
        _load = new LoadFunction(Host);
        _loadCompleted = new LoadCompletedFunction(Host);
    }

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
        var request = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        var resource = (string)request["resource"]!;
        var input = request["input"]!.AsObject();
        JsonObject answer;
        try
        {
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
            throw new InvalidOperationException($"FunctionName {functionName} is none of the template's functions the state machine's substitutions name: {string.Join(", ", _functionsByArn.Keys)}");
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
        var answer = Tokens.Open(taskToken);
        var invoked = await InvokeTaskAsync(parameters);
        if (invoked["error"] is not null)
        {
            Tokens.Close(taskToken);
            return invoked;
        }

        var payload = parameters["Payload"]!;
        var prefix = StagingKeys.ObjectPrefix((string)payload["run"]!["connectorId"]!, (string)payload["run"]!["runId"]!, (string)payload["object"]!["objectName"]!);
        Deliver(() => NotifyManifestsAsync(prefix));
        await Task.WhenAny(answer, _broken.Task);
        if (!answer.IsCompleted)
        {
            await _broken.Task;
        }

        var result = await answer;
        return result.Succeeded
            ? new JsonObject { ["result"] = result.Output!.DeepClone() }
            : new JsonObject { ["error"] = result.Error, ["cause"] = result.Cause };
    }

    // S3 → Load: one notification per manifest under the object's prefix.
    private async Task NotifyManifestsAsync(string prefix)
    {
        var listed = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix });
        foreach (var key in (listed.S3Objects ?? []).Select(o => o.Key).Where(StagingKeys.IsManifest))
        {
            if (BeforeManifestEvent is { } before)
            {
                await before(key);
            }

            var head = await _s3.GetObjectMetadataAsync(Bucket, key);
            var notification = CloudEvents.ObjectCreated(Bucket, key, head.ContentLength, head.ETag, Clock.GetUtcNow());
            _manifestEvents.Enqueue(key);
            await Task.WhenAll(Enumerable.Range(0, S3NotificationCopies).Select(_ => InvokeAsync(_load.HandleAsync, notification)));
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
        Deliver(() => Task.WhenAll(Enumerable.Range(0, DataApiEventCopies).Select(_ => InvokeAsync(_loadCompleted.HandleAsync, statusChange))));
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
                _broken.TrySetException(new InvalidOperationException($"an event delivery failed; the cloud would retry it or lose it, and the load's task would wait: {e}", e));
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

    private SyntheticTenantFile TenantFile() => new(_s3, Bucket, Path.Combine(Path.GetTempPath(), "workflow-tests"));

    private async Task EmptyBucketAsync()
    {
        var listed = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket });
        foreach (var item in listed.S3Objects ?? [])
        {
            await _s3.DeleteObjectAsync(Bucket, item.Key);
        }
    }

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set: the workflow tests need the local stack. Run them with `bash tests/run-all.sh`, or `eval \"$(bash tests/stack/up.sh)\"` first.");
}
