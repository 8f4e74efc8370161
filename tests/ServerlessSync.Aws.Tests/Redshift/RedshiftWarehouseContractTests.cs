using Microsoft.Extensions.Time.Testing;
using ServerlessSync.Aws.Redshift;
using ServerlessSync.Aws.Tests.Pipeline;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Ports;
using ServerlessSync.Testing.Warehouse;

namespace ServerlessSync.Aws.Tests.Redshift;

/// <summary>
/// The warehouse contract on Redshift through the Data API double: parts staged to S3 (moto), loads that answer
/// running and end with the double's statement-ended event. Every test has a pipeline of its own: a bucket, and a
/// PostgreSQL database behind the double.
/// </summary>
public sealed class RedshiftWarehouseContractTests : WarehouseContract
{
    // Compared with the Data API's timestamps, so it starts at the real time; it moves only when a test lets it.
    private readonly FakeTimeProvider _warehouseClock = new(TimeProvider.System.GetUtcNow());
    private CloudPipeline _pipeline = null!;
    private RedshiftWarehouse _warehouse = null!;

    protected override IWarehouse Warehouse => _warehouse;

    protected override IStagingStore Staging => _pipeline.Staging;

    protected override ILoadEndSignal? LoadEnds => _pipeline.LoadEnds;

    protected override string DestinationSchema => CloudPipeline.Schema;

    protected override int MaxStringBytes => RedshiftSql.MaxVarcharBytes;

    public override async Task InitializeAsync()
    {
        _pipeline = await CloudPipeline.StartAsync(new FakeTimeProvider(T0));
        _warehouse = _pipeline.WarehouseFor(CloudPipeline.Target, _warehouseClock);
    }

    public override async Task DisposeAsync() => await _pipeline.DisposeAsync();

    /// <summary>Past the clock skew allowance: the token's statement ended before the replay asks.</summary>
    protected override void LetReplayWindowPass() => _warehouseClock.Advance(TimeSpan.FromMinutes(1));
}
