using ServerlessSync.Core.Staging;

namespace ServerlessSync.Core.Tests.Staging;

public class NullMarkersTests
{
    [Fact]
    public void Draw_GivesUsableMarkers_EachDifferent()
    {
        var markers = Enumerable.Range(0, 1000).Select(_ => NullMarkers.Draw()).ToList();

        Assert.All(markers, m =>
        {
            Assert.StartsWith(NullMarkers.Prefix, m, StringComparison.Ordinal);
            Assert.Equal(NullMarkers.Prefix.Length + NullMarkers.RandomLength, m.Length);
            Assert.Null(NullMarkers.Problem(m));
        });
        Assert.Equal(markers.Count, markers.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Problem_LegacyMarker_IsUsable()
    {
        Assert.Null(NullMarkers.Problem(CsvFormat.LegacyNullMarker));
    }
}
