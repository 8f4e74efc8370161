using System.Text.Json;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using ServerlessSync.Aws.DynamoDb;
using ServerlessSync.Aws.Http;
using ServerlessSync.Aws.Lambda;
using ServerlessSync.Aws.StepFunctions;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Status;
using ServerlessSync.Functions.Hosting;

namespace ServerlessSync.Functions.Api;

/// <summary>
/// The status HTTP API (API Gateway HTTP API, payload format 2.0): a connector's status, its runs, one run, starting
/// a run, and the destination checks (start them: <see cref="LambdaChecksStarter"/>; their latest result). Handler <c>ServerlessSync.Functions::ServerlessSync.Functions.Api.StatusApiFunction::HandleAsync</c>.
/// The routes and their answers are Core's <see cref="StatusApi"/> (the CLI's <c>serve</c> answers with the same);
/// this maps the HTTP API v2 event to its request and its response back, and starts runs with
/// <see cref="StepFunctionsRunStarter"/>. The configuration is <see cref="StatusApiSettings"/>'s.
/// Every request is answered (errors as <c>{"error":"…"}</c> with their status) and logged as one JSON line.
/// </summary>
public sealed class StatusApiFunction
{
    public const string Name = "StatusApi";

    private readonly StatusApi _api;
    private readonly ApiRequestLog _log;
    private readonly StatusApiSettings? _settings;

    /// <summary>For the Lambda runtime: composes the DynamoDB and Step Functions clients once per container, from the environment, signing with the SDK's default credentials (the function's role).</summary>
    public StatusApiFunction()
        : this(StatusApiSettings.FromVariables(Environment.GetEnvironmentVariable), DefaultAWSCredentialsIdentityResolver.GetCredentials(), TimeProvider.System, Console.Out)
    {
    }

    /// <summary>Composes the function from <paramref name="settings"/>, signing with <paramref name="credentials"/>.</summary>
    internal StatusApiFunction(StatusApiSettings settings, AWSCredentials credentials, TimeProvider time, TextWriter log)
        : this(
            new DynamoDbStatusStore(ServiceClients.DynamoDb(credentials, settings.Region, settings.DynamoDbEndpoint), settings.StatusTable),
            new StepFunctionsClient(new AwsClientOptions(credentials, settings.Region) { ServiceUrl = settings.StepFunctionsEndpoint }),
            settings.StateMachineArn,
            settings.ConnectorId,
            time,
            log,
            settings.DoctorFunctionArn is { } doctor ? new LambdaChecksStarter(new LambdaEventInvoker(credentials, settings.Region, settings.LambdaEndpoint), doctor) : null) => _settings = settings;

    /// <summary>
    /// For tests: the function over the given status store and Step Functions client; with <paramref name="checksStarter"/>
    /// (and a status store that keeps destination checks) the checks routes too.
    /// </summary>
    internal StatusApiFunction(IStatusStore status, StepFunctionsClient stepFunctions, string stateMachineArn, string deploymentConnectorId, TimeProvider time, TextWriter log, IChecksStarter? checksStarter = null)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(stepFunctions);
        ArgumentException.ThrowIfNullOrEmpty(stateMachineArn);
        ArgumentException.ThrowIfNullOrEmpty(deploymentConnectorId);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(log);
        _api = new StatusApi(new StatusQueries(status, time), new StepFunctionsRunStarter(stepFunctions, stateMachineArn), deploymentConnectorId, time, status as IDestinationCheckStore, checksStarter);
        _log = new ApiRequestLog(log, time);
    }

    /// <summary>Reads an HTTP API v2 request, answers it and returns the HTTP API v2 response.</summary>
    public Task<Stream> HandleAsync(Stream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return _settings is null ? AnswerAsync(input) : FunctionScope.RunAsync(Name, _settings, () => AnswerAsync(input));
    }

    private async Task<Stream> AnswerAsync(Stream input)
    {
        HttpApiRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync(input, ApiJsonContext.Default.HttpApiRequest);
        }
        catch (JsonException)
        {
            request = null;
        }

        // Not an HTTP API request at all: answered as one of the wrong payload format.
        request ??= new HttpApiRequest(null, null, null, null, null, null, null, null, null, false);
        var apiRequest = new StatusApiRequest(
            request.RequestContext?.Http?.Method ?? "",
            PathOf(request),
            QueryOf(request),
            request.Body,
            request.IsBase64Encoded,
            request.RequestContext?.RequestId);
        var answer = request.Version == "2.0"
            ? await _api.HandleAsync(apiRequest, CancellationToken.None)
            : _api.Reject(apiRequest, $"the event is not an HTTP API request of payload format 2.0 (version is '{request.Version}')");
        _log.Write(request.RequestContext?.RequestId, answer);
        var response = new HttpApiResponse(answer.Response.StatusCode, answer.Response.Headers, answer.Response.Body);

        var output = new MemoryStream();
        await JsonSerializer.SerializeAsync(output, response, ApiJsonContext.Default.HttpApiResponse);
        output.Position = 0;
        return output;
    }

    /// <summary>The request's path without the stage prefix a named stage adds to <c>rawPath</c>.</summary>
    private static string PathOf(HttpApiRequest request)
    {
        var path = request.RawPath ?? request.RequestContext?.Http?.Path ?? "/";
        var stage = request.RequestContext?.Stage;
        return stage is null or "$default" || !path.StartsWith($"/{stage}/", StringComparison.Ordinal) ? path : path[(stage.Length + 1)..];
    }

    /// <summary>The query parameters: API Gateway's decoded <c>queryStringParameters</c>, else <c>rawQueryString</c> decoded here.</summary>
    private static Dictionary<string, string> QueryOf(HttpApiRequest request)
    {
        if (request.QueryStringParameters is { } parameters)
        {
            return parameters;
        }

        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in (request.RawQueryString ?? "").Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Decode(pair[(equals + 1)..]);
            // As API Gateway does: repeated parameters are joined with commas.
            query[name] = query.TryGetValue(name, out var before) ? before + "," + value : value;
        }

        return query;
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
}
