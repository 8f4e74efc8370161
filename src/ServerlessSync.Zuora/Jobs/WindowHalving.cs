using ServerlessSync.Core.Model;

namespace ServerlessSync.Zuora.Jobs;

/// <summary>Splits a window whose job timed out (docs/zuora-wire.md, "Windows, timeouts, halving").</summary>
internal static class WindowHalving
{
    /// <summary>
    /// The two halves, to run in order. An incremental window splits at its midpoint; a historical one at the midpoint
    /// between <paramref name="floor"/> and its end, its first half keeping no lower bound. Null when a half would be
    /// shorter than <paramref name="minWindow"/> (the caller fails the object).
    /// </summary>
    public static (SyncWindow First, SyncWindow Second)? Halve(SyncWindow window, DateTimeOffset floor, TimeSpan minWindow)
    {
        var start = window.Start ?? floor;
        var length = window.End - start;
        var half = TimeSpan.FromTicks(length.Ticks / 2);
        if (half < minWindow)
        {
            return null;
        }

        var middle = start + half;
        return (new SyncWindow(window.Start, middle), new SyncWindow(middle, window.End));
    }

    public static string Describe(SyncWindow window) => window.Start is { } start
        ? $"[{ZuoraQueries.ZoqlTime(start)}, {ZuoraQueries.ZoqlTime(window.End)})"
        : $"(historical, before {ZuoraQueries.ZoqlTime(window.End)})";
}
