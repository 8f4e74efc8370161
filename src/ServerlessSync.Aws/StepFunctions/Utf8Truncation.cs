using System.Text;

namespace ServerlessSync.Aws.StepFunctions;

/// <summary>
/// Shortens text to a budget of UTF-8 bytes (which also keeps it within the same number of characters),
/// cutting only between whole characters (never inside a surrogate pair) and ending a shortened text
/// with "…" so readers know it was cut.
/// </summary>
internal static class Utf8Truncation
{
    private const string Marker = "…";

    public static string Truncate(string value, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (Encoding.UTF8.GetByteCount(value) <= maxBytes)
        {
            return value;
        }

        var markerBytes = Encoding.UTF8.GetByteCount(Marker);
        var budget = maxBytes - markerBytes;
        if (budget < 0)
        {
            return "";
        }

        var used = 0;
        var end = 0;
        while (end < value.Length)
        {
            int width, bytes;
            if (char.IsHighSurrogate(value[end]) && end + 1 < value.Length && char.IsLowSurrogate(value[end + 1]))
            {
                (width, bytes) = (2, 4);
            }
            else
            {
                // A lone surrogate is written as U+FFFD: three bytes, like the rest of the BMP above U+07FF.
                var c = value[end];
                (width, bytes) = (1, c < 0x80 ? 1 : c < 0x800 ? 2 : 3);
            }

            if (used + bytes > budget)
            {
                break;
            }

            used += bytes;
            end += width;
        }

        return string.Concat(value.AsSpan(0, end), Marker);
    }
}
