// Times the extract side of a historical sync of the synthetic tenant, without the load: each of the tenant's objects
// read from the source and, per mode, staged as the sync stages it. Prints wall time and the process's CPU time (user +
// system) per repetition, so a change to the source, the CSV writer or the part writer can be measured alone.
//   dotnet run -c Release --project tests/benchmarks/ExtractBench -- MODE [SCALE] [REPEATS]
//   MODE: rows     the source's rows only (enumerated, not formatted)
//         discard  rows → CSV → zstd parts, into a store that counts and discards the bytes
//         local    rows → CSV → zstd parts, into a local staging directory (as the CLI stages)
using System.Diagnostics;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Staging;
using ServerlessSync.Embedded.LocalStaging;
using ServerlessSync.Sources.Synthetic;

var mode = args.Length > 0 ? args[0] : "discard";
var scale = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
var repeats = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3;
var tenant = SyntheticTenant.CreateInMemory(scale, 42, TimeProvider.System);
var source = tenant.Source;
var window = new SyncWindow(null, tenant.Clock.GetUtcNow());
var directory = Path.Combine(Path.GetTempPath(), $"extract-bench-{Environment.ProcessId}");
var process = Process.GetCurrentProcess();
try
{
    for (var r = 0; r < repeats; r++)
    {
        var cpu = process.TotalProcessorTime;
        var pause = GC.GetTotalPauseDuration();
        var collections = GC.CollectionCount(0);
        var watch = Stopwatch.StartNew();
        long rows = 0, bytes = 0;
        IStagingStore store = mode == "local" ? new LocalDirectoryStagingStore(directory) : new DiscardingStore();
        var stager = new ObjectStager(store, new StagingOptions(), TimeProvider.System);
        foreach (var name in source.Objects)
        {
            var schema = await source.DescribeAsync(name, CancellationToken.None);
            var read = source.ReadAsync(schema, window, CancellationToken.None);
            if (mode == "rows")
            {
                await foreach (var row in read)
                {
                    rows += row.Values.Length > 0 ? 1 : 0;
                }

                continue;
            }

            var manifest = await stager.StagePartsAsync("bench", $"run{r}", schema, window, read, null, null, CancellationToken.None);
            rows += manifest.Rows;
            bytes += manifest.Bytes;
        }

        watch.Stop();
        process.Refresh();
        var used = process.TotalProcessorTime - cpu;
        Console.WriteLine($"{mode} run {r + 1}: {rows:N0} rows, {bytes / 1048576.0:F1} MiB staged, {watch.Elapsed.TotalSeconds:F2} s wall, {used.TotalSeconds:F2} s CPU, {rows / watch.Elapsed.TotalSeconds:N0} rows/s; {GC.CollectionCount(0) - collections} GCs pausing {(GC.GetTotalPauseDuration() - pause).TotalSeconds:F2} s; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
finally
{
    if (Directory.Exists(directory))
    {
        Directory.Delete(directory, recursive: true);
    }
}

/// <summary>A store whose writes are counted and dropped.</summary>
internal sealed class DiscardingStore : IStagingStore
{
    public Task<IStagedObjectWriter> OpenWriteAsync(string key, CancellationToken cancellationToken) => Task.FromResult<IStagedObjectWriter>(new Writer());

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) => throw new NotSupportedException();

    public IAsyncEnumerable<StagedObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task DeleteAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken) => Task.CompletedTask;

    public string LocationOf(string key) => key;

    private sealed class Writer : IStagedObjectWriter
    {
        public Stream Body { get; } = Stream.Null;

        public Task CommitAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
