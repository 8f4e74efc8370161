namespace ServerlessSync.Core.Sql;

/// <summary>
/// The SQL text rules the warehouses' dialects share (DuckDB, Redshift): a quoted identifier, and no NUL in any
/// SQL text. String literals differ by dialect (Redshift reads backslash escapes) and stay with each dialect.
/// </summary>
public static class SqlText
{
    /// <summary>Quotes an identifier: <c>"name"</c> with embedded double quotes doubled.</summary>
    public static string QuoteIdentifier(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        RejectNul(name, nameof(name));
        return string.Concat("\"", name.Replace("\"", "\"\"", StringComparison.Ordinal), "\"");
    }

    /// <summary>Throws when <paramref name="value"/> holds a NUL character, which no SQL text can carry.</summary>
    public static void RejectNul(string value, string parameter)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("SQL text cannot carry a NUL character", parameter);
        }
    }
}
