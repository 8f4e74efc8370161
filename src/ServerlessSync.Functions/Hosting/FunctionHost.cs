using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.S3;
using ServerlessSync.Aws.Auth;
using ServerlessSync.Aws.Doctor;
using ServerlessSync.Aws.DynamoDb;
using ServerlessSync.Aws.Http;
using ServerlessSync.Aws.Redshift;
using ServerlessSync.Aws.RedshiftData;
using ServerlessSync.Aws.S3;
using ServerlessSync.Aws.StepFunctions;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Functions.Hosting;

/// <summary>
/// The functions' one composition root: the SDK and service clients, the adapters over them and the pipeline steps,
/// built once per Lambda container (<see cref="Shared"/>, from the environment) and shared by every function class.
/// Tests build their own from explicit settings, a clock and credentials.
/// <list type="bullet">
/// <item>Staging: <see cref="S3StagingStore"/> on <see cref="FunctionSettings.StagingBucket"/>.</item>
/// <item>Status, load claims and the run lock: <see cref="DynamoDbStatusStore"/> on <see cref="FunctionSettings.StatusTable"/>.</item>
/// <item>Warehouse: <see cref="RedshiftWarehouse"/> through the Data API, as the customer's role when one is configured.</item>
/// <item>Callbacks: <see cref="StepFunctionsTaskCallbacks"/>.</item>
/// <item>Source: the synthetic tenant, whose state lives in the staging bucket (<see cref="SyntheticTenantFile"/>).</item>
/// </list>
/// The pipeline's clock is <see cref="Clock"/>, except for the steps that read the source, which run on the
/// synthetic tenant's clock (based on <see cref="Clock"/>; the same time unless the tenant was advanced). SDK
/// retries and the warehouse's comparison with the Data API's timestamps use the system clock.
/// </summary>
public sealed class FunctionHost : IDisposable
{
    /// <summary>
    /// How long the Data API client retries an access error for a propagation delay: the documented 10 minutes do not fit
    /// Load's and LoadCompleted's 5-minute timeout, so 4 minutes, leaving a minute for the load itself. The error then
    /// carries its cause and fix into the run's status.
    /// </summary>
    public static readonly TimeSpan DataApiAccessPatience = TimeSpan.FromMinutes(4);

    /// <summary>How long each of the Doctor function's calls retries an access error: its seven checks fit its 15 minutes.</summary>
    public static readonly TimeSpan DoctorAccessPatience = TimeSpan.FromMinutes(1);

    private static readonly Lazy<FunctionHost> SharedHost = new(() => new FunctionHost(FunctionSettings.FromEnvironment(), TimeProvider.System));

    private readonly IAmazonS3 _s3;
    private readonly IAmazonDynamoDB _dynamoDb;
    private readonly RedshiftDataClient _dataApi;
    private readonly StepFunctionsClient _stepFunctions;
    private readonly TextWriter _logOutput;
    private readonly SyntheticTenantFile _tenantFile;
    private readonly ZuoraSourceHolder? _zuora;
    private readonly AWSCredentials _credentials;

    /// <param name="settings">the configuration (<see cref="FunctionSettings.FromEnvironment"/> in Lambda)</param>
    /// <param name="clock">the pipeline's clock</param>
    /// <param name="credentials">the credentials every client signs with; null = the SDK's default chain (Lambda's role)</param>
    /// <param name="logOutput">where the JSON log lines go; null = stdout</param>
    public FunctionHost(FunctionSettings settings, TimeProvider clock, AWSCredentials? credentials = null, TextWriter? logOutput = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(clock);
        settings.Validate();
        Settings = settings;
        Clock = clock;
        _logOutput = logOutput ?? Console.Out;
        credentials ??= DefaultAWSCredentialsIdentityResolver.GetCredentials();
        _credentials = credentials;

        _s3 = ServiceClients.S3(credentials, settings.Region, settings.S3Endpoint);
        Staging = new S3StagingStore(_s3, new S3StagingOptions(settings.StagingBucket));
        _dynamoDb = ServiceClients.DynamoDb(credentials, settings.Region, settings.DynamoDbEndpoint);
        Status = new DynamoDbStatusStore(_dynamoDb, settings.StatusTable) { Retention = settings.StatusRetention };

        var warehouseCredentials = settings.CustomerRoleArn is null
            ? credentials
            : CustomerRoleCredentials.Create(credentials, settings.CustomerRoleArn, settings.CustomerExternalId!, SessionName(settings.ConnectorId));
        // An access error right after a policy change is retried (a propagation delay) for most of Load's 5 minutes, saying so.
        _dataApi = new RedshiftDataClient(new AwsClientOptions(warehouseCredentials, settings.Region)
        {
            ServiceUrl = settings.RedshiftDataEndpoint,
            AccessRetry = new AccessRetry { Patience = DataApiAccessPatience, Say = message => Log("DataApi").Warn(message) },
        });
        Warehouse = new RedshiftWarehouse(_dataApi, Staging, new RedshiftWarehouseOptions(settings.Redshift, settings.RedshiftSchema, settings.CopyRoleArn), TimeProvider.System);

        _stepFunctions = new StepFunctionsClient(new AwsClientOptions(credentials, settings.Region) { ServiceUrl = settings.StepFunctionsEndpoint });
        Callbacks = new StepFunctionsTaskCallbacks(_stepFunctions, message => Log("TaskCallbacks").Warn(message));

        LoadOptions = new LoadStepOptions($"lambda-{Guid.NewGuid():N}", LoadStepOptions.DefaultClaimLease);
        _tenantFile = new SyntheticTenantFile(_s3, settings.StagingBucket, Path.Combine(Path.GetTempPath(), "serverless-sync"));
        if (settings.Source == FunctionSettings.ZuoraSource)
        {
            _zuora = new ZuoraSourceHolder(settings, credentials, clock, message => Log("ZuoraSource").Info(message));
        }
    }

    /// <summary>The host every function of this container shares, built on first use from the environment.</summary>
    public static Lazy<FunctionHost> Shared => SharedHost;

    public FunctionSettings Settings { get; }

    public TimeProvider Clock { get; }

    public S3StagingStore Staging { get; }

    public DynamoDbStatusStore Status { get; }

    public RedshiftWarehouse Warehouse { get; }

    public StepFunctionsTaskCallbacks Callbacks { get; }

    /// <summary>How this container claims manifests: a claimant unique to the container, the default lease.</summary>
    public LoadStepOptions LoadOptions { get; internal init; }

    /// <summary>The connector lock runs hold from StartRun to FinishRun.</summary>
    public IRunLock RunLock => Status;

    /// <summary>StartRun's step: the source (its tenant created on first use) and the connector's run lock.</summary>
    public async Task<StartRunStep> StartRunStepAsync(CancellationToken cancellationToken)
    {
        var guard = new RunGuard(RunLock, Settings.RunLockLease);
        if (_zuora is not null)
        {
            return new StartRunStep(Status, await _zuora.GetAsync(cancellationToken), Clock, guard);
        }

        var tenant = await _tenantFile.OpenOrCreateAsync(Settings.SyntheticScale, Settings.SyntheticSeed, Clock, cancellationToken);
        return new StartRunStep(Status, tenant.Source, tenant.Clock, guard);
    }

    /// <summary>Extract's step: the source StartRun created, staging parts of <see cref="FunctionSettings.PartSizeBytes"/>.</summary>
    public async Task<ExtractStep> ExtractStepAsync(CancellationToken cancellationToken)
    {
        if (_zuora is not null)
        {
            var source = await _zuora.GetAsync(cancellationToken);
            return new ExtractStep(source, new ObjectStager(Staging, new StagingOptions { PartSizeBytes = Settings.PartSizeBytes }, Clock), Status, Clock);
        }

        var tenant = await _tenantFile.OpenAsync(Clock, cancellationToken);
        var stager = new ObjectStager(Staging, new StagingOptions { PartSizeBytes = Settings.PartSizeBytes }, tenant.Clock);
        return new ExtractStep(tenant.Source, stager, Status, tenant.Clock);
    }

    /// <summary>SubmitExport's and CheckExport's step over the Zuora source; null for a source that reads without jobs (the synthetic tenant).</summary>
    public async Task<ExportJobStep?> ExportJobStepAsync(CancellationToken cancellationToken) =>
        _zuora is null ? null : new ExportJobStep(await _zuora.GetAsync(cancellationToken), Status, Clock);

    public LoadStep LoadStep() => new(Staging, Warehouse, Status, Callbacks, Clock, LoadOptions);

    public CompleteObjectStep CompleteObjectStep() => new(Status, Clock);

    public CleanupStep CleanupStep() => new(Staging);

    public FinishRunStep FinishRunStep() => new(Status, Clock, RunLock);

    /// <summary>
    /// The Doctor function's step: the seven destination checks (<see cref="RedshiftDoctor"/>) with this stack's settings,
    /// signed as this function's role (the loader's: the identity the customer's trust policy names and the Data API
    /// knows), the result kept in the status table. An access error right after a policy change is retried for
    /// <see cref="DoctorAccessPatience"/>, saying so.
    /// </summary>
    public DestinationCheckStep DestinationCheckStep(string connectorId)
    {
        var doctor = new RedshiftDoctor(DestinationSettings(connectorId), _credentials, new DoctorOptions
        {
            Access = new AccessRetry { Patience = DoctorAccessPatience, Say = message => Log("Doctor").Warn(message) },
        });
        return new DestinationCheckStep(doctor, Status, Clock);
    }

    /// <summary>The checks' settings: the same destination, bucket and roles the functions load with.</summary>
    public DestinationSettings DestinationSettings(string connectorId) => new()
    {
        Target = Settings.Redshift,
        Schema = Settings.RedshiftSchema,
        StagingBucket = Settings.StagingBucket,
        CopyRoleArn = Settings.CopyRoleArn,
        CustomerRoleArn = Settings.CustomerRoleArn,
        CustomerExternalId = Settings.CustomerExternalId,
        Region = Settings.Region,
        ConnectorId = connectorId,
        Endpoints = new DoctorEndpoints
        {
            Sts = Settings.StsEndpoint,
            Redshift = Settings.RedshiftEndpoint,
            RedshiftServerless = Settings.RedshiftServerlessEndpoint,
            RedshiftData = Settings.RedshiftDataEndpoint,
            S3 = Settings.S3Endpoint,
        },
    };

    /// <summary>A new log for one invocation of <paramref name="function"/>.</summary>
    public FunctionLog Log(string function) => new(_logOutput, Clock, function);

    /// <summary>
    /// One invocation: reads <paramref name="input"/> as <typeparamref name="TInput"/> (a <see cref="MalformedEventException"/>
    /// naming the problem when it cannot), runs <paramref name="handle"/>, and returns its result as JSON. A failure is
    /// logged and thrown on: its type name is the error Step Functions' Retry and Catch match.
    /// </summary>
    internal Task<Stream> InvokeAsync<TInput, TOutput>(
        string function,
        Stream input,
        JsonTypeInfo<TInput> inputType,
        JsonTypeInfo<TOutput> outputType,
        Func<TInput, FunctionLog, CancellationToken, Task<TOutput>> handle)
    {
        ArgumentNullException.ThrowIfNull(input);
        return FunctionScope.RunAsync(function, Settings, () => InvokeInScopeAsync(function, input, inputType, outputType, handle));
    }

    private async Task<Stream> InvokeInScopeAsync<TInput, TOutput>(
        string function,
        Stream input,
        JsonTypeInfo<TInput> inputType,
        JsonTypeInfo<TOutput> outputType,
        Func<TInput, FunctionLog, CancellationToken, Task<TOutput>> handle)
    {
        var log = Log(function);
        var cancellationToken = CancellationToken.None;
        try
        {
            var request = await ReadAsync(function, input, inputType, cancellationToken);
            var result = await handle(request, log, cancellationToken);
            var output = new MemoryStream();
            await JsonSerializer.SerializeAsync(output, result, outputType, cancellationToken);
            output.Position = 0;
            return output;
        }
        catch (Exception e)
        {
            log.Error($"{function} failed", e);
            throw;
        }
    }

    public void Dispose()
    {
        _zuora?.Dispose();
        _stepFunctions.Dispose();
        _dataApi.Dispose();
        _dynamoDb.Dispose();
        _s3.Dispose();
    }

    private static async Task<T> ReadAsync<T>(string function, Stream input, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await input.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length == 0)
        {
            throw new MalformedEventException($"{function} was invoked with no input; it expects {type.Type.Name} as JSON");
        }

        try
        {
            return JsonSerializer.Deserialize(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), type)
                ?? throw new MalformedEventException($"{function} was invoked with null; it expects {type.Type.Name} as JSON");
        }
        catch (JsonException e)
        {
            throw new MalformedEventException($"{function} cannot read its input as {type.Type.Name}: {e.Message}", e);
        }
    }

    /// <summary>The role session name for the customer's role (2 to 64 characters).</summary>
    private static string SessionName(string connectorId)
    {
        var name = $"serverless-sync-{connectorId}";
        return name.Length <= 64 ? name : name[..64];
    }
}
