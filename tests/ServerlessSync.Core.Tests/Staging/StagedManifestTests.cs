using System.Text;
using ServerlessSync.Core.Staging;
using ServerlessSync.Testing;

namespace ServerlessSync.Core.Tests.Staging;

public class StagedManifestTests
{
    private static StagedManifest Sample() => new(
        StagedManifest.CurrentFormat, "default", "run-1", "hostile", null, new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero),
        StagedManifest.ColumnsOf(HostileValues.Schema),
        "null-abcdefghijkl",
        [new StagedPart("runs/default/run-1/hostile/part-00000.csv.gz", 10, 2, new string('a', 64))],
        2, 10, new DateTimeOffset(2026, 11, 26, 0, 0, 1, TimeSpan.Zero), "token");

    [Fact]
    public void Parse_WrittenManifest_RoundTrips()
    {
        var manifest = Sample();

        var parsed = StagedManifest.Parse(manifest.ToJson(), "k");

        Assert.Equal(manifest.LoadId, parsed.LoadId);
        Assert.Equal(manifest.Parts, parsed.Parts);
        Assert.Equal(manifest.Columns, parsed.Columns);
        Assert.Equal(manifest.WindowEnd, parsed.WindowEnd);
        Assert.Equal(HostileValues.Schema.Columns, parsed.ToSchema().Columns);
    }

    [Fact]
    public void SchemaForLoad_ChecksWhatEveryWarehouseNeeds_NamingTheProblem()
    {
        var manifest = Sample();

        Assert.Equal(HostileValues.Schema.Columns, manifest.SchemaForLoad(["s3://b/part-00000.csv.gz"], "_ledger").Columns);
        var missing = Assert.Throws<ArgumentException>(() => manifest.SchemaForLoad([], "_ledger"));
        Assert.Contains("lists 1 parts but 0 locations were given", missing.Message, StringComparison.Ordinal);
        var reserved = Assert.Throws<ArgumentException>(() => manifest.SchemaForLoad(["x"], "HOSTILE"));
        Assert.Contains("'hostile' is reserved for the load ledger", reserved.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NotJson_ThrowsNamingKey()
    {
        var e = Assert.Throws<InvalidDataException>(() => StagedManifest.Parse("{oops"u8, "runs/x.manifest.json"));
        Assert.Contains("runs/x.manifest.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownColumnType_ThrowsNamingType()
    {
        var json = Encoding.UTF8.GetString(Sample().ToJson()).Replace("\"decimal(18,2)\"", "\"money\"", StringComparison.Ordinal);

        var e = Assert.Throws<InvalidDataException>(() => StagedManifest.Parse(Encoding.UTF8.GetBytes(json), "k"));
        Assert.Contains("money", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OtherFormat_Throws()
    {
        var json = Encoding.UTF8.GetString(Sample().ToJson()).Replace(StagedManifest.CurrentFormat, "v0", StringComparison.Ordinal);

        Assert.Throws<InvalidDataException>(() => StagedManifest.Parse(Encoding.UTF8.GetBytes(json), "k"));
    }

    [Fact]
    public void Parse_V1Manifest_ReadsWithTheLegacyNullMarker()
    {
        var json = Encoding.UTF8.GetString(Sample().ToJson())
            .Replace(StagedManifest.CurrentFormat, StagedManifest.LegacyFormat, StringComparison.Ordinal)
            .Replace("\"nullMarker\": \"null-abcdefghijkl\",", "", StringComparison.Ordinal);
        Assert.DoesNotContain("nullMarker", json, StringComparison.Ordinal);

        var parsed = StagedManifest.Parse(Encoding.UTF8.GetBytes(json), "k");

        Assert.Equal(CsvFormat.LegacyNullMarker, parsed.NullMarker);
    }

    [Theory]
    [InlineData(null, "missing")]
    [InlineData("", "missing")]
    [InlineData("12", "could be read")]
    [InlineData("2026-01-01", "could be read")]
    [InlineData("true", "could be read")]
    [InlineData("null \"x\"", "letters, digits")]
    [InlineData("a,b", "letters, digits")]
    public void Parse_V2ManifestWithAnUnusableNullMarker_ThrowsNamingIt(string? marker, string problem)
    {
        var manifest = Sample() with { NullMarker = marker! };

        var e = Assert.Throws<InvalidDataException>(() => StagedManifest.Parse(manifest.ToJson(), "runs/k.manifest.json"));

        Assert.Contains("runs/k.manifest.json", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }
}
