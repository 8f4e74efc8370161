using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using DuckDB.NET.Data;
using Microsoft.Extensions.Time.Testing;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Sql;
using ServerlessSync.Core.Staging;
using ServerlessSync.Embedded.DuckDb;
using ServerlessSync.Testing.Warehouse;

namespace ServerlessSync.Embedded.Tests.DuckDb;

/// <summary>
/// A temp directory holding a staging area and a DuckDB file, with the warehouse over it; removed at the end.
/// </summary>
public sealed class WarehouseScratch : IDisposable
{
    public static readonly DateTimeOffset T0 = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private int _runs;

    public WarehouseScratch()
    {
        Directory.CreateDirectory(Root);
        Store = new DirectoryStore(Path.Combine(Root, "staging"));
        Warehouse = new DuckDbWarehouse(DatabasePath);
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "ssync-duckdb-" + Guid.NewGuid().ToString("N"));

    // A subdirectory that does not exist yet: the warehouse creates it.
    public string DatabasePath => Path.Combine(Root, "warehouse", "sync.duckdb");

    public DirectoryStore Store { get; }

    public DuckDbWarehouse Warehouse { get; private set; }

    /// <summary>Stages <paramref name="rows"/> with Core's <see cref="ObjectStager"/> under a new run id, for <paramref name="window"/> (default: the incremental day before <see cref="T0"/>).</summary>
    public async Task<StagedLoad> StageAsync(ObjectSchema schema, IEnumerable<SourceRow> rows, long partSizeBytes = 64L * 1024 * 1024, SyncWindow? window = null)
    {
        var runId = $"run-{Interlocked.Increment(ref _runs):D4}";
        var manifest = await Store.StageRowsAsync(runId, schema, rows, window ?? new SyncWindow(T0.AddDays(-1), T0), new FakeTimeProvider(T0), CancellationToken.None, new StagingOptions { PartSizeBytes = partSizeBytes });
        return new StagedLoad(manifest, Store.PartLocations(manifest));
    }

    /// <summary>Writes parts by hand (each a list of raw CSV lines, without the final newline) and a matching manifest.</summary>
    public StagedLoad WriteByHand(ObjectSchema schema, params IReadOnlyList<string>[] parts)
    {
        var runId = $"run-{Interlocked.Increment(ref _runs):D4}";
        var staged = new List<StagedPart>();
        var locations = new List<string>();
        for (var i = 0; i < parts.Length; i++)
        {
            var key = StagingKeys.Part("conn", runId, schema.Name, i);
            var path = Store.LocationOf(key);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using (var file = File.Create(path))
            using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
            {
                var text = string.Concat(parts[i].Select(l => l + "\n"));
                gzip.Write(new UTF8Encoding(false).GetBytes(text));
            }

            staged.Add(new StagedPart(key, new FileInfo(path).Length, parts[i].Count, "unchecked"));
            locations.Add(path);
        }

        var manifest = new StagedManifest(
            StagedManifest.CurrentFormat, "conn", runId, schema.Name, T0.AddDays(-1), T0,
            StagedManifest.ColumnsOf(schema), CsvFormat.LegacyNullMarker, staged, staged.Sum(p => p.Rows), staged.Sum(p => p.Bytes), T0, TaskToken: null);
        return new StagedLoad(manifest, locations);
    }

    public Task<LoadOutcome> LoadAsync(StagedLoad load, DateTimeOffset syncedAt) =>
        Warehouse.LoadAsync(load.Manifest, load.Parts, syncedAt, CancellationToken.None);

    public async Task<List<object?[]>> LiveRowsAsync(ObjectSchema schema)
    {
        var rows = new List<object?[]>();
        await foreach (var row in Warehouse.ReadLiveRowsAsync(schema, CancellationToken.None))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The whole table, pipeline columns included, as comparable text (one line per row).</summary>
    public async Task<string> DumpAsync(string table)
    {
        if (!File.Exists(Warehouse.DatabasePath))
        {
            return "<no table>";
        }

        // A connection of the test's own to the warehouse's file: DuckDB.NET shares the open database instance.
        await using var connection = new DuckDBConnection(new DuckDBConnectionStringBuilder { DataSource = Warehouse.DatabasePath }.ConnectionString);
        await connection.OpenAsync();
        var columns = new List<string>();
        await using (var catalog = connection.CreateCommand())
        {
            catalog.CommandText = "SELECT column_name FROM information_schema.columns WHERE table_schema = $schema AND table_name = $table ORDER BY ordinal_position";
            catalog.Parameters.Add(new DuckDBParameter("schema", Warehouse.SchemaName));
            catalog.Parameters.Add(new DuckDBParameter("table", table));
            await using var names = await catalog.ExecuteReaderAsync();
            while (await names.ReadAsync())
            {
                columns.Add(names.GetString(0));
            }
        }

        if (columns.Count == 0)
        {
            return "<no table>";
        }

        await using var select = connection.CreateCommand();
        select.CommandText = $"SELECT * FROM {LoadSql.Table(Warehouse.SchemaName, table)} ORDER BY {string.Join(", ", Enumerable.Range(1, columns.Count))}";
        await using var reader = await select.ExecuteReaderAsync();
        var text = new StringBuilder().AppendJoin('|', columns).Append('\n');
        while (await reader.ReadAsync())
        {
            text.AppendJoin('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : reader.GetValue(i)).Select(v => v switch
            {
                null => "NULL",
                DateTime d => DateTime.SpecifyKind(d, DateTimeKind.Utc).ToString("O"),
                _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture),
            })).Append('\n');
        }

        return text.ToString();
    }

    public Task<string> DumpLedgerAsync() => DumpAsync(LoadSql.LedgerTable);

    /// <summary>Closes the warehouse and opens a new one over the same file.</summary>
    public void Reopen()
    {
        Warehouse.Dispose();
        Warehouse = new DuckDbWarehouse(DatabasePath);
    }

    public void Dispose()
    {
        Warehouse.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}

/// <summary>A staged manifest and the local paths of its parts, as the load step hands them over.</summary>
public sealed record StagedLoad(StagedManifest Manifest, IReadOnlyList<string> Parts);

/// <summary>The smallest <see cref="IStagingStore"/> over a directory: enough for <see cref="ObjectStager"/>.</summary>
public sealed class DirectoryStore(string root) : IStagingStore
{
    public Task<IStagedObjectWriter> OpenWriteAsync(string key, CancellationToken cancellationToken)
    {
        var path = LocationOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return Task.FromResult<IStagedObjectWriter>(new Writer(path));
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult<Stream>(File.OpenRead(LocationOf(key)));

    public async IAsyncEnumerable<StagedObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!Directory.Exists(root))
        {
            yield break;
        }

        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var key = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (key.StartsWith(prefix, StringComparison.Ordinal) && !key.EndsWith(".tmp", StringComparison.Ordinal))
            {
                yield return new StagedObjectInfo(key, new FileInfo(file).Length);
            }
        }

        await Task.CompletedTask;
    }

    public Task DeleteAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        foreach (var key in keys)
        {
            File.Delete(LocationOf(key));
        }

        return Task.CompletedTask;
    }

    public string LocationOf(string key) => Path.Combine(root, key.Replace('/', Path.DirectorySeparatorChar));

    private sealed class Writer(string path) : IStagedObjectWriter
    {
        private readonly FileStream _body = File.Create(path + ".tmp");
        private bool _committed;

        public Stream Body => _body;

        public async Task CommitAsync(CancellationToken cancellationToken)
        {
            await _body.FlushAsync(cancellationToken);
            await _body.DisposeAsync();
            File.Move(path + ".tmp", path, overwrite: true);
            _committed = true;
        }

        public async ValueTask DisposeAsync()
        {
            await _body.DisposeAsync();
            if (!_committed)
            {
                File.Delete(path + ".tmp");
            }
        }
    }
}

/// <summary>Hand-written CSV lines and schema variations for the DuckDB tests (the narrow object and its rows: <see cref="ServerlessSync.Testing.Warehouse.WarehouseRows"/>).</summary>
public static class TestRows
{
    /// <summary>One staged CSV line (without the newline), written by Core's <see cref="CsvFormat"/>.</summary>
    public static string Line(ObjectSchema schema, SourceRow row)
    {
        var line = new StringBuilder();
        for (var i = 0; i < schema.Columns.Count; i++)
        {
            CsvFormat.AppendValue(line, schema.Columns[i], row.Values[i], CsvFormat.LegacyNullMarker);
            line.Append(CsvFormat.Delimiter);
        }

        return line.Append(row.Deleted ? "true" : "false").ToString();
    }

    public static ObjectSchema With(this ObjectSchema schema, string column, ColumnType type) =>
        schema with { Columns = [.. schema.Columns, new ColumnSchema(column, type)] };

    public static ObjectSchema Without(this ObjectSchema schema, string column) =>
        schema with { Columns = [.. schema.Columns.Where(c => c.Name != column)] };
}
