using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using ServerlessSync.Core.Model;
using ServerlessSync.Sources.Synthetic;
using static ServerlessSync.Sources.Tests.Synthetic.SyntheticTestTenant;

namespace ServerlessSync.Sources.Tests.Synthetic;

public class SyntheticTenantTests
{
    [Fact]
    public void OpenOrCreate_NoFile_CreatesTenantAtBaseNowInWholeSeconds()
    {
        using var home = new SyntheticStateDirectory();
        var clock = new FakeTimeProvider(BaseStart);

        var tenant = SyntheticTenant.OpenOrCreate(home.StateFile, null, Seed, clock);

        Assert.True(File.Exists(home.StateFile));
        var t0 = BaseStart.AddMilliseconds(-BaseStart.Millisecond);
        Assert.Equal(t0, tenant.CreatedAt);
        Assert.Equal(SyntheticTenant.DefaultScale, tenant.Scale);
        Assert.Equal(Seed, tenant.Seed);
        var epoch = Assert.Single(tenant.Epochs);
        Assert.Equal(new SyntheticEpoch(0, t0.AddDays(-365), t0), epoch);
        Assert.Equal(BaseStart, tenant.Clock.GetUtcNow());
    }

    [Fact]
    public async Task OpenOrCreate_ExistingFile_ReopensTheSameTenantRowsAndClock()
    {
        using var home = new SyntheticStateDirectory();
        var clock = new FakeTimeProvider(BaseStart);
        var original = SyntheticTenant.OpenOrCreate(home.StateFile, 5_000, Seed, clock);
        clock.Advance(TimeSpan.FromMinutes(30));
        original.Advance(TimeSpan.FromDays(2));
        clock.Advance(TimeSpan.FromHours(1));

        var reopened = SyntheticTenant.OpenOrCreate(home.StateFile, null, Seed + 99, clock);

        Assert.Equal(original.Seed, reopened.Seed);
        Assert.Equal(5_000, reopened.Scale);
        Assert.Equal(original.CreatedAt, reopened.CreatedAt);
        Assert.Equal(original.Epochs, reopened.Epochs);
        Assert.Equal(original.Clock.GetUtcNow(), reopened.Clock.GetUtcNow());
        var windows = new[] { SyncWindow.Historical(original.Clock.GetUtcNow()), new SyncWindow(original.Epochs[1].Start, original.Clock.GetUtcNow()) };
        foreach (var window in windows)
        {
            foreach (var name in new[] { "account", "contact", "invoiceitem", "creditmemo" })
            {
                var schema = await original.Source.DescribeAsync(name, CancellationToken.None);
                Assert.Equal(
                    (await ReadAsync(original, name, window)).Select(r => Render(schema, r)),
                    (await ReadAsync(reopened, name, window)).Select(r => Render(schema, r)));
            }
        }
    }

    [Fact]
    public void OpenOrCreate_ExistingFileWithOtherScale_ThrowsNamingBothScales()
    {
        using var home = new SyntheticStateDirectory();
        var clock = new FakeTimeProvider(BaseStart);
        SyntheticTenant.OpenOrCreate(home.StateFile, 3_000, Seed, clock);

        var e = Assert.Throws<InvalidOperationException>(() => SyntheticTenant.OpenOrCreate(home.StateFile, 4_000, Seed, clock));

        Assert.Contains("3000", e.Message, StringComparison.Ordinal);
        Assert.Contains("4000", e.Message, StringComparison.Ordinal);
        Assert.Equal(3_000, SyntheticTenant.OpenOrCreate(home.StateFile, 3_000, Seed, clock).Scale);
    }

    [Fact]
    public void Open_CorruptStateFile_ThrowsInvalidDataNamingTheFile()
    {
        using var home = new SyntheticStateDirectory();
        Directory.CreateDirectory(home.Path);
        File.WriteAllText(home.StateFile, "{ \"formatVersion\": 1, \"seed\": ");

        var e = Assert.Throws<InvalidDataException>(() => SyntheticTenant.OpenOrCreate(home.StateFile, null, Seed, new FakeTimeProvider(BaseStart)));

        Assert.Contains(home.StateFile, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_OverlappingEpochs_ThrowsInvalidData()
    {
        using var home = new SyntheticStateDirectory();
        var clock = new FakeTimeProvider(BaseStart);
        var tenant = SyntheticTenant.OpenOrCreate(home.StateFile, 1_000, Seed, clock);
        tenant.Advance(TimeSpan.FromDays(1));
        var json = File.ReadAllText(home.StateFile);
        var start = tenant.Epochs[1].Start.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        var earlier = tenant.Epochs[1].Start.AddDays(-2).ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllText(home.StateFile, json.Replace(start, earlier, StringComparison.Ordinal));

        var e = Assert.Throws<InvalidDataException>(() => SyntheticTenant.Open(home.StateFile, clock));

        Assert.Contains("epoch 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Advance_WithStateFile_SavesAtomicallyAndLeavesNoTemporaryFiles()
    {
        using var home = new SyntheticStateDirectory();
        var clock = new FakeTimeProvider(BaseStart);
        var tenant = SyntheticTenant.OpenOrCreate(home.StateFile, 1_000, Seed, clock);

        tenant.Advance(TimeSpan.FromDays(1));
        tenant.Advance(TimeSpan.FromDays(2));

        Assert.Equal([home.StateFile], Directory.GetFiles(home.Path));
        using var state = JsonDocument.Parse(File.ReadAllText(home.StateFile));
        Assert.Equal(3, state.RootElement.GetProperty("epochs").GetArrayLength());
        Assert.Equal(Seed, state.RootElement.GetProperty("seed").GetUInt64());
        Assert.Equal(3, SyntheticTenant.Open(home.StateFile, clock).Epochs.Count);
    }

    [Fact]
    public void Advance_OneDay_ClockRunsADayAheadOfTheBaseClock()
    {
        var (tenant, clock) = Create(1_000);
        clock.Advance(TimeSpan.FromMinutes(5));
        var before = tenant.Clock.GetUtcNow(); // 250 ms past a whole second

        var epoch = tenant.Advance(TimeSpan.FromDays(1));

        var start = before.AddMilliseconds(1000 - before.Millisecond);
        Assert.Equal(new SyntheticEpoch(1, start, start.AddDays(1)), epoch);
        Assert.Equal(start.AddDays(1), tenant.Clock.GetUtcNow());
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(start.AddDays(1).AddMinutes(10), tenant.Clock.GetUtcNow());
        Assert.Equal(clock.GetTimestamp(), tenant.Clock.GetTimestamp());
        Assert.Equal(TimeZoneInfo.Utc, tenant.Clock.LocalTimeZone);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-60)]
    [InlineData(3651 * 86_400)]
    public void Advance_SpanOutOfRange_Throws(long seconds)
    {
        var (tenant, _) = Create(1_000);

        Assert.Throws<ArgumentOutOfRangeException>(() => tenant.Advance(TimeSpan.FromSeconds(seconds)));
        Assert.Single(tenant.Epochs);
    }

    [Fact]
    public async Task Advance_SmallTenantOneDay_EveryObjectGainsAndEveryDeletableObjectLosesRows()
    {
        var (tenant, _) = Create(1_000);
        var before = tenant.Clock.GetUtcNow();

        tenant.Advance(TimeSpan.FromDays(1));

        var changes = await ReadAllAsync(tenant, new SyncWindow(before, tenant.Clock.GetUtcNow()));
        Assert.All(changes, kv => Assert.Contains(kv.Value, r => Created(r) >= before && !r.Deleted));
        Assert.All(new[] { "contact", "refund", "creditmemo" }, name => Assert.Contains(changes[name], r => r.Deleted));
    }

    [Fact]
    public async Task CountRows_AfterAdvances_LiveMatchesHistoricalReadAndTotalIncludesDeleted()
    {
        var (tenant, clock) = Create(5_000);
        tenant.Advance(TimeSpan.FromDays(10));
        clock.Advance(TimeSpan.FromHours(1));
        tenant.Advance(TimeSpan.FromDays(10));

        var counts = tenant.CountRows();
        var live = await ReadAllAsync(tenant, SyncWindow.Historical(DateTimeOffset.MaxValue));
        var all = await ReadAllAsync(tenant, new SyncWindow(DateTimeOffset.MinValue, DateTimeOffset.MaxValue));

        Assert.Equal(tenant.Source.Objects, counts.Select(c => c.ObjectName));
        foreach (var count in counts)
        {
            Assert.Equal(live[count.ObjectName].Count, count.Live);
            Assert.Equal(all[count.ObjectName].Count, count.Total);
        }

        Assert.Contains(counts, c => c.Live < c.Total);
    }

    [Fact]
    public void NegLog_AcrossTheRange_MatchesMathLog()
    {
        var hash = 12345UL;
        for (var i = 0; i < 100_000; i++)
        {
            hash = Mixer.Mix(hash + Mixer.Golden);
            var u = ((hash >> 11) + 1) / 9007199254740992.0;
            Assert.Equal(-Math.Log(u), Mixer.NegLog(hash), 1e-12);
        }

        Assert.Equal(0.0, Mixer.NegLog(ulong.MaxValue));
        Assert.Equal(53 * Math.Log(2), Mixer.NegLog(0), 1e-12);
    }

    [Fact]
    public void ExponentialSeconds_ManyDraws_MeanIsTheRequestedMean()
    {
        const long Mean = 200 * 86_400;
        double sum = 0;
        const int Draws = 200_000;
        for (var i = 0UL; i < Draws; i++)
        {
            sum += Mixer.ExponentialSeconds(Mixer.Mix(i), Mean);
        }

        Assert.InRange(sum / Draws, Mean * 0.98, Mean * 1.02);
    }
}
