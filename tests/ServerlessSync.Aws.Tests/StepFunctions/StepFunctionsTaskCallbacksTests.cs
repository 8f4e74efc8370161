using System.Text;
using ServerlessSync.Aws.Http;
using ServerlessSync.Aws.StepFunctions;
using ServerlessSync.Aws.Tests.Http;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Aws.Tests.StepFunctions;

/// <summary>The load's task-token callbacks as Step Functions receives them, duplicates included.</summary>
public sealed class StepFunctionsTaskCallbacksTests
{
    private const string Token = "AQCEAAAAKgAAAAMAAAAAAAAAAe0Wm8ExampleTaskToken";

    private static readonly LoadReport Report = new(
        "staging/tenant-1/run-7/account/manifest.json", "account", new LoadOutcome(10, 3, 1, 86, false), 1234);

    [Fact]
    public async Task SendSuccess_SendsCamelCaseReportAsOutput()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerJson("{}");
        using var client = TestAws.StepFunctions(endpoint);
        var callbacks = new StepFunctionsTaskCallbacks(client);

        var delivery = await callbacks.DeliverSuccessAsync(Token, Report, CancellationToken.None);

        Assert.Equal(TaskCallbackDelivery.Delivered, delivery);
        var request = Assert.Single(endpoint.Requests);
        Assert.Equal("AWSStepFunctions.SendTaskSuccess", request.Header("X-Amz-Target"));
        Assert.Equal("application/x-amz-json-1.0", request.Header("Content-Type"));
        Assert.Equal(["output", "taskToken"], request.Json.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(Token, request.Json.GetProperty("taskToken").GetString());
        Assert.Equal(
            """{"manifestKey":"staging/tenant-1/run-7/account/manifest.json","objectName":"account","inserted":10,"updated":3,"deleted":1,"unchanged":86,"alreadyLoaded":false,"loadMilliseconds":1234}""",
            request.Json.GetProperty("output").GetString());
    }

    [Fact]
    public async Task SendSuccess_ReplayedLoad_ReportsAlreadyLoaded()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerJson("{}");
        using var client = TestAws.StepFunctions(endpoint);
        ITaskCallbacks callbacks = new StepFunctionsTaskCallbacks(client);

        await callbacks.SendSuccessAsync(Token, Report with { Outcome = LoadOutcome.Replayed }, CancellationToken.None);

        using var output = System.Text.Json.JsonDocument.Parse(endpoint.Requests[0].Json.GetProperty("output").GetString()!);
        Assert.True(output.RootElement.GetProperty("alreadyLoaded").GetBoolean());
        Assert.Equal(0, output.RootElement.GetProperty("inserted").GetInt64());
    }

    [Theory]
    [InlineData("TaskTimedOut")]
    [InlineData("InvalidToken")]
    [InlineData("TaskDoesNotExist")]
    [InlineData("com.amazonaws.swf.service.v2.model#TaskTimedOut")]
    public async Task SendSuccess_TokenAlreadyClosed_IsDoneWithoutError(string type)
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint
            .AnswerError(400, type, "Task Timed Out: 'Provided task does not exist anymore'")
            .AnswerError(400, type, "Task Timed Out: 'Provided task does not exist anymore'");
        using var client = TestAws.StepFunctions(endpoint);
        var log = new List<string>();
        var callbacks = new StepFunctionsTaskCallbacks(client, log.Add);

        var delivery = await callbacks.DeliverSuccessAsync(Token, Report, CancellationToken.None);
        await ((ITaskCallbacks)callbacks).SendSuccessAsync(Token, Report, CancellationToken.None);

        Assert.Equal(TaskCallbackDelivery.AlreadyClosed, delivery);
        Assert.Equal(2, endpoint.Requests.Count);
        Assert.Equal(2, log.Count);
        var line = log[0];
        Assert.Contains("SendTaskSuccess", line, StringComparison.Ordinal);
        Assert.Contains("duplicate", line, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TaskTimedOut")]
    [InlineData("InvalidToken")]
    [InlineData("TaskDoesNotExist")]
    public async Task SendFailure_TokenAlreadyClosed_IsDoneWithoutError(string type)
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerError(400, type);
        using var client = TestAws.StepFunctions(endpoint);
        ITaskCallbacks callbacks = new StepFunctionsTaskCallbacks(client);

        await callbacks.SendFailureAsync(Token, "SchemaChangeException", "column changed type", CancellationToken.None);

        Assert.Single(endpoint.Requests);
    }

    [Theory]
    [InlineData(400, "InvalidOutput", typeof(InvalidOutputException))]
    [InlineData(400, "AccessDeniedException", typeof(Aws.Auth.AwsAuthException))]
    [InlineData(400, "KmsAccessDeniedException", typeof(AwsServiceException))]
    public async Task SendSuccess_OtherErrors_Propagate(int status, string type, Type expected)
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerError(status, type);
        using var client = TestAws.StepFunctions(endpoint);
        ITaskCallbacks callbacks = new StepFunctionsTaskCallbacks(client);

        var error = await Assert.ThrowsAnyAsync<AwsServiceException>(() => callbacks.SendSuccessAsync(Token, Report, CancellationToken.None));

        Assert.IsType(expected, error);
        Assert.Equal(type, error.ErrorCode);
    }

    [Fact]
    public async Task SendSuccess_Throttled_IsRetriedThenDelivered()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerError(400, "ThrottlingException").AnswerJson("{}");
        var time = new ObservedTimeProvider();
        using var client = TestAws.StepFunctions(endpoint, time);
        var callbacks = new StepFunctionsTaskCallbacks(client);

        var send = callbacks.DeliverSuccessAsync(Token, Report, CancellationToken.None);
        await time.AdvanceUntilCompletedAsync(send);

        Assert.Equal(TaskCallbackDelivery.Delivered, await send);
        Assert.Equal(2, endpoint.Requests.Count);
    }

    [Fact]
    public async Task SendFailure_LongErrorAndCause_AreShortenedOnWholeCharacters()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerJson("{}");
        using var client = TestAws.StepFunctions(endpoint);
        ITaskCallbacks callbacks = new StepFunctionsTaskCallbacks(client);
        var error = new string('E', 300);
        var cause = new string('c', 32_765) + "😀😀😀" + new string('d', 1000);

        await callbacks.SendFailureAsync(Token, error, cause, CancellationToken.None);

        var request = Assert.Single(endpoint.Requests);
        Assert.Equal("AWSStepFunctions.SendTaskFailure", request.Header("X-Amz-Target"));
        var sentError = request.Json.GetProperty("error").GetString()!;
        var sentCause = request.Json.GetProperty("cause").GetString()!;
        Assert.True(Encoding.UTF8.GetByteCount(sentError) <= 256);
        Assert.Equal(new string('E', 253) + "…", sentError);
        Assert.True(Encoding.UTF8.GetByteCount(sentCause) <= 32_768);
        Assert.Equal(new string('c', 32_765) + "…", sentCause);
        Assert.True(IsWellFormed(sentCause));
    }

    [Fact]
    public async Task SendFailure_ShortValues_AreSentAsTheyAre()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerJson("{}");
        using var client = TestAws.StepFunctions(endpoint);

        await client.SendTaskFailureAsync(Token, "LoadFailed", "naïve cause 😀", CancellationToken.None);

        var body = Assert.Single(endpoint.Requests).Json;
        Assert.Equal(["cause", "error", "taskToken"], body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("naïve cause 😀", body.GetProperty("cause").GetString());
    }

    [Fact]
    public async Task SendFailure_NullErrorAndCause_AreOmitted()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerJson("{}");
        using var client = TestAws.StepFunctions(endpoint);

        await client.SendTaskFailureAsync(Token, null, null, CancellationToken.None);

        Assert.Equal($$"""{"taskToken":"{{Token}}"}""", Assert.Single(endpoint.Requests).BodyText);
    }

    [Fact]
    public async Task Heartbeat_SendsTokenAndReportsAClosedToken()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerJson("{}").AnswerError(400, "TaskTimedOut");
        using var client = TestAws.StepFunctions(endpoint);
        var callbacks = new StepFunctionsTaskCallbacks(client);

        Assert.Equal(TaskCallbackDelivery.Delivered, await callbacks.SendHeartbeatAsync(Token, CancellationToken.None));
        Assert.Equal(TaskCallbackDelivery.AlreadyClosed, await callbacks.SendHeartbeatAsync(Token, CancellationToken.None));

        Assert.All(endpoint.Requests, r => Assert.Equal("AWSStepFunctions.SendTaskHeartbeat", r.Header("X-Amz-Target")));
        Assert.Equal($$"""{"taskToken":"{{Token}}"}""", endpoint.Requests[0].BodyText);
    }

    [Fact]
    public async Task SendTaskSuccess_OutputTooLargeOrNotJson_FailsBeforeSending()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        using var client = TestAws.StepFunctions(endpoint);
        var tooLarge = $"\"{new string('x', 262_143)}\"";

        var large = await Assert.ThrowsAsync<ArgumentException>(() => client.SendTaskSuccessAsync(Token, tooLarge, CancellationToken.None));
        var notJson = await Assert.ThrowsAsync<ArgumentException>(() => client.SendTaskSuccessAsync(Token, "{not json", CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => client.SendTaskHeartbeatAsync("", CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => client.SendTaskHeartbeatAsync(new string('t', 2049), CancellationToken.None));

        Assert.Contains("262145 bytes", large.Message, StringComparison.Ordinal);
        Assert.Contains("not JSON", notJson.Message, StringComparison.Ordinal);
        Assert.Empty(endpoint.Requests);
    }

    private static bool IsWellFormed(string text)
    {
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetByteCount(text);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }
}
