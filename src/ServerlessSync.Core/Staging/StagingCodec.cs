using System.IO.Compression;

namespace ServerlessSync.Core.Staging;

/// <summary>
/// How staged parts are compressed; the manifest's format names it (<see cref="StagedManifest.Codec"/>). zstd by default:
/// at level 1 it compresses the staged CSV several times faster than gzip and smaller, and decompresses faster still;
/// Redshift's COPY reads it (<c>ZSTD</c>), and so does DuckDB's <c>read_csv</c>. gzip stays an option
/// (<c>--staging-codec gzip</c>), and manifests of gzip parts are read whatever the option.
/// </summary>
public enum StagingCodec
{
    Gzip,
    Zstd,
}

/// <summary>What each codec means for the files: extension, streams, and the name loaders give it.</summary>
public static class StagingCodecs
{
    /// <summary>The zstd level the stager writes: zstd's fastest standard level.</summary>
    public const int ZstdLevel = 1;

    /// <summary>The part's file extension: <c>.csv.gz</c> or <c>.csv.zst</c>.</summary>
    public static string Extension(this StagingCodec codec) => codec == StagingCodec.Zstd ? ".csv.zst" : ".csv.gz";

    /// <summary>The name DuckDB's <c>compression</c> option and Redshift's COPY (upper-cased) give the codec.</summary>
    public static string Name(this StagingCodec codec) => codec == StagingCodec.Zstd ? "zstd" : "gzip";

    /// <summary>
    /// A stream compressing into <paramref name="target"/> (left open), at <paramref name="gzipLevel"/> for gzip. zstd frames
    /// carry their content checksum, as gzip members carry a CRC: a part damaged after staging fails its load (zstd,
    /// DuckDB and Redshift check it) instead of loading garbled rows.
    /// </summary>
    public static Stream OpenCompressor(this StagingCodec codec, Stream target, CompressionLevel gzipLevel)
    {
        if (codec != StagingCodec.Zstd)
        {
            return new GZipStream(target, gzipLevel, leaveOpen: true);
        }

        var zstd = new ZstdSharp.CompressionStream(target, ZstdLevel, leaveOpen: true);
        zstd.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
        return zstd;
    }

    /// <summary>A stream decompressing <paramref name="compressed"/> (and closing it when disposed).</summary>
    public static Stream OpenDecompressor(this StagingCodec codec, Stream compressed) =>
        codec == StagingCodec.Zstd
            ? new ZstdSharp.DecompressionStream(compressed)
            : new GZipStream(compressed, CompressionMode.Decompress);

    /// <summary>The codec of a part by its key's extension (for tools that read parts without their manifest).</summary>
    public static StagingCodec OfKey(string key) =>
        key.EndsWith(StagingCodec.Zstd.Extension(), StringComparison.Ordinal) ? StagingCodec.Zstd : StagingCodec.Gzip;
}
