using System.Reflection;
using System.Text.Json;
using ServerlessSync.Aws.Http;
using ServerlessSync.Aws.RedshiftData;
using ServerlessSync.Aws.StepFunctions;

namespace ServerlessSync.Aws.Tests.Contracts;

/// <summary>
/// Our clients against the services' API models: wire identity, every operation's name, every request and
/// response member (name, type, nesting, required), all by reflection and JSON walking, so a typo anywhere
/// fails here. They read the checked-in wire extracts (<see cref="ApiModel"/>); where the full model files are
/// present, <see cref="WireExtract_IsExactlyWhatTheApiModelGives"/> checks the extracts against them.
/// </summary>
public sealed class ApiModelContractTests
{
    /// <summary>Set to 1 to rewrite the wire extracts from the full models instead of comparing.</summary>
    private const string UpdateVariable = "SSYNC_UPDATE_WIRE_EXTRACTS";

    private static readonly Dictionary<string, (string ModelFile, string WireFile, AwsJsonService Service, IReadOnlyList<IAwsJsonOperation> Operations)> Clients = new()
    {
        ["RedshiftData"] = ("redshift-data-service-2.json", "redshift-data.wire.json", RedshiftDataClient.Service, RedshiftDataClient.Operations),
        ["StepFunctions"] = ("stepfunctions-service-2.json", "stepfunctions.wire.json", StepFunctionsClient.Service, StepFunctionsClient.Operations),
    };

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static TheoryData<string> ClientNames => [.. Clients.Keys];

    public static TheoryData<string, string> ClientOperations
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var (client, (_, _, _, operations)) in Clients)
            {
                foreach (var operation in operations)
                {
                    data.Add(client, operation.Name);
                }
            }

            return data;
        }
    }

    [SkippableTheory]
    [MemberData(nameof(ClientNames))]
    public void WireExtract_IsExactlyWhatTheApiModelGives(string client)
    {
        Skip.IfNot(ApiModel.Available, $"API models not found at {ApiModel.Directory} (set SSYNC_SPECS_DIR); the checked-in extracts are used as they are");
        var (modelFile, wireFile, _, operations) = Clients[client];
        var expected = ApiModel.Load(modelFile).Extract(operations.Select(o => o.Name)).ToJsonString(Indented) + "\n";
        var path = Path.Combine(ApiModel.WireDirectory, wireFile);

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, expected);
        }

        Assert.True(File.Exists(path), $"{path} is missing: run the tests with {UpdateVariable}=1 to write it");
        Assert.True(expected == File.ReadAllText(path), $"{path} differs from what {modelFile} gives: run the tests with {UpdateVariable}=1 and review the diff");
    }

    [Theory]
    [MemberData(nameof(ClientNames))]
    public void Service_MatchesTheModelMetadata(string client)
    {
        var (model, service, _) = Load(client);

        Assert.Equal("json", model.MetadataString("protocol"));
        Assert.Equal(model.MetadataString("targetPrefix"), service.TargetPrefix);
        Assert.Equal(model.MetadataString("jsonVersion"), service.JsonVersion);
        // Without a signingName, a model signs with its endpointPrefix (Step Functions' model has none).
        var signingName = model.Metadata.TryGetProperty("signingName", out var name) ? name.GetString() : model.MetadataString("endpointPrefix");
        Assert.Equal(signingName, service.SigningName);
        Assert.Equal(model.MetadataString("endpointPrefix"), service.EndpointPrefix);
        Assert.Equal($"application/x-amz-json-{model.MetadataString("jsonVersion")}", service.ContentType);
    }

    [Theory]
    [MemberData(nameof(ClientOperations))]
    public void Operation_ExistsAsPostToRoot(string client, string operationName)
    {
        var (model, _, _) = Load(client);

        Assert.True(model.TryGetOperation(operationName, out var operation), $"{operationName} is not an operation of {client}");
        Assert.Equal("POST", operation.GetProperty("http").GetProperty("method").GetString());
        Assert.Equal("/", operation.GetProperty("http").GetProperty("requestUri").GetString());
    }

    [Theory]
    [MemberData(nameof(ClientOperations))]
    public void RequestType_FitsTheInputShape(string client, string operationName)
    {
        var (model, _, operation, modelOperation) = LoadOperation(client, operationName);

        var problems = new ShapeChecker(model).CheckType(operation.RequestInfo.Type, InputShape(modelOperation), isRequest: true);

        Assert.True(problems.Count == 0, ShapeChecker.Describe(problems));
    }

    [Theory]
    [MemberData(nameof(ClientOperations))]
    public void SerialisedSamples_FitTheInputShape_AndCoverEveryMember(string client, string operationName)
    {
        var (model, _, operation, modelOperation) = LoadOperation(client, operationName);
        var checker = new ShapeChecker(model);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var problems = new List<string>();

        foreach (var sample in ContractSamples.For(operationName))
        {
            Assert.IsType(operation.RequestInfo.Type, sample);
            using var json = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(sample, operation.RequestInfo));
            problems.AddRange(checker.CheckJson(json.RootElement, InputShape(modelOperation), seen));
        }

        Assert.True(problems.Count == 0, ShapeChecker.Describe(problems));
        var unsampled = ShapeChecker.MemberPaths(operation.RequestInfo.Type).Except(seen).ToList();
        Assert.True(unsampled.Count == 0, $"ContractSamples.For(\"{operationName}\") never sets: {string.Join(", ", unsampled)}");
    }

    [Theory]
    [MemberData(nameof(ClientOperations))]
    public void ResponseType_FitsTheOutputShape(string client, string operationName)
    {
        var (model, _, operation, modelOperation) = LoadOperation(client, operationName);

        var problems = new ShapeChecker(model).CheckType(operation.ResponseInfo.Type, OutputShape(modelOperation), isRequest: false);

        Assert.True(problems.Count == 0, ShapeChecker.Describe(problems));
    }

    [Theory]
    [MemberData(nameof(ClientOperations))]
    public void ResponseType_ReadsEveryMemberOfAFullyPopulatedAnswer(string client, string operationName)
    {
        var (model, _, operation, modelOperation) = LoadOperation(client, operationName);
        var document = new ShapeChecker(model).Synthesize(OutputShape(modelOperation))!.ToJsonString();

        var response = JsonSerializer.Deserialize(document, operation.ResponseInfo);

        var unset = ShapeChecker.UnsetProperties(response, operation.ResponseInfo.Type.Name);
        Assert.True(unset.Count == 0, $"not read from {document}: {string.Join(", ", unset)}");
    }

    [Fact]
    public void StatementStatuses_AreValuesOfTheModel()
    {
        var (model, _, _) = Load("RedshiftData");
        var modelStatuses = model.Shape("StatusString").GetProperty("enum").EnumerateArray().Select(v => v.GetString()).ToHashSet();

        var ours = typeof(StatementStatus).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();

        Assert.Equal(6, ours.Count);
        Assert.All(ours, status => Assert.Contains(status, modelStatuses));
    }

    [Fact]
    public void ClientSideLimits_AreTheModels()
    {
        var (redshift, _, _) = Load("RedshiftData");
        var (states, _, _) = Load("StepFunctions");

        Assert.Equal(RedshiftDataLimits.MaxBatchStatements, redshift.Shape("SqlList").GetProperty("max").GetInt32());
        Assert.Equal(1, redshift.Shape("SqlList").GetProperty("min").GetInt32());
        Assert.Equal(RedshiftDataLimits.MaxClientTokenLength, redshift.Shape("ClientToken").GetProperty("max").GetInt32());
        Assert.Equal(RedshiftDataLimits.MaxStatementNameLength, redshift.Shape("StatementNameString").GetProperty("max").GetInt32());
        Assert.Equal(RedshiftDataLimits.MinWaitTimeSeconds, redshift.Shape("WaitTimeSeconds").GetProperty("min").GetInt32());
        Assert.Equal(RedshiftDataLimits.MaxWaitTimeSeconds, redshift.Shape("WaitTimeSeconds").GetProperty("max").GetInt32());
        Assert.Equal(StepFunctionsClient.MaxTaskTokenLength, states.Shape("TaskToken").GetProperty("max").GetInt32());
        Assert.Equal(StepFunctionsClient.MaxOutputBytes, states.Shape("SensitiveData").GetProperty("max").GetInt32());
        Assert.Equal(StepFunctionsClient.MaxErrorLength, states.Shape("SensitiveError").GetProperty("max").GetInt32());
        Assert.Equal(StepFunctionsClient.MaxCauseLength, states.Shape("SensitiveCause").GetProperty("max").GetInt32());
        Assert.Equal(StepFunctionsClient.MaxArnLength, states.Shape("Arn").GetProperty("max").GetInt32());
        Assert.Equal(StepFunctionsClient.MaxExecutionNameLength, states.Shape("Name").GetProperty("max").GetInt32());
        // An execution's input is data as a task's output is: the same shape and limit.
        Assert.Equal("SensitiveData", states.Shape("StartExecutionInput").GetProperty("members").GetProperty("input").GetProperty("shape").GetString());
    }

    [Fact]
    public void TypedErrors_AreErrorShapesOfTheModels()
    {
        var (redshift, _, _) = Load("RedshiftData");
        var (states, _, _) = Load("StepFunctions");

        foreach (var code in new[] { "ValidationException", "ActiveStatementsExceededException", "ActiveSessionsExceededException", "ResourceNotFoundException", "ExecuteStatementException", "BatchExecuteStatementException", "InternalServerException" })
        {
            Assert.True(redshift.Shape(code).GetProperty("exception").GetBoolean(), code);
            Assert.NotNull(typeof(RedshiftDataClient).Assembly.GetType($"ServerlessSync.Aws.RedshiftData.{code}"));
        }

        foreach (var code in new[] { "TaskTimedOut", "InvalidToken", "TaskDoesNotExist", "InvalidOutput", "ExecutionAlreadyExists" })
        {
            Assert.True(states.Shape(code).GetProperty("exception").GetBoolean(), code);
            Assert.NotNull(typeof(StepFunctionsClient).Assembly.GetType($"ServerlessSync.Aws.StepFunctions.{code}Exception"));
        }
    }

    private static (ApiModel Model, AwsJsonService Service, IReadOnlyList<IAwsJsonOperation> Operations) Load(string client)
    {
        var (_, wireFile, service, operations) = Clients[client];
        return (ApiModel.LoadWire(wireFile), service, operations);
    }

    private static (ApiModel Model, AwsJsonService Service, IAwsJsonOperation Operation, JsonElement ModelOperation) LoadOperation(string client, string operationName)
    {
        var (model, service, operations) = Load(client);
        var operation = operations.Single(o => o.Name == operationName);
        Assert.True(model.TryGetOperation(operationName, out var modelOperation), $"{operationName} is not an operation of {client}");
        return (model, service, operation, modelOperation);
    }

    private static string InputShape(JsonElement operation) => operation.GetProperty("input").GetProperty("shape").GetString()!;

    private static string OutputShape(JsonElement operation) => operation.GetProperty("output").GetProperty("shape").GetString()!;
}
