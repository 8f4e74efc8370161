using System.Security.Cryptography;
using System.Text;

namespace ServerlessSync.Core.Staging;

/// <summary>
/// The NULL markers of staged files. Each staged object has its own (<see cref="For"/>): 40 bits of a hash of its run and
/// object, which no source value was written knowing, yet the same for every attempt at that run's object, so a retried
/// extraction writes the same bytes. The stager refuses a string equal to it, so no file ever holds the marker as text,
/// quoted or not. A load then reads the same rows whether the warehouse applies its NULL string to quoted fields
/// (Redshift's documentation is silent; PostgreSQL and DuckDB with <c>allow_quoted_nulls = false</c> do not) or only to
/// unquoted ones. Nine bytes a NULL field (at 17 they were 5% of the synthetic tenant's staged CSV): short, since a
/// marker that does occur is refused, never misread; its length only makes that refusal rarer.
/// </summary>
public static class NullMarkers
{
    /// <summary>What every marker of <see cref="For"/> starts with.</summary>
    public const string Prefix = "n";

    /// <summary>Characters after the prefix: 8 of base32, 40 bits.</summary>
    public const int HashLength = 8;

    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>The marker of one run's object, such as <c>nk3mz7q2x</c>.</summary>
    /// <param name="connectorId">the connector</param>
    /// <param name="runId">the run (a new one for every sync: a time and random digits)</param>
    /// <param name="objectName">the object</param>
    public static string For(string connectorId, string runId, string objectName)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(StagingKeys.ObjectPrefix(connectorId, runId, objectName)));
        var marker = new StringBuilder(Prefix, Prefix.Length + HashLength);
        for (var i = 0; i < HashLength; i++)
        {
            marker.Append(Alphabet[hash[i] & 31]);
        }

        return marker.ToString();
    }

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
