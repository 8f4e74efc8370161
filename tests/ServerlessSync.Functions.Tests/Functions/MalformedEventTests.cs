using System.Text;
using Amazon;
using ServerlessSync.Aws.RedshiftData;
using ServerlessSync.Functions.Hosting;
using ServerlessSync.Functions.Tests.Support;

namespace ServerlessSync.Functions.Tests.Functions;

/// <summary>Inputs a function cannot read fail before any call, with a message naming the function and the problem.</summary>
public sealed class MalformedEventTests : IDisposable
{
    // Reading the input comes first: nothing listens on these endpoints, and nothing is called.
    private static readonly Uri Nowhere = new("http://127.0.0.1:9/");

    private readonly StringWriter _log = new();
    private readonly FunctionHost _host = new(
        new FunctionSettings
        {
            StagingBucket = "serverless-sync-staging",
            StatusTable = "serverless-sync-status",
            Redshift = RedshiftTarget.ProvisionedCluster("sync-test", "dev", "sync_loader"),
            CopyRoleArn = FunctionsTestHost.CopyRoleArn,
            Region = RegionEndpoint.EUWest1,
            S3Endpoint = Nowhere,
            DynamoDbEndpoint = Nowhere,
            RedshiftDataEndpoint = Nowhere,
            StepFunctionsEndpoint = Nowhere,
        },
        TimeProvider.System,
        FunctionsTestHost.Credentials,
        TextWriter.Null);

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task NoInput_IsRefusedNamingWhatWasExpected()
    {
        var error = await Assert.ThrowsAsync<MalformedEventException>(() => new ExtractFunction(_host).HandleAsync(new MemoryStream()));

        Assert.Equal("Extract was invoked with no input; it expects ExtractInput as JSON", error.Message);
    }

    [Fact]
    public async Task ANullInput_IsRefused()
    {
        var error = await Assert.ThrowsAsync<MalformedEventException>(() => Invoke(new CleanupFunction(_host).HandleAsync, "null"));

        Assert.Equal("Cleanup was invoked with null; it expects CleanupInput as JSON", error.Message);
    }

    [Theory]
    [InlineData("Extract", """{"object":{"objectName":"account","windowEnd":"2026-11-26T21:30:00Z"},"taskToken":"t"}""", "'run'")]
    [InlineData("Extract", """{"run":{"connectorId":"default","runId":"r","startedAt":"yesterday"},"object":{"objectName":"account","windowEnd":"2026-11-26T21:30:00Z"},"taskToken":"t"}""", "$.run.startedAt")]
    [InlineData("Load", """{"records":[]}""", "'Records'")]
    [InlineData("Load", """{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":null}}}]}""", "$.Records[0].s3.object.key")]
    [InlineData("LoadCompleted", """{"detail-type":"Redshift Data Statement Status Change","source":"aws.redshift-data","detail":{"state":"FINISHED"}}""", "'statementId'")]
    [InlineData("FinishRun", """{"connectorId":"default","runId":"r","error":{"Cause":"x"}}""", "'Error'")]
    [InlineData("RecordObject", """[1, 2]""", "RecordObjectInput")]
    public async Task AMalformedInput_IsRefusedNamingTheProblem(string function, string input, string named)
    {
        Func<Stream, Task<Stream>> handler = function switch
        {
            "Extract" => new ExtractFunction(_host).HandleAsync,
            "Load" => new LoadFunction(_host).HandleAsync,
            "LoadCompleted" => new LoadCompletedFunction(_host).HandleAsync,
            "FinishRun" => new FinishRunFunction(_host).HandleAsync,
            _ => new RecordObjectFunction(_host).HandleAsync,
        };

        var error = await Assert.ThrowsAsync<MalformedEventException>(() => Invoke(handler, input));

        Assert.StartsWith($"{function} cannot read its input as ", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Contains(named, StringComparison.Ordinal), error.Message);
    }

    private static Task<Stream> Invoke(Func<Stream, Task<Stream>> handler, string input) => handler(new MemoryStream(Encoding.UTF8.GetBytes(input)));
}
