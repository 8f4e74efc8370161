using System.Text;

namespace RedshiftDataDouble.Sql;

internal enum SqlTokenKind
{
    Word,
    QuotedIdentifier,
    String,
    Number,
    Placeholder,
    Symbol,
}

/// <summary>
/// One token of SQL text. <see cref="Value"/> is what the token means: a quoted identifier without its quotes,
/// a string literal decoded, a placeholder's name; <see cref="Start"/>/<see cref="Length"/> locate the raw text.
/// </summary>
internal readonly record struct SqlToken(SqlTokenKind Kind, string Value, int Start, int Length)
{
    public bool IsWord(string word) => Kind == SqlTokenKind.Word && Value.Equals(word, StringComparison.OrdinalIgnoreCase);

    public bool IsSymbol(string symbol) => Kind == SqlTokenKind.Symbol && Value == symbol;
}

/// <summary>
/// Splits SQL into tokens the way Redshift reads it: string literals treat a backslash as an escape
/// (Redshift's behaviour, and PostgreSQL's with <c>standard_conforming_strings = off</c>) as well as
/// <c>''</c>; <c>"…"</c> identifiers double their quotes; <c>--</c> and <c>/* */</c> comments and
/// <c>$tag$…$tag$</c> bodies are skipped; <c>::</c> is a cast, never a placeholder. Unterminated literals
/// run to the end of the text (PostgreSQL then reports them).
/// </summary>
internal static class SqlScanner
{
    public static List<SqlToken> Scan(string sql)
    {
        var tokens = new List<SqlToken>();
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '-' && At(sql, i + 1) == '-')
            {
                while (i < sql.Length && sql[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && At(sql, i + 1) == '*')
            {
                i = SkipBlockComment(sql, i);
            }
            else if (c == '\'' || ((c == 'E' || c == 'e') && At(sql, i + 1) == '\''))
            {
                var start = i;
                var value = ReadStringLiteral(sql, ref i);
                tokens.Add(new SqlToken(SqlTokenKind.String, value, start, i - start));
            }
            else if (c == '"')
            {
                var start = i;
                var value = ReadQuotedIdentifier(sql, ref i);
                tokens.Add(new SqlToken(SqlTokenKind.QuotedIdentifier, value, start, i - start));
            }
            else if (c == '$' && TryReadDollarQuoted(sql, ref i, out var body, out var dollarStart))
            {
                tokens.Add(new SqlToken(SqlTokenKind.String, body, dollarStart, i - dollarStart));
            }
            else if (c == ':' && At(sql, i + 1) == ':')
            {
                tokens.Add(new SqlToken(SqlTokenKind.Symbol, "::", i, 2));
                i += 2;
            }
            else if (c == ':' && IsNameChar(At(sql, i + 1)))
            {
                var start = i++;
                while (i < sql.Length && IsNameChar(sql[i]))
                {
                    i++;
                }

                tokens.Add(new SqlToken(SqlTokenKind.Placeholder, sql[(start + 1)..i], start, i - start));
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < sql.Length && (IsNameChar(sql[i]) || sql[i] == '$'))
                {
                    i++;
                }

                tokens.Add(new SqlToken(SqlTokenKind.Word, sql[start..i], start, i - start));
            }
            else if (char.IsAsciiDigit(c))
            {
                var start = i;
                while (i < sql.Length && (char.IsAsciiDigit(sql[i]) || sql[i] == '.'))
                {
                    i++;
                }

                tokens.Add(new SqlToken(SqlTokenKind.Number, sql[start..i], start, i - start));
            }
            else
            {
                tokens.Add(new SqlToken(SqlTokenKind.Symbol, c.ToString(), i, 1));
                i++;
            }
        }

        return tokens;
    }

    private static char At(string s, int i) => i < s.Length ? s[i] : '\0';

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' || (c > 127 && char.IsLetterOrDigit(c));

    private static int SkipBlockComment(string sql, int i)
    {
        var depth = 0;
        while (i < sql.Length)
        {
            if (sql[i] == '/' && At(sql, i + 1) == '*')
            {
                depth++;
                i += 2;
            }
            else if (sql[i] == '*' && At(sql, i + 1) == '/')
            {
                depth--;
                i += 2;
                if (depth == 0)
                {
                    return i;
                }
            }
            else
            {
                i++;
            }
        }

        return i;
    }

    private static string ReadStringLiteral(string sql, ref int i)
    {
        if (sql[i] != '\'')
        {
            i++; // the E of E'…'
        }

        i++; // opening quote
        var value = new StringBuilder();
        while (i < sql.Length)
        {
            var c = sql[i];
            if (c == '\'' && At(sql, i + 1) == '\'')
            {
                value.Append('\'');
                i += 2;
            }
            else if (c == '\'')
            {
                i++;
                return value.ToString();
            }
            else if (c == '\\' && i + 1 < sql.Length)
            {
                value.Append(sql[i + 1] switch
                {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'b' => '\b',
                    'f' => '\f',
                    var other => other,
                });
                i += 2;
            }
            else
            {
                value.Append(c);
                i++;
            }
        }

        return value.ToString();
    }

    private static string ReadQuotedIdentifier(string sql, ref int i)
    {
        i++;
        var value = new StringBuilder();
        while (i < sql.Length)
        {
            if (sql[i] == '"' && At(sql, i + 1) == '"')
            {
                value.Append('"');
                i += 2;
            }
            else if (sql[i] == '"')
            {
                i++;
                return value.ToString();
            }
            else
            {
                value.Append(sql[i++]);
            }
        }

        return value.ToString();
    }

    private static bool TryReadDollarQuoted(string sql, ref int i, out string body, out int start)
    {
        start = i;
        body = "";
        var tagEnd = i + 1;
        while (tagEnd < sql.Length && (char.IsAsciiLetterOrDigit(sql[tagEnd]) || sql[tagEnd] == '_'))
        {
            tagEnd++;
        }

        if (tagEnd >= sql.Length || sql[tagEnd] != '$' || (tagEnd > i + 1 && char.IsAsciiDigit(sql[i + 1])))
        {
            return false;
        }

        var tag = sql[i..(tagEnd + 1)];
        var close = sql.IndexOf(tag, tagEnd + 1, StringComparison.Ordinal);
        var bodyEnd = close < 0 ? sql.Length : close;
        body = sql[(tagEnd + 1)..bodyEnd];
        i = close < 0 ? sql.Length : close + tag.Length;
        return true;
    }
}
