namespace RedshiftDataDouble.Sql;

/// <summary>
/// Redshift's default identifier case (<c>enable_case_sensitive_identifier</c> off): ASCII letters of quoted
/// identifiers fold to lower case as unquoted ones do, so <c>"Zuora"."Account"</c> names <c>zuora.account</c> and a
/// column aliased <c>"Name"</c> comes back as <c>name</c>. PostgreSQL keeps a quoted identifier's case, so the double
/// lowers the letters inside each quoted identifier before PostgreSQL reads the text; string literals, comments and
/// <c>$…$</c> bodies are left as they are. The text keeps its length, so positions stay valid.
/// </summary>
internal static class IdentifierFolding
{
    public static string Fold(string sql)
    {
        char[]? folded = null;
        foreach (var token in SqlScanner.Scan(sql))
        {
            if (token.Kind != SqlTokenKind.QuotedIdentifier)
            {
                continue;
            }

            for (var i = token.Start; i < token.Start + token.Length; i++)
            {
                if (char.IsAsciiLetterUpper(sql[i]))
                {
                    folded ??= sql.ToCharArray();
                    folded[i] = char.ToLowerInvariant(sql[i]);
                }
            }
        }

        return folded is null ? sql : new string(folded);
    }
}
