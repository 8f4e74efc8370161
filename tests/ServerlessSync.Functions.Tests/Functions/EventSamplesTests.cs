using System.Reflection;
using ServerlessSync.Functions.Tests.Support;

namespace ServerlessSync.Functions.Tests.Functions;

/// <summary>Every sample in <c>events/</c> drives its handler in a test (<see cref="UsesEventSampleAttribute"/>).</summary>
public sealed class EventSamplesTests
{
    /// <summary>Samples of functions owned elsewhere, which their own tests cover: the status API's requests.</summary>
    private static bool OwnedElsewhere(string fileName) => fileName.StartsWith("api-", StringComparison.Ordinal);

    [Fact]
    public void EverySampleInEvents_IsUsedByATest()
    {
        var used = UsedSamples();
        var samples = Directory.EnumerateFiles(EventSamples.Directory).Select(Path.GetFileName).OfType<string>().ToList();

        var unused = samples.Where(s => !OwnedElsewhere(s) && !used.Contains(s)).Order(StringComparer.Ordinal).ToList();

        Assert.NotEmpty(samples);
        Assert.True(unused.Count == 0, $"events/ samples no test feeds to their handler: {string.Join(", ", unused)}");
    }

    [Fact]
    public void EverySampleATestNames_IsInEvents() =>
        Assert.All(UsedSamples(), sample => Assert.True(File.Exists(Path.Combine(EventSamples.Directory, sample)), $"events/{sample} does not exist"));

    private static HashSet<string> UsedSamples() =>
        typeof(EventSamplesTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttributes<FactAttribute>().Any())
            .SelectMany(m => m.GetCustomAttributes<UsesEventSampleAttribute>())
            .Select(a => a.FileName)
            .ToHashSet(StringComparer.Ordinal);
}
