using System.Text.Json.Nodes;

namespace ServerlessSync.Functions.Tests.Support;

/// <summary>Marks a test that feeds the named <c>events/</c> sample to its handler (EventSamplesTests checks that every sample has one).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class UsesEventSampleAttribute(string fileName) : Attribute
{
    public string FileName { get; } = fileName;
}

/// <summary>
/// The samples in the repository's <c>events/</c> folder, as <c>sam local invoke -e</c> reads them. The samples name the
/// deployed bucket (<see cref="SampleBucket"/>); a test's bucket is its own, so <see cref="Load"/> puts the test's name
/// in its place, and nothing else.
/// </summary>
public static class EventSamples
{
    /// <summary>The staging bucket the samples name.</summary>
    public const string SampleBucket = "serverless-sync-staging";

    public static string Directory { get; } = FindDirectory();

    /// <summary>The sample's text, its bucket name replaced by <paramref name="bucket"/> when given.</summary>
    public static string Load(string fileName, string? bucket = null)
    {
        var text = File.ReadAllText(Path.Combine(Directory, fileName));
        return bucket is null ? text : text.Replace(SampleBucket, bucket, StringComparison.Ordinal);
    }

    /// <summary>The sample as a JSON tree, to read what it refers to or to change one member.</summary>
    public static JsonNode Json(string fileName, string? bucket = null) => JsonNode.Parse(Load(fileName, bucket))!;

    private static string FindDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ServerlessSync.sln")))
            {
                return Path.Combine(directory.FullName, "events");
            }
        }

        throw new DirectoryNotFoundException($"no ServerlessSync.sln above {AppContext.BaseDirectory}: cannot find events/");
    }
}
