using System.Security.Cryptography;

namespace ServerlessSync.Core.Staging;

/// <summary>
/// The NULL markers of staged files. Each staged object draws its own at random (<see cref="Draw"/>), and the stager refuses
/// a string equal to it, so no file ever holds the marker as text, quoted or not. A load then reads the same rows whether
/// the warehouse applies its NULL string to quoted fields (Redshift's documentation is silent; PostgreSQL and DuckDB with
/// <c>allow_quoted_nulls = false</c> do not) or only to unquoted ones.
/// </summary>
public static class NullMarkers
{
    /// <summary>What every drawn marker starts with.</summary>
    public const string Prefix = "null-";

    /// <summary>Random characters after the prefix: 12 of base32, 60 bits.</summary>
    public const int RandomLength = 12;

    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>A fresh marker, such as <c>null-k3mz7q2xw4ab</c>.</summary>
    public static string Draw() => Prefix + RandomNumberGenerator.GetString(Alphabet, RandomLength);

    /// <summary>
    /// Why <paramref name="marker"/> cannot stand for NULL in the staged dialect, or null when it can: it must be plain
    /// (letters, digits, <c>-</c>, <c>_</c>, <c>:</c> or <c>\</c>, at most 64) so it needs no quoting, and hold a letter
    /// and differ from <c>true</c>/<c>false</c> so no number, date, timestamp or boolean is ever read as NULL.
    /// </summary>
    public static string? Problem(string? marker)
    {
        if (string.IsNullOrEmpty(marker))
        {
            return "the NULL marker is missing";
        }

        if (marker.Length > 64 || !marker.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or ':' or '\\'))
        {
            return $"the NULL marker '{marker}' is not 1–64 letters, digits, '-', '_', ':' or '\\'";
        }

        if (!marker.Any(char.IsAsciiLetter) || marker is "true" or "false")
        {
            return $"the NULL marker '{marker}' could be read as a number, date, timestamp or boolean";
        }

        return null;
    }
}
