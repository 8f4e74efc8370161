using System.Text.Json;
using System.Text.Json.Serialization;
using ServerlessSync.Core.Model;

namespace ServerlessSync.Core.Staging;

// One compressed CSV part of a staged object (the manifest's format names the codec).
public sealed record StagedPart(string Key, long Bytes, long Rows, string Sha256);

// A column as the manifest names it: name and text type (ColumnType.ToString).
public sealed record ManifestColumn(string Name, string Type);

/// <summary>
/// Written last, after every part: what a load needs to find, check and load the parts. Each CSV line
/// holds <see cref="Columns"/> in order followed by the <c>_deleted</c> flag (see <see cref="CsvFormat"/>), NULL written as
/// <see cref="NullMarker"/>.
/// </summary>
public sealed record StagedManifest(
    string Format,
    string ConnectorId,
    string RunId,
    string ObjectName,
    DateTimeOffset? WindowStart,
    DateTimeOffset WindowEnd,
    IReadOnlyList<ManifestColumn> Columns,
    // What stands for NULL in the parts (NullMarkers.For): this run's object's own, equal to none of its strings.
    string NullMarker,
    IReadOnlyList<StagedPart> Parts,
    long Rows,
    long Bytes,
    DateTimeOffset CreatedAt,
    // The workflow's callback token (Step Functions' task token); the load reports to it.
    string? TaskToken)
{
    /// <summary>
    /// The format of gzip parts: v2 names its NULL marker. A loader of v1 would read the marker as text, so the version
    /// changed; v1 manifests (NULL as <see cref="CsvFormat.LegacyNullMarker"/>) are still read.
    /// </summary>
    public const string CurrentFormat = "serverless-sync/csv-gzip/v2";

    /// <summary>The format of zstd parts, otherwise v2's: a loader that knows only gzip refuses it by name.</summary>
    public const string ZstdFormat = "serverless-sync/csv-zstd/v2";

    /// <summary>The format of manifests whose parts <paramref name="codec"/> compresses.</summary>
    public static string FormatOf(StagingCodec codec) => codec == StagingCodec.Zstd ? ZstdFormat : CurrentFormat;

    /// <summary>How the parts are compressed, from <see cref="Format"/>.</summary>
    [JsonIgnore]
    public StagingCodec Codec => Format == ZstdFormat ? StagingCodec.Zstd : StagingCodec.Gzip;

    /// <summary>The format before the NULL marker was named: always <see cref="CsvFormat.LegacyNullMarker"/>.</summary>
    public const string LegacyFormat = "serverless-sync/csv-gzip/v1";

    public SyncWindow Window => new(WindowStart, WindowEnd);

    /// <summary>A stable identity for idempotent loads: the same manifest always has the same id.</summary>
    public string LoadId => $"{ConnectorId}/{RunId}/{ObjectName}";

    public ObjectSchema ToSchema() =>
        new(ObjectName, [.. Columns.Select(c => new ColumnSchema(c.Name, ColumnType.Parse(c.Type)))]);

    /// <summary>
    /// What every warehouse checks before loading: the object's schema, valid; one location per part; and an
    /// object name other than the warehouse's own ledger table (<paramref name="ledgerTable"/>, compared as
    /// warehouses fold case). Throws <see cref="ArgumentException"/> naming the problem.
    /// </summary>
    public ObjectSchema SchemaForLoad(IReadOnlyList<string> partLocations, string ledgerTable)
    {
        ArgumentNullException.ThrowIfNull(partLocations);
        var schema = ToSchema();
        schema.Validate();
        if (partLocations.Count != Parts.Count)
        {
            throw new ArgumentException($"manifest {LoadId} lists {Parts.Count} parts but {partLocations.Count} locations were given", nameof(partLocations));
        }

        if (string.Equals(schema.Name, ledgerTable, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"object name '{schema.Name}' is reserved for the load ledger", "manifest");
        }

        return schema;
    }

    public static IReadOnlyList<ManifestColumn> ColumnsOf(ObjectSchema schema) =>
        [.. schema.Columns.Select(c => new ManifestColumn(c.Name, c.Type.ToString()))];

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, StagingJsonContext.Default.StagedManifest);

    /// <summary>Parses and checks a manifest; throws InvalidDataException naming what is wrong.</summary>
    public static StagedManifest Parse(ReadOnlySpan<byte> json, string key)
    {
        StagedManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(json, StagingJsonContext.Default.StagedManifest);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"manifest {key} is not valid JSON: {e.Message}", e);
        }

        if (manifest is null)
        {
            throw new InvalidDataException($"manifest {key} is empty");
        }

        if (manifest.Format == LegacyFormat)
        {
            manifest = manifest with { Format = CurrentFormat, NullMarker = CsvFormat.LegacyNullMarker };
        }
        else if (manifest.Format is not (CurrentFormat or ZstdFormat))
        {
            throw new InvalidDataException($"manifest {key} has format '{manifest.Format}'; this version reads '{ZstdFormat}', '{CurrentFormat}' and '{LegacyFormat}'");
        }
        else if (NullMarkers.Problem(manifest.NullMarker) is { } problem)
        {
            throw new InvalidDataException($"manifest {key}: {problem}");
        }

        if (manifest.Columns is null || manifest.Parts is null || string.IsNullOrEmpty(manifest.ObjectName))
        {
            throw new InvalidDataException($"manifest {key} lacks object, columns or parts");
        }

        try
        {
            manifest.ToSchema().Validate();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException)
        {
            throw new InvalidDataException($"manifest {key}: {e.Message}", e);
        }

        return manifest;
    }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    WriteIndented = true)]
[JsonSerializable(typeof(StagedManifest))]
internal sealed partial class StagingJsonContext : JsonSerializerContext;
