using System.Text.Json;
using System.Text.Json.Nodes;
using ServerlessSync.Core.Staging;
using ServerlessSync.Functions.Hosting;
using ServerlessSync.Functions.Tests.Support;

namespace ServerlessSync.Functions.Tests.Functions;

public sealed class ExtractFunctionTests : IAsyncLifetime
{
    private FunctionsTestHost _host = null!;

    public async Task InitializeAsync() => _host = await FunctionsTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    [UsesEventSample("extract.json")]
    public async Task ExtractSample_StagesPartsThenTheManifestWithTheToken_AndRecordsTheExtraction()
    {
        await SampleRun.StartAsync(_host);

        var output = await _host.InvokeAsync("Extract", EventSamples.Load("extract.json"));

        Assert.Equal(SampleRun.ManifestKey, (string?)output["manifestKey"]);
        var manifest = await StagedManifests.ReadAsync(_host.Host.Staging, SampleRun.ManifestKey, CancellationToken.None);
        Assert.Equal(SampleRun.TaskToken, manifest.TaskToken);
        Assert.Equal(manifest.Rows, (long)output["rows"]!);
        Assert.True(manifest.Rows > 0);
        Assert.Equal(manifest.Parts.Count, (int)output["files"]!);
        Assert.Equal(manifest.Bytes, (long)output["bytes"]!);
        Assert.Equal(
            manifest.Parts.Select(p => p.Key).Append(SampleRun.ManifestKey).Order(StringComparer.Ordinal),
            (await _host.KeysAsync(StagingKeys.ObjectPrefix("default", FunctionsTestHost.SampleRunId, "account"))).Order(StringComparer.Ordinal));
        var run = await _host.Status.GetRunAsync("default", FunctionsTestHost.SampleRunId, CancellationToken.None);
        var account = Assert.Single(run!.Objects, o => o.ObjectName == "account");
        Assert.Equal((manifest.Rows, manifest.Parts.Count, SampleRun.ManifestKey), (account.RowsExtracted, account.Files, account.ManifestKey));
    }

    [Fact]
    public async Task Extract_LogsJsonLines_WithTheClocksTime_TheRunAndTheObject()
    {
        await SampleRun.ExtractAsync(_host);

        var lines = _host.LogLines.Select(l => JsonDocument.Parse(l).RootElement).Where(l => l.GetProperty("function").GetString() == "Extract").ToList();

        Assert.NotEmpty(lines);
        Assert.All(lines, line =>
        {
            Assert.Equal("2026-11-26T21:30:00.000Z", line.GetProperty("time").GetString());
            Assert.Equal("INFO", line.GetProperty("level").GetString());
            Assert.Equal("default", line.GetProperty("connectorId").GetString());
            Assert.Equal(FunctionsTestHost.SampleRunId, line.GetProperty("runId").GetString());
            Assert.Equal("account", line.GetProperty("object").GetString());
            Assert.False(string.IsNullOrEmpty(line.GetProperty("message").GetString()));
        });
    }

    [Fact]
    public async Task Extract_InAnotherContainer_StagesTheSameRows()
    {
        await SampleRun.ExtractAsync(_host);
        var first = await StagedManifests.ReadAsync(_host.Host.Staging, SampleRun.ManifestKey, CancellationToken.None);

        using var secondContainer = new FunctionHost(_host.Settings, _host.Clock, FunctionsTestHost.Credentials, TextWriter.Null);
        await new ExtractFunction(secondContainer).HandleAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(EventSamples.Load("extract.json"))));
        var second = await StagedManifests.ReadAsync(_host.Host.Staging, SampleRun.ManifestKey, CancellationToken.None);

        Assert.Equal(first.Parts.Select(p => p.Sha256), second.Parts.Select(p => p.Sha256));
    }

    [Fact]
    public async Task AfterTheTenantAdvanced_TheNextRunExtractsOnlyWhatChanged()
    {
        var historical = await SampleRun.ExtractAsync(_host);
        await _host.InvokeAsync("RecordObject", EventSamples.Load("record-object-loaded.json"));
        await _host.InvokeAsync("FinishRun", EventSamples.Load("finish-run.json"));
        await _host.AdvanceTenantAsync(TimeSpan.FromDays(1));

        var run = await _host.InvokeAsync("StartRun", """{"input":{"objects":["account"]},"executionName":"next-day"}""");
        var account = run["objects"]![0]!;
        var extract = new JsonObject { ["run"] = run.DeepClone(), ["object"] = account.DeepClone(), ["taskToken"] = "token-2" };
        var incremental = await _host.InvokeAsync("Extract", extract.ToJsonString());

        Assert.Equal(FunctionsTestHost.SampleTime.AddMinutes(-5), account["windowStart"]!.GetValue<DateTimeOffset>());
        Assert.Equal(FunctionsTestHost.SampleTime, account["expectedCursor"]!.GetValue<DateTimeOffset>());
        Assert.True(account["windowEnd"]!.GetValue<DateTimeOffset>() >= FunctionsTestHost.SampleTime.AddDays(1));
        Assert.InRange((long)incremental["rows"]!, 1, (long)historical["rows"]! - 1);
    }

    [Fact]
    public async Task Extract_BeforeAnyRunCreatedTheTenant_FailsNamingItsStateFile()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _host.InvokeAsync("Extract", EventSamples.Load("extract.json")));

        Assert.Contains($"s3://{_host.Bucket}/tenant/synthetic-tenant.json does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains(_host.LogLines, l => l.Contains("\"level\":\"ERROR\"", StringComparison.Ordinal) && l.Contains("InvalidOperationException", StringComparison.Ordinal));
    }
}
