using ServerlessSync.Core.Staging;

namespace ServerlessSync.Core.Tests.Staging;

public class NullMarkersTests
{
    [Fact]
    public void For_GivesUsableMarkers_OnePerRunAndObject_TheSameForEveryAttempt()
    {
        var markers = Enumerable.Range(0, 1000).Select(i => NullMarkers.For("default", $"20261126T000000Z-{i:x6}", "account")).ToList();

        Assert.All(markers, m =>
        {
            Assert.StartsWith(NullMarkers.Prefix, m, StringComparison.Ordinal);
            Assert.Equal(NullMarkers.Prefix.Length + NullMarkers.HashLength, m.Length);
            Assert.Null(NullMarkers.Problem(m));
        });
        Assert.Equal(markers.Count, markers.Distinct(StringComparer.Ordinal).Count());
        Assert.NotEqual(NullMarkers.For("default", "run-1", "account"), NullMarkers.For("default", "run-1", "invoice"));
        Assert.Equal(NullMarkers.For("default", "run-1", "account"), NullMarkers.For("default", "run-1", "account"));
    }

    [Fact]
    public void Problem_LegacyMarker_IsUsable()
    {
        Assert.Null(NullMarkers.Problem(CsvFormat.LegacyNullMarker));
    }
}
