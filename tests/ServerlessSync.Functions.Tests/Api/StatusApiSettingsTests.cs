using ServerlessSync.Functions.Api;
using ServerlessSync.Testing;

namespace ServerlessSync.Functions.Tests.Api;

/// <summary>The status API's configuration from environment variables.</summary>
public sealed class StatusApiSettingsTests
{
    private static readonly Dictionary<string, string> Complete = new(StringComparer.Ordinal)
    {
        ["STATUS_TABLE"] = "serverless-sync-status",
        ["STATE_MACHINE_ARN"] = "arn:aws:states:eu-west-1:123456789012:stateMachine:serverless-sync",
        ["AWS_REGION"] = "eu-west-1",
    };

    [Fact]
    public void FromVariables_RequiredOnly_DefaultConnectorAndAwsEndpoints()
    {
        var settings = Read(Complete);

        Assert.Equal(
            new StatusApiSettings("serverless-sync-status", Complete["STATE_MACHINE_ARN"], Amazon.RegionEndpoint.EUWest1, "default", null, null),
            settings);
    }

    [Fact]
    public void FromVariables_Everything_Read()
    {
        var settings = Read(new(Complete)
        {
            ["CONNECTOR_ID"] = " acme-1 ",
            ["SSYNC_DYNAMODB_ENDPOINT"] = "http://127.0.0.1:8000",
            ["SSYNC_STEPFUNCTIONS_ENDPOINT"] = "http://127.0.0.1:8083/",
        });

        Assert.Equal(("acme-1", new Uri("http://127.0.0.1:8000"), new Uri("http://127.0.0.1:8083/")), (settings.ConnectorId, settings.DynamoDbEndpoint, settings.StepFunctionsEndpoint));
    }

    [Theory]
    [InlineData("STATUS_TABLE")]
    [InlineData("STATE_MACHINE_ARN")]
    [InlineData("AWS_REGION")]
    public void FromVariables_RequiredMissingOrBlank_ThrowsNamingIt(string name)
    {
        var missing = new Dictionary<string, string>(Complete);
        missing.Remove(name);

        var error = Assert.Throws<InvalidOperationException>(() => Read(missing));
        var blank = Assert.Throws<InvalidOperationException>(() => Read(new(Complete) { [name] = "  " }));

        Assert.StartsWith($"environment variable {name} is not set: it names ", error.Message, StringComparison.Ordinal);
        Assert.Equal(error.Message, blank.Message);
    }

    [Theory]
    [InlineData("STATE_MACHINE_ARN", "serverless-sync")]
    [InlineData("STATE_MACHINE_ARN", "arn:aws:lambda:eu-west-1:123456789012:function:x")]
    [InlineData("AWS_REGION", "EU West")]
    [InlineData("CONNECTOR_ID", "a b")]
    [InlineData("SSYNC_DYNAMODB_ENDPOINT", "localhost:8000")]
    [InlineData("SSYNC_STEPFUNCTIONS_ENDPOINT", "/relative")]
    public void FromVariables_Invalid_ThrowsNamingTheVariableAndValue(string name, string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Read(new(Complete) { [name] = value }));

        Assert.StartsWith($"{name}", error.Message, StringComparison.Ordinal);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    private static StatusApiSettings Read(Dictionary<string, string> variables) => StatusApiSettings.FromVariables(name => variables.GetValueOrDefault(name));
}

/// <summary>Tests that set process environment variables: run alone.</summary>
[CollectionDefinition(nameof(ProcessEnvironment), DisableParallelization = true)]
public sealed class ProcessEnvironment;

/// <summary>The constructor the Lambda runtime calls, composing the function from the process environment.</summary>
[Collection(nameof(ProcessEnvironment))]
public sealed class StatusApiFunctionEnvironmentTests : IAsyncLifetime
{
    private readonly ApiHarness _api = new();

    public Task InitializeAsync() => _api.InitializeAsync();

    public Task DisposeAsync() => _api.DisposeAsync();

    [Fact]
    public async Task ParameterlessConstructor_FromEnvironmentWithDefaultCredentials_ServesTheTableAndStartsOnTheStateMachine()
    {
        var variables = _api.Variables();
        variables["AWS_ACCESS_KEY_ID"] = "AKIDLOCAL";
        variables["AWS_SECRET_ACCESS_KEY"] = "local-secret";
        variables["CONNECTOR_ID"] = "acme";
        var before = variables.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        ApiResult connector;
        ApiResult started;
        try
        {
            // Set while the function runs: the default credentials are read from the environment when a request is signed.
            foreach (var (name, value) in variables)
            {
                Environment.SetEnvironmentVariable(name, value);
            }

            var function = new StatusApiFunction();
            await _api.Status.PutConnectorAsync(StatusBuilders.Connector(connectorId: "default", selectedObjects: ["account"], createdAt: ApiHarness.Now), CancellationToken.None);

            connector = await ApiHarness.InvokeAsync(function, ApiHarness.Sample("api-get-connector.json"));
            started = await ApiHarness.InvokeAsync(function, ApiHarness.Request("POST", "/connectors/acme/runs"));
        }
        finally
        {
            foreach (var (name, value) in before)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }

        Assert.True(connector.Status == 200, connector.BodyText);
        Assert.Equal("default", connector.Body.GetProperty("connectorId").GetString());
        Assert.True(started.Status == 202, started.BodyText);
        Assert.Contains("Credential=AKIDLOCAL/", Assert.Single(_api.StepFunctions.Executions).Authorization, StringComparison.Ordinal);
    }
}
