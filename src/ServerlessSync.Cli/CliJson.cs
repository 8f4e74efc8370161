using System.Text;
using System.Text.Json;
using ServerlessSync.Core.Verification;

namespace ServerlessSync.Cli;

/// <summary>
/// The CLI's own JSON documents (the status documents are the status API's): camelCase names, as the API's, written with
/// <see cref="Utf8JsonWriter"/> so no reflection is needed.
/// </summary>
internal static class CliJson
{
    /// <summary><c>status --json</c> before the first sync: no connector, no runs.</summary>
    public static string NotSyncedStatus => Write(json =>
    {
        json.WriteNull("connector");
        json.WriteStartArray("runs");
        json.WriteEndArray();
    });

    /// <summary><c>verify --json</c>: whether the warehouse equals the source, and each object's counts and checksums.</summary>
    /// <param name="connectorId">the connector verified</param>
    /// <param name="results">each object's comparison</param>
    public static string Verification(string connectorId, IReadOnlyList<ObjectVerification> results) => Write(json =>
    {
        json.WriteString("connectorId", connectorId);
        json.WriteBoolean("matches", results.All(r => r.Matches));
        json.WriteNumber("liveRows", results.Sum(r => r.SourceRows));
        json.WriteStartArray("objects");
        foreach (var r in results)
        {
            json.WriteStartObject();
            json.WriteString("objectName", r.ObjectName);
            json.WriteBoolean("matches", r.Matches);
            json.WriteNumber("sourceRows", r.SourceRows);
            json.WriteString("sourceChecksum", r.SourceChecksum);
            json.WriteNumber("destinationRows", r.DestinationRows);
            json.WriteString("destinationChecksum", r.DestinationChecksum);
            json.WriteString("problem", r.Problem);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    });

    /// <summary><c>doctor --json</c> for the source: whether every check passed, and each check.</summary>
    /// <param name="source">the source checked</param>
    /// <param name="checks">the checks, in order</param>
    public static string SourceChecks(string source, IReadOnlyList<Zuora.ZuoraCheck> checks) => Write(json =>
    {
        json.WriteString("source", source);
        json.WriteBoolean("passed", checks.All(c => c.Passed));
        json.WriteStartArray("checks");
        foreach (var check in checks)
        {
            json.WriteStartObject();
            json.WriteString("subject", check.Subject);
            json.WriteBoolean("passed", check.Passed);
            json.WriteString("message", check.Message);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    });

    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
