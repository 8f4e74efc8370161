using System.Globalization;
using System.Text.RegularExpressions;

namespace ServerlessSync.Testing.Zuora;

/// <summary>
/// The <c>UpdatedDate</c> window a query asks for, half-open: <c>[From, To)</c>; a missing bound is open.
/// </summary>
public sealed record ZuoraWindow(DateTimeOffset? From, DateTimeOffset? To)
{
    public bool Contains(DateTimeOffset instant) => (From is not { } from || instant >= from) && (To is not { } to || instant < to);
}

/// <summary>
/// The ZOQL export subset the fake answers: <c>select F1, F2 from Obj [where UpdatedDate &gt;= 'X' [and UpdatedDate &lt; 'Y']]</c>
/// (either condition alone too, keywords case-insensitive). A datetime literal must be ISO-8601 with <c>T</c> and an offset
/// or <c>Z</c>; one with a space in place of the <c>T</c> drops its condition, as Zuora silently does.
/// </summary>
/// <param name="Fields">the selected field names as the query spells them (a joined parent as <c>Parent.Id</c>)</param>
/// <param name="ObjectName">the object as the query spells it</param>
/// <param name="Window">the window after dropping ignored conditions</param>
public sealed partial record ZoqlExportQuery(IReadOnlyList<string> Fields, string ObjectName, ZuoraWindow Window)
{
    /// <summary>The query, or null with <paramref name="problem"/> saying why it is not in the subset.</summary>
    public static ZoqlExportQuery? TryParse(string text, out string problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        var match = SelectPattern().Match(text);
        if (!match.Success)
        {
            problem = "the query is not 'select FIELDS from OBJECT [where ...]'";
            return null;
        }

        var fields = match.Groups["fields"].Value.Split(',').Select(f => f.Trim()).ToList();
        if (fields.FirstOrDefault(f => !NamePattern().IsMatch(f)) is { } badField)
        {
            problem = $"'{badField}' is not a field name";
            return null;
        }

        DateTimeOffset? from = null;
        DateTimeOffset? to = null;
        var where = match.Groups["where"];
        foreach (var condition in where.Success ? AndPattern().Split(where.Value.Trim()) : [])
        {
            var parts = ConditionPattern().Match(condition.Trim());
            if (!parts.Success)
            {
                problem = $"condition '{condition.Trim()}' is not UpdatedDate >= '…' or UpdatedDate < '…'";
                return null;
            }

            var literal = parts.Groups["literal"].Value;
            if (IgnoredDateTimePattern().IsMatch(literal))
            {
                continue;
            }

            if (!IsoDateTimePattern().IsMatch(literal)
                || !DateTimeOffset.TryParse(literal, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
            {
                problem = $"'{literal}' is not an ISO-8601 datetime with an offset";
                return null;
            }

            if (parts.Groups["op"].Value == ">=")
            {
                from = instant;
            }
            else
            {
                to = instant;
            }
        }

        problem = "";
        return new ZoqlExportQuery(fields, match.Groups["object"].Value, new ZuoraWindow(from, to));
    }

    [GeneratedRegex(@"^\s*select\s+(?<fields>.+?)\s+from\s+(?<object>\w+)(\s+where\s+(?<where>.+?))?\s*$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex SelectPattern();

    [GeneratedRegex(@"^\w+(\.\w+)?$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"\s+and\s+", RegexOptions.IgnoreCase)]
    private static partial Regex AndPattern();

    [GeneratedRegex(@"^UpdatedDate\s*(?<op>>=|<)\s*'(?<literal>[^']*)'$", RegexOptions.IgnoreCase)]
    private static partial Regex ConditionPattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:?\d{2})$")]
    private static partial Regex IsoDateTimePattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}")]
    private static partial Regex IgnoredDateTimePattern();
}

/// <summary>
/// The Data Query SQL subset the fake answers: <c>select id, updateddate from OBJECT where updateddate &gt;= timestamp 'X'
/// and updateddate &lt; timestamp 'Y'</c> (either condition alone too), a timestamp as <c>yyyy-MM-dd HH:mm:ss[.fff] +00:00</c>.
/// </summary>
/// <param name="Columns">the selected columns, lowercase: <c>id</c> and/or <c>updateddate</c></param>
/// <param name="ObjectName">the object as the query spells it</param>
/// <param name="Window">the window of the conditions given</param>
public sealed partial record DataQuerySql(IReadOnlyList<string> Columns, string ObjectName, ZuoraWindow Window)
{
    public static readonly IReadOnlyList<string> SupportedColumns = ["id", "updateddate"];

    private static readonly string[] TimestampFormats = ["yyyy-MM-dd HH:mm:ss.FFFFFFF zzz", "yyyy-MM-dd HH:mm:ss zzz"];

    /// <summary>The query, or null with <paramref name="problem"/> saying why it is not in the subset.</summary>
    public static DataQuerySql? TryParse(string text, out string problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        var match = SelectPattern().Match(text);
        if (!match.Success)
        {
            problem = "the query is not 'select COLUMNS from TABLE [where ...]'";
            return null;
        }

        var columns = match.Groups["columns"].Value.Split(',').Select(c => c.Trim().ToLowerInvariant()).ToList();
        if (columns.FirstOrDefault(c => !SupportedColumns.Contains(c)) is { } badColumn)
        {
            problem = $"column '{badColumn}' is not supported (only id, updateddate)";
            return null;
        }

        DateTimeOffset? from = null;
        DateTimeOffset? to = null;
        var where = match.Groups["where"];
        foreach (var condition in where.Success ? AndPattern().Split(where.Value.Trim()) : [])
        {
            var parts = ConditionPattern().Match(condition.Trim());
            if (!parts.Success
                || !DateTimeOffset.TryParseExact(parts.Groups["literal"].Value, TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
            {
                problem = $"condition '{condition.Trim()}' is not updateddate >= timestamp 'yyyy-MM-dd HH:mm:ss.fff +00:00' or updateddate < timestamp '…'";
                return null;
            }

            if (parts.Groups["op"].Value == ">=")
            {
                from = instant;
            }
            else
            {
                to = instant;
            }
        }

        problem = "";
        return new DataQuerySql(columns, match.Groups["object"].Value, new ZuoraWindow(from, to));
    }

    [GeneratedRegex(@"^\s*select\s+(?<columns>.+?)\s+from\s+(?<object>\w+)(\s+where\s+(?<where>.+?))?\s*;?\s*$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex SelectPattern();

    [GeneratedRegex(@"\s+and\s+", RegexOptions.IgnoreCase)]
    private static partial Regex AndPattern();

    [GeneratedRegex(@"^updateddate\s*(?<op>>=|<)\s*timestamp\s*'(?<literal>[^']*)'$", RegexOptions.IgnoreCase)]
    private static partial Regex ConditionPattern();
}
