namespace ServerlessSync.Core.Staging;

/// <summary>The staging layout: <c>runs/{connector}/{runId}/{object}/…</c>.</summary>
public static class StagingKeys
{
    public const string ManifestSuffix = ".manifest.json";

    public static string ObjectPrefix(string connectorId, string runId, string objectName) =>
        $"runs/{connectorId}/{runId}/{objectName}/";

    public static string Part(string connectorId, string runId, string objectName, int index, StagingCodec codec = StagingCodec.Gzip) =>
        $"{ObjectPrefix(connectorId, runId, objectName)}part-{index:D5}{codec.Extension()}";

    /// <summary>A part of one slice of a sliced historical read: <c>…/{object}/slice-0003/part-00000.csv.gz</c>.</summary>
    public static string SlicePart(string connectorId, string runId, string objectName, int slice, int index, StagingCodec codec = StagingCodec.Gzip) =>
        $"{SlicePrefix(connectorId, runId, objectName, slice)}part-{index:D5}{codec.Extension()}";

    /// <summary>
    /// What one staged slice holds (its parts, as a manifest lists them): <c>…/{object}/slice-0003/{object}.slice.json</c>.
    /// Not a manifest: its arrival starts no load; the object's one manifest lists every slice's parts.
    /// </summary>
    public static string Slice(string connectorId, string runId, string objectName, int slice) =>
        $"{SlicePrefix(connectorId, runId, objectName, slice)}{objectName}{SliceSuffix}";

    public const string SliceSuffix = ".slice.json";

    private static string SlicePrefix(string connectorId, string runId, string objectName, int slice) =>
        $"{ObjectPrefix(connectorId, runId, objectName)}slice-{slice:D4}/";

    public static string Manifest(string connectorId, string runId, string objectName) =>
        $"{ObjectPrefix(connectorId, runId, objectName)}{objectName}{ManifestSuffix}";

    public static bool IsManifest(string key) => key.EndsWith(ManifestSuffix, StringComparison.Ordinal);
}
