namespace ServerlessSync.Core.Staging;

/// <summary>The staging layout: <c>runs/{connector}/{runId}/{object}/…</c>.</summary>
public static class StagingKeys
{
    public const string ManifestSuffix = ".manifest.json";

    public static string ObjectPrefix(string connectorId, string runId, string objectName) =>
        $"runs/{connectorId}/{runId}/{objectName}/";

    public static string Part(string connectorId, string runId, string objectName, int index, StagingCodec codec = StagingCodec.Gzip) =>
        $"{ObjectPrefix(connectorId, runId, objectName)}part-{index:D5}{codec.Extension()}";

    public static string Manifest(string connectorId, string runId, string objectName) =>
        $"{ObjectPrefix(connectorId, runId, objectName)}{objectName}{ManifestSuffix}";

    public static bool IsManifest(string key) => key.EndsWith(ManifestSuffix, StringComparison.Ordinal);
}
