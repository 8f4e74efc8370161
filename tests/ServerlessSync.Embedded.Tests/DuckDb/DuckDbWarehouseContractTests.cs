using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Ports;
using ServerlessSync.Testing.Warehouse;

namespace ServerlessSync.Embedded.Tests.DuckDb;

/// <summary>The warehouse contract on a DuckDB file and a staging directory of their own per test; DuckDB completes every load at once.</summary>
public sealed class DuckDbWarehouseContractTests : WarehouseContract
{
    private readonly WarehouseScratch _scratch = new();

    protected override IWarehouse Warehouse => _scratch.Warehouse;

    protected override IStagingStore Staging => _scratch.Store;

    protected override ILoadEndSignal? LoadEnds => null;

    protected override string DestinationSchema => "zuora";

    public override Task InitializeAsync() => Task.CompletedTask;

    public override Task DisposeAsync()
    {
        _scratch.Dispose();
        return Task.CompletedTask;
    }
}
