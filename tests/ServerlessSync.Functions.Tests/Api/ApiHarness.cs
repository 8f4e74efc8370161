using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Microsoft.Extensions.Time.Testing;
using ServerlessSync.Aws.DynamoDb;
using ServerlessSync.Functions.Api;
using ServerlessSync.Functions.Tests.Support;
using ServerlessSync.Testing;
using ServerlessSync.Testing.Http;

namespace ServerlessSync.Functions.Tests.Api;

/// <summary>
/// The status API function composed as in Lambda (from settings: a DynamoDB client and a Step Functions client) on a
/// status table of its own in the local DynamoDB (moto) and a <see cref="LocalStepFunctions"/>, with a fake clock
/// and its log in memory. One per test: hold it in a field and forward <see cref="IAsyncLifetime"/> to it.
/// </summary>
internal sealed class ApiHarness : IAsyncLifetime
{
    public static readonly DateTimeOffset Now = new(2026, 11, 26, 21, 45, 10, TimeSpan.Zero);

    private static readonly BasicAWSCredentials Credentials = new("local", "local");

    private readonly StringWriter _log = new();

    public string TableName { get; } = TestStack.UniqueName("status-api");

    public FakeTimeProvider Time { get; } = new(Now);

    public IAmazonDynamoDB DynamoDb { get; } = new AmazonDynamoDBClient(
        Credentials,
        new AmazonDynamoDBConfig { ServiceURL = TestStack.DynamoDbEndpoint.ToString(), AuthenticationRegion = "eu-west-1" });

    /// <summary>Writes status as the workflow's functions do.</summary>
    public DynamoDbStatusStore Status => new(DynamoDb, TableName);

    public LocalStepFunctions StepFunctions { get; private set; } = null!;

    /// <summary>The Doctor function's ARN the checks route invokes (DOCTOR_FUNCTION_ARN).</summary>
    public const string DoctorFunctionArn = "arn:aws:lambda:eu-west-1:123456789012:function:serverless-sync-DoctorFunction-Ab12Cd34";

    /// <summary>Lambda, taking the checks route's asynchronous invocations of <see cref="DoctorFunctionArn"/>.</summary>
    public LocalLambda Lambda { get; private set; } = null!;

    public StatusApiFunction Function { get; private set; } = null!;

    /// <summary>The log lines written so far, each parsed.</summary>
    public IReadOnlyList<JsonElement> LogLines =>
        [.. _log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];

    public async Task InitializeAsync()
    {
        await DynamoDbStatusStore.CreateTableAsync(DynamoDb, TableName, CancellationToken.None);
        AwsCalls.Install();
        StepFunctions = await LocalStepFunctions.StartAsync();
        Lambda = await LocalLambda.StartAsync(DoctorFunctionArn);
        Function = new StatusApiFunction(Settings(), Credentials, Time, _log);
    }

    public async Task DisposeAsync()
    {
        await DynamoDb.DeleteTableAsync(new DeleteTableRequest { TableName = TableName });
        DynamoDb.Dispose();
        await StepFunctions.DisposeAsync();
        await Lambda.DisposeAsync();
    }

    /// <summary>The settings the function is composed from, as <c>StatusApiSettings.FromVariables</c> reads them.</summary>
    public StatusApiSettings Settings() => StatusApiSettings.FromVariables(name => Variables().GetValueOrDefault(name));

    public Dictionary<string, string> Variables() => new(StringComparer.Ordinal)
    {
        ["STATUS_TABLE"] = TableName,
        ["STATE_MACHINE_ARN"] = LocalStepFunctions.StateMachineArn,
        ["AWS_REGION"] = "eu-west-1",
        ["SSYNC_DYNAMODB_ENDPOINT"] = TestStack.DynamoDbEndpoint.ToString(),
        ["SSYNC_STEPFUNCTIONS_ENDPOINT"] = StepFunctions.Url.ToString(),
        ["DOCTOR_FUNCTION_ARN"] = DoctorFunctionArn,
        ["SSYNC_LAMBDA_ENDPOINT"] = Lambda.Url.ToString(),
    };

    /// <summary>Invokes the handler with <paramref name="eventJson"/> and reads its HTTP API response.</summary>
    public Task<ApiResult> InvokeAsync(string eventJson) => InvokeAsync(Function, eventJson);

    public static async Task<ApiResult> InvokeAsync(StatusApiFunction function, string eventJson)
    {
        await using var output = await function.HandleAsync(new MemoryStream(Encoding.UTF8.GetBytes(eventJson)));
        using var document = await JsonDocument.ParseAsync(output);
        var response = document.RootElement;
        Assert.Equal(["body", "headers", "isBase64Encoded", "statusCode"], response.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.False(response.GetProperty("isBase64Encoded").GetBoolean());
        var headers = response.GetProperty("headers").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
        Assert.Equal("application/json; charset=utf-8", headers["content-type"]);
        var body = response.GetProperty("body").GetString()!;
        return new ApiResult(response.GetProperty("statusCode").GetInt32(), headers, body, JsonDocument.Parse(body).RootElement.Clone());
    }

    /// <summary>A sample of <c>events/</c>, as text.</summary>
    public static string Sample(string fileName) => File.ReadAllText(Path.Combine(RepositoryRoot(), "events", fileName));

    /// <summary>A sample of <c>events/</c> with changes made to its JSON.</summary>
    public static string Sample(string fileName, Action<JsonObject> change)
    {
        var json = JsonNode.Parse(Sample(fileName))!.AsObject();
        change(json);
        return json.ToJsonString();
    }

    /// <summary>A request like the sample, to another method and path (the query and body kept unless changed).</summary>
    public static string Request(string method, string path, string? body = null, string? rawQueryString = null) =>
        Sample("api-get-connector.json", e =>
        {
            e["rawPath"] = path;
            e["requestContext"]!["http"]!["method"] = method;
            e["requestContext"]!["http"]!["path"] = path;
            e["routeKey"] = "$default";
            e["pathParameters"] = null;
            e["body"] = body;
            if (rawQueryString is not null)
            {
                e["rawQueryString"] = rawQueryString;
            }
        });

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ServerlessSync.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no ServerlessSync.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>An HTTP API response as the handler returned it: status, headers, the body as text and as JSON.</summary>
internal sealed record ApiResult(int Status, IReadOnlyDictionary<string, string> Headers, string BodyText, JsonElement Body)
{
    /// <summary>The error text of an error answer (whose body has exactly one member, <c>error</c>).</summary>
    public string Error
    {
        get
        {
            Assert.Equal(["error"], Body.EnumerateObject().Select(p => p.Name));
            return Body.GetProperty("error").GetString()!;
        }
    }
}
