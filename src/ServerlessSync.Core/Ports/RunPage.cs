using System.Buffers.Text;
using System.Text.Json;
using ServerlessSync.Core.Model;

namespace ServerlessSync.Core.Ports;

/// <summary>One page of a connector's runs, newest first, each with its object records.</summary>
/// <param name="Runs">at most the limit asked for</param>
/// <param name="NextPageToken">passed back to <see cref="IStatusStore.ListRunsPageAsync"/> for the next (older) page; null on the last page</param>
public sealed record RunPage(IReadOnlyList<RunRecord> Runs, string? NextPageToken);

/// <summary>
/// The page token of <see cref="IStatusStore.ListRunsPageAsync"/>: the connector and the position (start instant and
/// run id) of the last run of a page, as base64url of a small JSON object. Every store pages by that position, so the
/// token means the same to each. Opaque to callers: only this type writes and reads it.
/// </summary>
public static class RunPageToken
{
    /// <summary>The longest token accepted; real ones are far shorter.</summary>
    public const int MaxLength = 2048;

    private const int Version = 1;

    /// <summary>The token of the page that follows <paramref name="lastRun"/>.</summary>
    public static string After(RunRecord lastRun)
    {
        ArgumentNullException.ThrowIfNull(lastRun);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("v", Version);
            json.WriteString("c", lastRun.ConnectorId);
            json.WriteNumber("t", lastRun.StartedAt.UtcTicks);
            json.WriteString("r", lastRun.RunId);
            json.WriteEndObject();
        }

        return Base64Url.EncodeToString(buffer.ToArray());
    }

    /// <summary>The position a token written by <see cref="After"/> for <paramref name="connectorId"/> stands for.</summary>
    /// <exception cref="ArgumentException">The token is not one (malformed, too long, or written for another connector); the parameter is <paramref name="pageToken"/>.</exception>
    public static RunPosition Read(string connectorId, string pageToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        ArgumentNullException.ThrowIfNull(pageToken);
        if (pageToken.Length is 0 or > MaxLength)
        {
            throw Malformed(pageToken.Length == 0 ? "it is empty" : $"it is longer than {MaxLength} characters");
        }

        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(pageToken);
        }
        catch (FormatException)
        {
            throw Malformed("it is not base64url");
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("v", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var v) || v != Version
                || !root.TryGetProperty("c", out var connector) || connector.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("t", out var ticks) || ticks.ValueKind != JsonValueKind.Number || !ticks.TryGetInt64(out var t)
                || t < DateTimeOffset.MinValue.UtcTicks || t > DateTimeOffset.MaxValue.UtcTicks
                || !root.TryGetProperty("r", out var run) || run.ValueKind != JsonValueKind.String || run.GetString() is not { Length: > 0 } runId)
            {
                throw Malformed("it does not hold a run position");
            }

            if (connector.GetString() != connectorId)
            {
                throw Malformed($"it was given for another connector, not {connectorId}");
            }

            return new RunPosition(new DateTimeOffset(t, TimeSpan.Zero), runId);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not JSON, or a string that is not text (a lone surrogate).
            throw Malformed("it does not hold a run position");
        }
    }

    private static ArgumentException Malformed(string why) =>
        new($"the page token is not one this store gave out: {why}", "pageToken");
}

/// <summary>Where a run sorts among its connector's runs: by start instant, then by run id.</summary>
public sealed record RunPosition(DateTimeOffset StartedAt, string RunId);
