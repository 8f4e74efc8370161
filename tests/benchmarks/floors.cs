#:package DuckDB.NET.Data.Full@1.5.6.1
#:package ZstdSharp.Port@0.8.8
// The baselines tests/benchmarks/run.sh sets the sync's figures against, on the very files a `sync --keep-staged` left
// under STAGING (each object's manifest and parts). run.sh copies this file out of the repository and runs it there
// (`dotnet run floors.cs`), away from the project's build settings. Prints one number: milliseconds.
//   floors.cs compress STAGING   the staged parts' codec (the manifest's format), at the sync's level, compressing their
//                                CSV alone: decompressed into memory first (untimed), then compressed into nothing
//   floors.cs load STAGING DB    DuckDB's own read_csv of the parts into one typed table per object in a fresh database
//                                file DB, then CHECKPOINT: the storage floor of a load
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;

var mode = args[0];
var manifests = Directory.GetFiles(args[1], "*.manifest.json", SearchOption.AllDirectories);
if (mode == "compress")
{
    long total = 0;
    foreach (var path in manifests)
    {
        var (zstd, _, _, parts) = Read(path);
        foreach (var part in parts)
        {
            var raw = new MemoryStream();
            using (var input = Decompress(File.OpenRead(part), zstd))
            {
                input.CopyTo(raw);
            }

            var bytes = raw.ToArray();
            var watch = Stopwatch.StartNew();
            using (var output = Compress(Stream.Null, zstd))
            {
                output.Write(bytes);
            }

            total += watch.ElapsedMilliseconds;
        }
    }

    Console.WriteLine(total);
}
else
{
    using var connection = new DuckDBConnection($"Data Source={args[2]}");
    connection.Open();
    var watch = Stopwatch.StartNew();
    foreach (var path in manifests)
    {
        var (zstd, columns, marker, parts) = Read(path);
        var name = Path.GetFileName(path).Replace(".manifest.json", "", StringComparison.Ordinal);
        var sql = new StringBuilder($"CREATE TABLE \"{name}\" AS SELECT * FROM read_csv([");
        sql.AppendJoin(", ", parts.Select(p => $"'{p}'"));
        sql.Append("], columns = {").AppendJoin(", ", columns.Select(c => $"'{c.Name}': '{c.Type}'")).Append(", '_deleted': 'BOOLEAN'}");
        sql.Append($", auto_detect = false, header = false, delim = ',', quote = '\"', escape = '\"', nullstr = '{marker}', allow_quoted_nulls = false");
        sql.Append($", compression = '{(zstd ? "zstd" : "gzip")}')");
        Execute(connection, sql.ToString());
    }

    Execute(connection, "CHECKPOINT");
    Console.WriteLine(watch.ElapsedMilliseconds);
}

static void Execute(DuckDBConnection connection, string sql)
{
    using var command = connection.CreateCommand();
    command.CommandText = sql;
    command.ExecuteNonQuery();
}

static Stream Decompress(Stream file, bool zstd) => zstd ? new ZstdSharp.DecompressionStream(file) : new GZipStream(file, CompressionMode.Decompress);

static Stream Compress(Stream target, bool zstd) => zstd ? new ZstdSharp.CompressionStream(target, level: 1) : new GZipStream(target, CompressionLevel.Fastest);

static (bool Zstd, List<(string Name, string Type)> Columns, string Marker, List<string> Parts) Read(string path)
{
    using var document = JsonDocument.Parse(File.ReadAllText(path));
    var root = document.RootElement;
    var zstd = root.GetProperty("format").GetString()!.Contains("zstd", StringComparison.Ordinal);
    var columns = root.GetProperty("columns").EnumerateArray().Select(c => (c.GetProperty("name").GetString()!, c.GetProperty("type").GetString()!)).ToList();
    var marker = root.TryGetProperty("nullMarker", out var m) ? m.GetString()! : "\\N";
    var directory = Path.GetDirectoryName(path)!;
    var parts = root.GetProperty("parts").EnumerateArray().Select(p => Path.Combine(directory, Path.GetFileName(p.GetProperty("key").GetString()!))).ToList();
    return (zstd, columns, marker, parts);
}
