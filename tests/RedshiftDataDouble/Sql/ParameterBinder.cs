using System.Text;

namespace RedshiftDataDouble.Sql;

/// <summary>
/// Turns the Data API's <c>:name</c> placeholders into PostgreSQL's <c>$n</c>. Only names present in the
/// request's <c>Parameters</c> are replaced; placeholders inside literals, quoted identifiers and comments,
/// and <c>::</c> casts, are left alone. Every value goes to PostgreSQL as untyped text, so the server infers
/// the type from where the placeholder stands, as Redshift does with the Data API's string values.
/// </summary>
internal static class ParameterBinder
{
    public static (string Sql, IReadOnlyList<string> Values) Bind(string sql, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        if (parameters.Count == 0)
        {
            return (sql, []);
        }

        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in parameters)
        {
            byName[name] = value;
        }

        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        var values = new List<string>();
        var bound = new StringBuilder(sql.Length);
        var copied = 0;
        foreach (var token in SqlScanner.Scan(sql))
        {
            if (token.Kind != SqlTokenKind.Placeholder || !byName.TryGetValue(token.Value, out var value))
            {
                continue;
            }

            if (!positions.TryGetValue(token.Value, out var position))
            {
                values.Add(value);
                position = values.Count;
                positions[token.Value] = position;
            }

            bound.Append(sql, copied, token.Start - copied).Append('$').Append(position);
            copied = token.Start + token.Length;
        }

        bound.Append(sql, copied, sql.Length - copied);
        return (bound.ToString(), values);
    }
}
