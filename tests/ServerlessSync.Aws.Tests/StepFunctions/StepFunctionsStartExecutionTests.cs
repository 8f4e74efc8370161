using ServerlessSync.Aws.Http;
using ServerlessSync.Aws.StepFunctions;
using ServerlessSync.Aws.Tests.Http;

namespace ServerlessSync.Aws.Tests.StepFunctions;

/// <summary>StartExecution as Step Functions receives it and answers it.</summary>
public sealed class StepFunctionsStartExecutionTests
{
    private const string StateMachineArn = "arn:aws:states:eu-west-1:123456789012:stateMachine:serverless-sync";
    private const string RunId = "20250301T091530Z-a1b2c3";
    private const string Input = """{"connectorId":"default","runId":"20250301T091530Z-a1b2c3","trigger":"api"}""";

    [Fact]
    public async Task StartExecution_SendsArnNameAndInput_ReadsExecutionArnAndStartDate()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerJson($$"""{"executionArn":"arn:aws:states:eu-west-1:123456789012:execution:serverless-sync:{{RunId}}","startDate":1740820530.123}""");
        using var client = TestAws.StepFunctions(endpoint);

        var started = await client.StartExecutionAsync(StateMachineArn, RunId, Input, CancellationToken.None);

        Assert.Equal(new ExecutionStarted($"arn:aws:states:eu-west-1:123456789012:execution:serverless-sync:{RunId}", new DateTimeOffset(2025, 3, 1, 9, 15, 30, 123, TimeSpan.Zero)), started);
        var request = Assert.Single(endpoint.Requests);
        Assert.Equal("AWSStepFunctions.StartExecution", request.Header("X-Amz-Target"));
        Assert.Equal("application/x-amz-json-1.0", request.Header("Content-Type"));
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", request.Header("Authorization"), StringComparison.Ordinal);
        Assert.Equal(
            $$"""{"stateMachineArn":"{{StateMachineArn}}","name":"{{RunId}}","input":{{System.Text.Json.JsonSerializer.Serialize(Input)}}}""",
            request.BodyText);
    }

    [Fact]
    public async Task StartExecution_NameTakenByAnotherExecution_ExecutionAlreadyExistsNotRetried()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerError(400, "ExecutionAlreadyExists", $"Execution Already Exists: '{RunId}'");
        using var client = TestAws.StepFunctions(endpoint);

        var error = await Assert.ThrowsAsync<ExecutionAlreadyExistsException>(() => client.StartExecutionAsync(StateMachineArn, RunId, Input, CancellationToken.None));

        Assert.Equal("ExecutionAlreadyExists", error.ErrorCode);
        Assert.Contains(RunId, error.ServiceMessage, StringComparison.Ordinal);
        Assert.False(error.IsRetryable);
        Assert.Single(endpoint.Requests);
    }

    [Theory]
    [InlineData(400, "StateMachineDoesNotExist")]
    [InlineData(400, "InvalidExecutionInput")]
    [InlineData(400, "ExecutionLimitExceeded")]
    public async Task StartExecution_OtherErrors_ServiceExceptionWithCode(int status, string code)
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerError(status, code);
        using var client = TestAws.StepFunctions(endpoint);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => client.StartExecutionAsync(StateMachineArn, RunId, Input, CancellationToken.None));

        Assert.Equal(code, error.ErrorCode);
        Assert.Single(endpoint.Requests);
    }

    [Fact]
    public async Task StartExecution_Throttled_RetriedThenStarted()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerError(400, "ThrottlingException").AnswerJson("""{"executionArn":"arn:x","startDate":1740820530}""");
        var time = new ObservedTimeProvider();
        using var client = TestAws.StepFunctions(endpoint, time);

        var start = client.StartExecutionAsync(StateMachineArn, RunId, Input, CancellationToken.None);
        await time.AdvanceUntilCompletedAsync(start);

        Assert.Equal("arn:x", (await start).ExecutionArn);
        Assert.Equal(2, endpoint.Requests.Count);
        Assert.Equal(endpoint.Requests[0].BodyText, endpoint.Requests[1].BodyText);
    }

    [Theory]
    [InlineData("", RunId, Input, "stateMachineArn")]
    [InlineData(StateMachineArn, "", Input, "name")]
    [InlineData(StateMachineArn, "n23456789012345678901234567890123456789012345678901234567890123456789012345678901", Input, "name")]
    [InlineData(StateMachineArn, RunId, "{not json", "inputJson")]
    public async Task StartExecution_InvalidArguments_FailBeforeSending(string arn, string name, string input, string parameter)
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        using var client = TestAws.StepFunctions(endpoint);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.StartExecutionAsync(arn, name, input, CancellationToken.None));

        Assert.Equal(parameter, error.ParamName);
        Assert.Empty(endpoint.Requests);
    }

    [Fact]
    public async Task StartExecution_InputOverTheLimit_FailsBeforeSending()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        using var client = TestAws.StepFunctions(endpoint);
        var input = $"\"{new string('x', StepFunctionsClient.MaxOutputBytes - 1)}\"";

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.StartExecutionAsync(StateMachineArn, RunId, input, CancellationToken.None));

        Assert.Contains("execution input", error.Message, StringComparison.Ordinal);
        Assert.Empty(endpoint.Requests);
    }
}
