using RedshiftDataDouble.Statements;

namespace RedshiftDataDouble.Sql;

/// <summary>
/// Refuses PostgreSQL syntax that PostgreSQL runs but Redshift's SQL reference does not have, so a loader that sends it
/// fails here as it would on Redshift. Each refusal names the construct and where Redshift's reference leaves it out;
/// Redshift's own error text for them is not documented, so the message is the double's. Read on the token stream
/// (literals, quoted identifiers and comments cannot trigger a refusal).
/// </summary>
internal static class RedshiftSyntax
{
    /// <summary>Throws <see cref="StatementFailedException"/> when <paramref name="sql"/> uses syntax Redshift refuses.</summary>
    public static void Check(string sql)
    {
        var tokens = SqlScanner.Scan(sql);
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].IsWord("ON") && At(tokens, i + 1).IsWord("CONFLICT"))
            {
                throw Refused("INSERT … ON CONFLICT", "Redshift's INSERT has no ON CONFLICT clause (use MERGE, or DELETE then INSERT)");
            }

            if (tokens[i].IsWord("RETURNING"))
            {
                throw Refused("RETURNING", "Redshift's INSERT, UPDATE and DELETE have no RETURNING clause");
            }

            if (tokens[i].IsWord("IS") && (At(tokens, i + 1).IsWord("DISTINCT") || (At(tokens, i + 1).IsWord("NOT") && At(tokens, i + 2).IsWord("DISTINCT"))))
            {
                throw Refused("IS [NOT] DISTINCT FROM", "not among Redshift's comparison conditions");
            }

            if (tokens[i].IsWord("FILTER") && At(tokens, i + 1).IsSymbol("(") && At(tokens, i + 2).IsWord("WHERE"))
            {
                throw Refused("an aggregate's FILTER (WHERE …)", "Redshift's aggregate functions have no FILTER clause (use CASE inside the aggregate)");
            }
        }

        if (tokens.Count > 0 && tokens[0].IsWord("MERGE"))
        {
            CheckMerge(tokens);
        }

        if (tokens.Count > 1 && tokens[0].IsWord("ALTER") && tokens[1].IsWord("TABLE"))
        {
            CheckAlterTable(tokens);
        }

        if (tokens.Count > 1 && tokens[0].IsWord("CREATE") && (tokens[1].IsWord("INDEX") || (tokens[1].IsWord("UNIQUE") && At(tokens, 2).IsWord("INDEX"))))
        {
            throw Refused("CREATE INDEX", "Redshift has no indexes (listed among its unsupported PostgreSQL features)");
        }

        CheckBooleanTestsInSelectList(tokens);
    }

    /// <summary>
    /// A statement run as a database user cannot change the session's user: the double's session was made that user with
    /// SET SESSION AUTHORIZATION by the superuser, which the statement could otherwise undo.
    /// </summary>
    public static void CheckSessionUser(string sql)
    {
        var tokens = SqlScanner.Scan(sql);
        for (var i = 0; i + 1 < tokens.Count; i++)
        {
            if ((tokens[i].IsWord("SESSION") && tokens[i + 1].IsWord("AUTHORIZATION")) || ((tokens[i].IsWord("SET") || tokens[i].IsWord("RESET")) && tokens[i + 1].IsWord("ROLE")))
            {
                throw new StatementFailedException("ERROR: permission denied to set session authorization");
            }
        }
    }

    // Redshift's MERGE: MERGE INTO target USING source [[AS] alias] ON condition, then exactly WHEN MATCHED THEN UPDATE/DELETE
    // and WHEN NOT MATCHED THEN INSERT, with no extra conditions (or REMOVE DUPLICATES); the target takes no alias.
    private static void CheckMerge(List<SqlToken> tokens)
    {
        var i = 1;
        if (At(tokens, i).IsWord("INTO"))
        {
            i++;
        }

        i++;
        while (At(tokens, i).IsSymbol(".") && At(tokens, i + 1).Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)
        {
            i += 2;
        }

        if (!At(tokens, i).IsWord("USING"))
        {
            throw Refused("an alias for MERGE's target table", "Redshift's MERGE is MERGE INTO target_table USING source_table [ [ AS ] alias ] ON …");
        }

        int matched = 0, notMatched = 0;
        for (; i < tokens.Count; i++)
        {
            if (!tokens[i].IsWord("WHEN"))
            {
                continue;
            }

            var not = At(tokens, i + 1).IsWord("NOT");
            if (!At(tokens, i + (not ? 2 : 1)).IsWord("MATCHED"))
            {
                continue;
            }

            var after = At(tokens, i + (not ? 3 : 2));
            if (after.IsWord("AND"))
            {
                throw Refused($"MERGE … WHEN {(not ? "NOT " : "")}MATCHED AND …", "Redshift's MERGE clauses take no extra condition: WHEN MATCHED THEN …, WHEN NOT MATCHED THEN INSERT …");
            }

            if (after.IsWord("BY"))
            {
                throw Refused("MERGE … WHEN NOT MATCHED BY …", "Redshift's MERGE has only WHEN MATCHED and WHEN NOT MATCHED");
            }

            if (not)
            {
                notMatched++;
            }
            else
            {
                matched++;
            }
        }

        var removeDuplicates = tokens.Any(t => t.IsWord("DUPLICATES"));
        if (!removeDuplicates && (matched != 1 || notMatched != 1))
        {
            throw Refused(
                $"a MERGE with {matched} WHEN MATCHED and {notMatched} WHEN NOT MATCHED clauses",
                "Redshift's MERGE has exactly one WHEN MATCHED THEN UPDATE/DELETE and one WHEN NOT MATCHED THEN INSERT (or REMOVE DUPLICATES)");
        }
    }

    // Redshift's ALTER TABLE takes one action (ADD [COLUMN] …, DROP [COLUMN] … without IF [NOT] EXISTS), except a list of
    // ALTER COLUMN … ENCODE.
    private static void CheckAlterTable(List<SqlToken> tokens)
    {
        var depth = 0;
        var actions = 1;
        for (var i = 2; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.IsSymbol("("))
            {
                depth++;
            }
            else if (token.IsSymbol(")"))
            {
                depth--;
            }
            else if (depth == 0 && token.IsSymbol(","))
            {
                actions++;
            }
            else if (depth == 0 && (token.IsWord("ADD") || token.IsWord("DROP")))
            {
                var next = At(tokens, i + 1).IsWord("COLUMN") ? i + 2 : i + 1;
                if (At(tokens, next).IsWord("IF"))
                {
                    throw Refused($"ALTER TABLE … {token.Value.ToUpperInvariant()} COLUMN IF {(token.IsWord("ADD") ? "NOT " : "")}EXISTS", "Redshift's ALTER TABLE ADD and DROP COLUMN take no IF [NOT] EXISTS");
                }
            }
        }

        if (actions > 1 && !tokens.Any(t => t.IsWord("ENCODE")))
        {
            throw Refused("an ALTER TABLE with several actions", "Redshift's ALTER TABLE takes one action a statement (one ADD COLUMN each)");
        }
    }

    // Redshift's Boolean type: "You can use an IS comparison to check a Boolean value only as a predicate in the WHERE
    // clause. You can't use the IS comparison with a Boolean value in the SELECT list." IS TRUE / FALSE / UNKNOWN always
    // test a Boolean, so they are refused in a select list; IS NULL on a Boolean needs its type and is not caught.
    private static void CheckBooleanTestsInSelectList(List<SqlToken> tokens)
    {
        var lists = new Stack<(int Depth, bool InSelectList)>();
        var depth = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.IsSymbol("("))
            {
                depth++;
            }
            else if (token.IsSymbol(")"))
            {
                while (lists.Count > 0 && lists.Peek().Depth >= depth)
                {
                    lists.Pop();
                }

                depth--;
            }
            else if (token.IsWord("SELECT"))
            {
                while (lists.Count > 0 && lists.Peek().Depth >= depth)
                {
                    lists.Pop();
                }

                lists.Push((depth, true));
            }
            else if (lists.Count > 0 && lists.Peek().Depth == depth && IsSelectListEnd(token))
            {
                lists.Push((lists.Pop().Depth, false));
            }
            else if (token.IsWord("IS") && lists.Count > 0 && lists.Peek().InSelectList)
            {
                var test = At(tokens, i + 1).IsWord("NOT") ? At(tokens, i + 2) : At(tokens, i + 1);
                if (test.IsWord("TRUE") || test.IsWord("FALSE") || test.IsWord("UNKNOWN"))
                {
                    throw Refused(
                        $"IS {test.Value.ToUpperInvariant()} in a SELECT list",
                        "Redshift allows an IS comparison of a Boolean value only as a predicate in the WHERE clause, not in the SELECT list");
                }
            }
        }
    }

    private static bool IsSelectListEnd(SqlToken token) =>
        token.Kind == SqlTokenKind.Word && token.Value.ToUpperInvariant() is "FROM" or "INTO" or "WHERE" or "GROUP" or "HAVING" or "ORDER" or "LIMIT"
            or "OFFSET" or "UNION" or "INTERSECT" or "EXCEPT" or "MINUS" or "QUALIFY" or "WINDOW";

    private static SqlToken At(List<SqlToken> tokens, int i) => i < tokens.Count ? tokens[i] : new SqlToken(SqlTokenKind.Symbol, "", 0, 0);

    private static StatementFailedException Refused(string construct, string why) =>
        new($"ERROR: {construct} is not supported by Amazon Redshift: {why} (refused by the Redshift Data API double)");
}
