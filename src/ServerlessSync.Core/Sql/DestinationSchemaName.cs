using System.Text.RegularExpressions;

namespace ServerlessSync.Core.Sql;

/// <summary>
/// The rule for the destination schema's name, the same for every warehouse and every entry point (the template's
/// <c>RedshiftSchema</c> pattern, the functions' <c>REDSHIFT_SCHEMA</c>, the CLI's <c>--schema</c>): 1 to 127 lower-case
/// ASCII letters, digits, <c>_</c> or <c>$</c>, starting with a letter or <c>_</c>. Lower case because Redshift folds
/// names to lower case, quoted or not: a schema asked for as <c>Zuora</c> is created as <c>zuora</c>, and every lookup
/// by the name as written would miss it.
/// </summary>
public static partial class DestinationSchemaName
{
    /// <summary>The rule as a regular expression (the template's <c>AllowedPattern</c> is this text).</summary>
    public const string Pattern = "^[a-z_][a-z0-9_$]{0,126}$";

    /// <summary>Why <paramref name="name"/> cannot name the destination schema, or null when it can.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "the destination schema needs a name";
        }

        if (Rule().IsMatch(name))
        {
            return null;
        }

        var lower = name.ToLowerInvariant();
        return Rule().IsMatch(lower)
            ? $"schema '{name}' has capitals, but Redshift folds names to lower case: write it as '{lower}'"
            : $"schema '{name}' must be 1 to 127 lower-case letters, digits, '_' or '$', starting with a letter or '_'";
    }

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex Rule();
}
