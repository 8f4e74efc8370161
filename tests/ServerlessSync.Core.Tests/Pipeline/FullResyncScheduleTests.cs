using ServerlessSync.Core.Model;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Core.Tests.Pipeline;

public sealed class FullResyncScheduleTests
{
    [Fact]
    public void Parse_ObjectsStarAndFractions_DaysAsIntervals()
    {
        var every = FullResyncSchedule.Parse(" Account=7, invoice = 0.5 ,*=30");

        Assert.Equal(
            new Dictionary<string, TimeSpan> { ["account"] = TimeSpan.FromDays(7), ["invoice"] = TimeSpan.FromHours(12), ["*"] = TimeSpan.FromDays(30) },
            every);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Parse_Blank_NoSchedule(string? text) => Assert.Empty(FullResyncSchedule.Parse(text));

    [Theory]
    [InlineData("account", "'account' is not OBJECT=DAYS")]
    [InlineData("account=7,=3", "'=3' is not OBJECT=DAYS")]
    [InlineData("account=7,,invoice=1", "'' is not OBJECT=DAYS")]
    [InlineData("account=seven", "'account=seven': 'seven' is not a positive number of days")]
    [InlineData("account=0", "'account=0': '0' is not a positive number of days")]
    [InlineData("account=-1", "'account=-1': '-1' is not a positive number of days")]
    [InlineData("account=1e3", "'account=1e3': '1e3' is not a positive number of days")]
    [InlineData("account=", "'account=': '' is not a positive number of days")]
    [InlineData("account=1,ACCOUNT=2", "'ACCOUNT=2': object account is named twice")]
    [InlineData("account=0.0000000001", "'account=0.0000000001': 0.0000000001 days is shorter than the shortest interval, one hour")]
    [InlineData("acc-ount=7", "'acc-ount=7': 'acc-ount' is not an object name")]
    public void Parse_BadPart_ThrowsNamingIt(string text, string expected) =>
        Assert.Contains(expected, Assert.Throws<FormatException>(() => FullResyncSchedule.Parse(text)).Message, StringComparison.Ordinal);

    [Fact]
    public void IntervalOf_OwnEntryBeforeStar_NullWithoutEither()
    {
        var source = new Names("account", "invoice", "payment");
        var withStar = FullResyncSchedule.ForSource(FullResyncSchedule.Parse("account=1,*=30"), source);
        var withoutStar = FullResyncSchedule.ForSource(FullResyncSchedule.Parse("account=1"), source);

        Assert.Equal((TimeSpan.FromDays(1), TimeSpan.FromDays(30)), (withStar.IntervalOf("account"), withStar.IntervalOf("invoice")));
        Assert.Null(withoutStar.IntervalOf("invoice"));
        Assert.Null(FullResyncSchedule.ForSource(null, source).IntervalOf("account"));
    }

    [Fact]
    public void ForSource_UnknownObject_ThrowsNamingItAndTheKnownOnes()
    {
        var error = Assert.Throws<UnknownObjectException>(() => FullResyncSchedule.ForSource(FullResyncSchedule.Parse("acount=7"), new Names("account", "invoice")));

        Assert.Equal("source 'names' has no object 'acount' (did you mean 'account'?); it has: account, invoice", error.Message);
    }

    [Fact]
    public void SyncOptionsValidate_EmptyObjectName_Refused() =>
        Assert.Contains("object name is empty", Assert.Throws<ArgumentException>(() => new SyncOptions { FullResyncEvery = new Dictionary<string, TimeSpan> { [" "] = TimeSpan.FromDays(1) } }.Validate()).Message, StringComparison.Ordinal);

    private sealed class Names(params string[] objects) : ISource
    {
        public string Name => "names";

        public IReadOnlyList<string> Objects => objects;

        public ValueTask<ObjectSchema> DescribeAsync(string objectName, CancellationToken cancellationToken) => throw new NotSupportedException("the schedule describes nothing");

        public IAsyncEnumerable<SourceRow> ReadAsync(ObjectSchema schema, SyncWindow window, CancellationToken cancellationToken) => throw new NotSupportedException("the schedule reads nothing");
    }
}
