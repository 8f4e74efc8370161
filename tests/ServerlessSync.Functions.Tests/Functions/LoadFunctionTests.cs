using System.Text.Json.Nodes;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Ports;
using ServerlessSync.Functions.Hosting;
using ServerlessSync.Functions.Tests.Support;

namespace ServerlessSync.Functions.Tests.Functions;

public sealed class LoadFunctionTests : IAsyncLifetime
{
    private FunctionsTestHost _host = null!;

    public async Task InitializeAsync() => _host = await FunctionsTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    [UsesEventSample("load-manifest-created.json")]
    public async Task ManifestCreatedSample_ClaimsTheManifest_SubmitsOneNamedLoadWithEvent()
    {
        var extracted = await SampleRun.ExtractAsync(_host);

        var output = await _host.InvokeAsync("Load", EventSamples.Load("load-manifest-created.json", _host.Bucket));

        var manifest = Assert.Single(output["manifests"]!.AsArray())!;
        Assert.Equal(SampleRun.ManifestKey, (string?)manifest["manifestKey"]);
        Assert.Equal("Submitted", (string?)manifest["result"]);
        Assert.Null(manifest["error"]);
        var submit = Assert.Single(_host.Redshift.Requests, r => r.WithEvent == true);
        Assert.Equal("BatchExecuteStatement", submit.Operation);
        Assert.Equal($"serverless-sync load {FunctionsTestHost.SampleClaimant} {SampleRun.ManifestKey}", submit.StatementName);
        Assert.Equal("FINISHED", await _host.WaitForStatementAsync((string)manifest["statementId"]!));
        Assert.Equal((long)extracted["rows"]!, await _host.LiveRowCountAsync("account"));
        Assert.Empty(_host.StepFunctions.Calls);
        var claim = await _host.Status.TryClaimAsync("default", $"default/{FunctionsTestHost.SampleRunId}/account", "someone-else", FunctionsTestHost.SampleTime, TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.Equal(LoadClaimResult.HeldByAnother, claim.Result);
    }

    [Fact]
    public async Task DuplicateS3Events_InThisContainerAndAnother_WhileLoadingAndAfter_LoadOnce()
    {
        var extracted = await SampleRun.ExtractAsync(_host);
        var sample = EventSamples.Load("load-manifest-created.json", _host.Bucket);
        var statementId = await SampleRun.SubmitLoadAsync(_host);
        using var otherHost = new FunctionHost(_host.Settings, _host.Clock, FunctionsTestHost.Credentials, TextWriter.Null);
        var otherContainer = new LoadFunction(otherHost);

        var sameContainer = await _host.InvokeAsync("Load", sample);
        var elsewhere = await Invoke(otherContainer, sample);
        var state = await _host.WaitForStatementAsync(statementId);
        var completed = await _host.InvokeAsync("LoadCompleted", FunctionsTestHost.StatementEvent(_host.StatementName(SampleRun.ManifestKey), statementId, state));
        var afterwards = await Invoke(otherContainer, sample);

        // The claimant renews its own claim and resubmits under the same client token: the same statement.
        Assert.Equal(("Submitted", statementId), ((string?)sameContainer["manifests"]![0]!["result"], (string?)sameContainer["manifests"]![0]!["statementId"]));
        Assert.Equal("HeldByAnother", (string?)elsewhere["manifests"]![0]!["result"]);
        Assert.True((string?)afterwards["manifests"]![0]!["result"] == "AlreadyLoaded", $"{state}; LoadCompleted answered {completed.ToJsonString()}; the later Load {afterwards.ToJsonString()}");
        Assert.Equal((long)extracted["rows"]!, await _host.LiveRowCountAsync("account"));
        var ledger = await _host.Redshift.QueryAsync("SELECT count(*) AS n FROM zuora._serverless_sync_loads");
        Assert.Equal(1L, Convert.ToInt64(ledger[0]["n"], System.Globalization.CultureInfo.InvariantCulture));
        // The token is answered once; the replay's second answer is refused by Step Functions and taken as done.
        Assert.Equal([true, false], _host.StepFunctions.Calls.Select(c => c.Accepted));
    }

    [Fact]
    public async Task Load_SkipsKeysThatAreNotManifests_AndEventsOtherThanCreated()
    {
        await SampleRun.ExtractAsync(_host);
        var part = $"runs/default/{FunctionsTestHost.SampleRunId}/account/part-00000.csv.gz";

        var fromPart = await _host.InvokeAsync("Load", _host.ManifestCreatedEvent(part));
        var fromRemoval = await _host.InvokeAsync("Load", _host.ManifestCreatedEvent(SampleRun.ManifestKey, "ObjectRemoved:Delete"));

        Assert.Empty(fromPart["manifests"]!.AsArray());
        Assert.Empty(fromRemoval["manifests"]!.AsArray());
        Assert.DoesNotContain(_host.Redshift.Requests, r => r.Operation == "BatchExecuteStatement");
    }

    [Fact]
    public async Task Load_UnreadableManifest_FailsNamingIt_AfterLoadingTheEventsOtherManifests()
    {
        await SampleRun.ExtractAsync(_host);
        const string unreadable = "runs/default/no-such-run/account/account.manifest.json";
        await _host.S3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = _host.Bucket, Key = unreadable, ContentBody = "{ not a manifest" });
        var two = JsonNode.Parse(_host.ManifestCreatedEvent(unreadable))!;
        two["Records"]!.AsArray().Add(JsonNode.Parse(_host.ManifestCreatedEvent(SampleRun.ManifestKey))!["Records"]![0]!.DeepClone());

        var error = await Assert.ThrowsAsync<ManifestEventException>(() => _host.InvokeAsync("Load", two.ToJsonString()));

        Assert.StartsWith($"1 manifest event(s) could not be handled: {unreadable}: cannot load {unreadable}", error.Message, StringComparison.Ordinal);
        Assert.Single(_host.Redshift.Requests, r => r.Operation == "BatchExecuteStatement" && r.StatementName == LoadSubmissionName.Format(FunctionsTestHost.SampleClaimant, SampleRun.ManifestKey));
    }

    [Fact]
    public async Task Load_ManifestNoLongerStaged_ALateRepeatAfterCleanup_IsNotAnError()
    {
        const string gone = "runs/default/cleaned-run/account/account.manifest.json";

        var output = await _host.InvokeAsync("Load", _host.ManifestCreatedEvent(gone));

        var result = Assert.Single(output["manifests"]!.AsArray())!;
        Assert.Equal("NoLongerStaged", (string?)result["result"]);
        Assert.DoesNotContain(_host.Redshift.Requests, r => r.Operation == "BatchExecuteStatement");
    }

    [Fact]
    public async Task Load_ManifestOfAnotherBucket_IsNamed()
    {
        var sample = EventSamples.Load("load-manifest-created.json");

        var error = await Assert.ThrowsAsync<ManifestEventException>(() => _host.InvokeAsync("Load", sample));

        Assert.Contains($"{SampleRun.ManifestKey}: bucket '{EventSamples.SampleBucket}' is not the staging bucket '{_host.Bucket}'", error.Message, StringComparison.Ordinal);
    }

    private static async Task<JsonNode> Invoke(LoadFunction function, string input)
    {
        await using var output = await function.HandleAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(input)));
        return (await JsonNode.ParseAsync(output))!;
    }
}
