using System.Text.Json.Nodes;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Functions.Tests.Support;

/// <summary>
/// Brings a <see cref="FunctionsTestHost"/> to the state an <c>events/</c> sample refers to, through the functions
/// themselves: the samples' run started (StartRun), its account object extracted (Extract), its load submitted (Load).
/// </summary>
public static class SampleRun
{
    public const string ObjectName = "account";

    public static string ManifestKey { get; } = StagingKeys.Manifest("default", FunctionsTestHost.SampleRunId, ObjectName);

    public static string TaskToken => (string)EventSamples.Json("extract.json")["taskToken"]!;

    /// <summary>StartRun with <c>start-run.json</c>, or with <paramref name="objects"/> only.</summary>
    public static Task<JsonNode> StartAsync(FunctionsTestHost host, params string[] objects) =>
        host.InvokeAsync("StartRun", objects.Length == 0
            ? EventSamples.Load("start-run.json")
            : new JsonObject
            {
                ["input"] = new JsonObject { ["objects"] = new JsonArray([.. objects.Select(o => JsonValue.Create(o))]) },
                ["executionName"] = FunctionsTestHost.SampleRunId,
            }.ToJsonString());

    /// <summary>The run started and its account extracted with <c>extract.json</c>; returns Extract's output.</summary>
    public static async Task<JsonNode> ExtractAsync(FunctionsTestHost host)
    {
        await StartAsync(host);
        return await host.InvokeAsync("Extract", EventSamples.Load("extract.json"));
    }

    /// <summary>The account's load submitted with <c>load-manifest-created.json</c>; returns the statement id.</summary>
    public static async Task<string> SubmitLoadAsync(FunctionsTestHost host)
    {
        var output = await host.InvokeAsync("Load", EventSamples.Load("load-manifest-created.json", host.Bucket));
        var manifest = Assert.Single(output["manifests"]!.AsArray())!;
        Assert.Equal("Submitted", (string?)manifest["result"]);
        return (string)manifest["statementId"]!;
    }

    /// <summary>A completion sample for the statement the test's load really ran as (the double chooses statement ids).</summary>
    public static string CompletionEvent(string sample, string statementId)
    {
        var json = EventSamples.Json(sample);
        json["detail"]!["statementId"] = statementId;
        return json.ToJsonString();
    }
}
