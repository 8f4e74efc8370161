using System.Text.Json.Serialization;

namespace ServerlessSync.Core.Model;

// Stored and served as Historical, Incremental since before WireEnumConverter's SCREAMING_SNAKE_CASE: pinned, so
// status files, status tables and status API clients keep reading them.
[JsonConverter(typeof(WireEnumConverter<SyncMode>))]
public enum SyncMode
{
    /// <summary>No cursor yet: every live row with <c>updateddate</c> before the window end.</summary>
    [JsonStringEnumMemberName("Historical")]
    Historical,
    /// <summary>Rows whose <c>updateddate</c> lies in the half-open window, deleted ones included.</summary>
    [JsonStringEnumMemberName("Incremental")]
    Incremental,
}

/// <summary>
/// The half-open window <c>[Start, End)</c> on <c>updateddate</c>. A null <see cref="Start"/> is a
/// historical read: the source returns live rows only.
/// </summary>
public sealed record SyncWindow(DateTimeOffset? Start, DateTimeOffset End)
{
    public SyncMode Mode => Start is null ? SyncMode.Historical : SyncMode.Incremental;

    public bool Contains(DateTimeOffset updated) => (Start is null || updated >= Start) && updated < End;

    public static SyncWindow Historical(DateTimeOffset end) => new(null, end);

    /// <summary>
    /// The window for an object whose cursor is <paramref name="cursor"/>: <c>[cursor − lookback, now)</c>,
    /// or historical when there is no cursor yet. The start never passes <paramref name="now"/>.
    /// </summary>
    public static SyncWindow For(DateTimeOffset? cursor, DateTimeOffset now, TimeSpan lookback)
    {
        if (lookback < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(lookback), "lookback cannot be negative");
        }

        if (cursor is null)
        {
            return Historical(now);
        }

        var start = cursor.Value - lookback;
        return new SyncWindow(start < now ? start : now, now);
    }
}
