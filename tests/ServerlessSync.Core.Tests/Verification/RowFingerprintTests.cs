using ServerlessSync.Core.Verification;
using ServerlessSync.Testing;

namespace ServerlessSync.Core.Tests.Verification;

public class RowFingerprintTests
{
    private static readonly DateTimeOffset Updated = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Add_SameRowsInAnotherOrder_SameChecksum()
    {
        var rows = HostileValues.Rows(Updated).Select(r => r.Values).ToList();
        var forward = new RowFingerprint(HostileValues.Schema);
        var backward = new RowFingerprint(HostileValues.Schema);

        rows.ForEach(forward.Add);
        Enumerable.Reverse(rows).ToList().ForEach(backward.Add);

        Assert.Equal(rows.Count, forward.Count);
        Assert.Equal(forward.Checksum, backward.Checksum);
    }

    [Fact]
    public void Add_OneValueDiffers_ChecksumDiffers()
    {
        var rows = HostileValues.Rows(Updated).Select(r => r.Values).ToList();
        var original = new RowFingerprint(HostileValues.Schema);
        var changed = new RowFingerprint(HostileValues.Schema);
        rows.ForEach(original.Add);
        var copy = rows.Select(r => (object?[])r.Clone()).ToList();
        copy[3][3] = copy[3][3] is null ? "" : null; // NULL ↔ empty string

        copy.ForEach(changed.Add);

        Assert.NotEqual(original.Checksum, changed.Checksum);
    }

    [Fact]
    public void Add_DuplicateRow_ChecksumDiffersFromSingle()
    {
        var row = HostileValues.Rows(Updated).First().Values;
        var once = new RowFingerprint(HostileValues.Schema);
        var twice = new RowFingerprint(HostileValues.Schema);
        once.Add(row);
        twice.Add(row);
        twice.Add(row);

        Assert.NotEqual(once.Checksum, twice.Checksum);
    }
}

public class RowFingerprintScaleTests
{
    [Fact]
    public void Add_SameDecimalAtDifferentScales_SameChecksum()
    {
        var schema = new ServerlessSync.Core.Model.ObjectSchema("t", [new("amount", ServerlessSync.Core.Model.ColumnType.Decimal(18, 2))]);
        var written = new RowFingerprint(schema);
        var stored = new RowFingerprint(schema);

        written.Add([10.5m]);
        stored.Add([10.50m]);

        Assert.Equal(written.Checksum, stored.Checksum);
    }
}
