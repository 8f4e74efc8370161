using RedshiftDataDouble.Sql;
using RedshiftDataDouble.Statements;

namespace RedshiftDataDouble.Copy;

/// <summary>An object or key prefix in S3, from an <c>s3://bucket/key</c> URL.</summary>
internal sealed record S3Location(string Bucket, string Key)
{
    public string Url => $"s3://{Bucket}/{Key}";

    public static S3Location? TryParse(string url)
    {
        if (!url.StartsWith("s3://", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = url["s3://".Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var key = slash < 0 ? "" : rest[(slash + 1)..];
        return bucket.Length == 0 ? null : new S3Location(bucket, key);
    }
}

/// <summary>
/// A Redshift <c>COPY table [(columns)] FROM 's3://…' options</c> statement, parsed. Only the options the
/// double can emulate faithfully are accepted (CSV, QUOTE, DELIMITER, NULL AS, GZIP, ZSTD, MANIFEST,
/// TIMEFORMAT/DATEFORMAT 'auto', IAM_ROLE, REGION, and COMPUPDATE/STATUPDATE which do not change the data);
/// anything else fails the statement with an error naming the option.
/// </summary>
internal sealed record CopyStatement(
    IReadOnlyList<string> TableName,
    IReadOnlyList<string>? Columns,
    S3Location Source,
    bool Manifest,
    bool Gzip,
    char Delimiter,
    char Quote,
    string? NullString,
    string? IamRole,
    string? Region,
    bool Zstd = false)
{
    /// <summary>The table's own name, as Redshift names it in load error messages.</summary>
    public string TableDisplayName => TableName[^1];

    /// <summary>The table as PostgreSQL SQL: each part quoted.</summary>
    public string QualifiedTable => string.Join('.', TableName.Select(QuoteIdentifier));

    public static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Null when <paramref name="sql"/> is not a COPY; throws <see cref="StatementFailedException"/> for a COPY the double does not serve.</summary>
    public static CopyStatement? Parse(string sql)
    {
        var tokens = SqlScanner.Scan(sql);
        if (tokens.Count == 0 || !tokens[0].IsWord("COPY"))
        {
            return null;
        }

        var reader = new TokenReader(tokens);
        reader.Next();
        var table = new List<string> { reader.Identifier("a table name after COPY") };
        while (reader.TakeSymbol("."))
        {
            table.Add(reader.Identifier("a table name"));
        }

        List<string>? columns = null;
        if (reader.TakeSymbol("("))
        {
            columns = [reader.Identifier("a column name")];
            while (reader.TakeSymbol(","))
            {
                columns.Add(reader.Identifier("a column name"));
            }

            reader.Expect(")");
        }

        if (!reader.TakeWord("FROM") || !reader.NextIsString)
        {
            throw Unsupported("the double serves COPY only as COPY table [(columns)] FROM 's3://…' [options]");
        }

        var from = reader.String("the source URL after FROM");
        var source = S3Location.TryParse(from)
            ?? throw Unsupported($"COPY from '{from}' is not supported by the double: it loads only from s3:// URLs");

        var csv = false;
        var manifest = false;
        var gzip = false;
        var zstd = false;
        var delimiter = ',';
        var quote = '"';
        string? nullString = null;
        string? iamRole = null;
        string? region = null;
        while (!reader.AtEnd && !reader.TakeSymbol(";"))
        {
            var option = reader.Word("a COPY option").ToUpperInvariant();
            switch (option)
            {
                case "IAM_ROLE":
                    iamRole = reader.TakeWord("DEFAULT") ? "default" : reader.String("the role ARN after IAM_ROLE");
                    break;
                case "FORMAT":
                    reader.TakeWord("AS");
                    var format = reader.Word("a format after FORMAT AS");
                    if (!format.Equals("CSV", StringComparison.OrdinalIgnoreCase))
                    {
                        throw Unsupported($"COPY format {format.ToUpperInvariant()} is not supported by the double: it loads only FORMAT AS CSV");
                    }

                    csv = true;
                    break;
                case "CSV":
                    csv = true;
                    break;
                case "QUOTE":
                    quote = reader.SingleCharacter("QUOTE");
                    break;
                case "DELIMITER":
                    delimiter = reader.SingleCharacter("DELIMITER");
                    break;
                case "NULL":
                    reader.TakeWord("AS");
                    nullString = reader.String("the null string after NULL AS");
                    break;
                case "GZIP":
                    gzip = true;
                    break;
                case "ZSTD":
                    zstd = true;
                    break;
                case "MANIFEST":
                    manifest = true;
                    break;
                case "TIMEFORMAT" or "DATEFORMAT":
                    reader.TakeWord("AS");
                    var pattern = reader.String($"a format after {option}");
                    if (!pattern.Equals("auto", StringComparison.OrdinalIgnoreCase))
                    {
                        throw Unsupported($"COPY option {option} '{pattern}' is not supported by the double: only {option} 'auto' (PostgreSQL's own date/time input rules)");
                    }

                    break;
                case "COMPUPDATE" or "STATUPDATE":
                    _ = reader.TakeWord("ON") || reader.TakeWord("OFF") || reader.TakeWord("TRUE") || reader.TakeWord("FALSE")
                        || (option == "COMPUPDATE" && reader.TakeWord("PRESET"));
                    break;
                case "REGION":
                    reader.TakeWord("AS");
                    region = reader.String("a region after REGION");
                    break;
                case "TRUNCATECOLUMNS":
                    throw Unsupported("COPY option TRUNCATECOLUMNS is not supported by the double: Redshift truncates VARCHAR values to the column's width in bytes, which PostgreSQL (counting characters) cannot reproduce faithfully");
                default:
                    throw Unsupported($"COPY option {option} is not supported by the double");
            }
        }

        if (!reader.AtEnd)
        {
            throw Unsupported("the double serves one COPY statement at a time: text follows the ';'");
        }

        if (!csv)
        {
            throw Unsupported("the double loads only FORMAT AS CSV (Redshift's default pipe-delimited text format is not emulated)");
        }

        if (quote == delimiter)
        {
            throw Unsupported("COPY QUOTE and DELIMITER must differ");
        }

        if (gzip && zstd)
        {
            throw Unsupported("COPY with both GZIP and ZSTD: a file has one compression");
        }

        return new CopyStatement(table, columns, source, manifest, gzip, delimiter, quote, nullString, iamRole, region, zstd);
    }

    private static StatementFailedException Unsupported(string message) => new($"ERROR: {message}");

    private sealed class TokenReader(List<SqlToken> tokens)
    {
        private int _next;

        public bool AtEnd => _next >= tokens.Count;

        public bool NextIsString => !AtEnd && tokens[_next].Kind == SqlTokenKind.String;

        public void Next() => _next++;

        public bool TakeSymbol(string symbol)
        {
            if (!AtEnd && tokens[_next].IsSymbol(symbol))
            {
                _next++;
                return true;
            }

            return false;
        }

        public bool TakeWord(string word)
        {
            if (!AtEnd && tokens[_next].IsWord(word))
            {
                _next++;
                return true;
            }

            return false;
        }

        public void Expect(string symbol)
        {
            if (!TakeSymbol(symbol))
            {
                throw Unsupported($"COPY: expected '{symbol}' {Where()}");
            }
        }

        public string Identifier(string what)
        {
            var token = Take(what);
            return token.Kind switch
            {
                SqlTokenKind.Word => token.Value.ToLowerInvariant(),
                SqlTokenKind.QuotedIdentifier => token.Value,
                _ => throw Unsupported($"COPY: expected {what}, found '{token.Value}'"),
            };
        }

        public string Word(string what)
        {
            var token = Take(what);
            return token.Kind == SqlTokenKind.Word ? token.Value : throw Unsupported($"COPY: expected {what}, found '{token.Value}'");
        }

        public string String(string what)
        {
            var token = Take(what);
            return token.Kind == SqlTokenKind.String ? token.Value : throw Unsupported($"COPY: expected {what} as a quoted string, found '{token.Value}'");
        }

        public char SingleCharacter(string option)
        {
            TakeWord("AS");
            var value = String($"a character after {option}");
            return value.Length == 1 ? value[0] : throw Unsupported($"COPY option {option} must be one character, got '{value}'");
        }

        private SqlToken Take(string what)
        {
            if (AtEnd)
            {
                throw Unsupported($"COPY: expected {what} at the end of the statement");
            }

            return tokens[_next++];
        }

        private string Where() => AtEnd ? "at the end of the statement" : $"before '{tokens[_next].Value}'";
    }
}
