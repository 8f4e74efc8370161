namespace ServerlessSync.Core.Model;

/// <summary>One column of a source object.</summary>
public sealed record ColumnSchema(string Name, ColumnType Type);

/// <summary>
/// The shape of one source object (a Zuora object such as <c>account</c>). Every object has the
/// primary key <c>id</c> and the change cursor <c>updateddate</c>; names are lowercase.
/// </summary>
public sealed record ObjectSchema(string Name, IReadOnlyList<ColumnSchema> Columns)
{
    public const string PrimaryKey = "id";
    public const string CursorColumn = "updateddate";
    /// <summary>Soft-delete flag the pipeline adds: staged as the last CSV field, kept in the destination.</summary>
    public const string DeletedColumn = "_deleted";
    /// <summary>When the destination row was last written by a load.</summary>
    public const string SyncedAtColumn = "_synced_at";

    /// <summary>
    /// Names every Redshift table already has as system columns (PostgreSQL's, and Redshift's hidden ones): a column
    /// of that name cannot be created, quoted or not.
    /// </summary>
    public static readonly IReadOnlySet<string> SystemColumnNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "oid", "tableoid", "xmin", "cmin", "xmax", "cmax", "ctid", "insertxid", "deletexid",
    };

    public int IndexOf(string column)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i].Name, column, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Throws if the schema lacks the columns every synced object must have, repeats a name, or uses a name
    /// that is not lowercase ASCII (<c>[a-z][a-z0-9_]*</c>): warehouses fold case, so <c>Name</c> and
    /// <c>name</c> would collide there.
    /// </summary>
    public void Validate()
    {
        if (!IsPlainName(Name))
        {
            throw new InvalidDataException($"object name '{Name}' must be lowercase ASCII letters, digits and '_', starting with a letter");
        }

        if (IndexOf(PrimaryKey) < 0 || Columns[IndexOf(PrimaryKey)].Type.Kind != ColumnKind.String)
        {
            throw new InvalidDataException($"object '{Name}' has no varchar column '{PrimaryKey}'");
        }

        if (IndexOf(CursorColumn) < 0 || Columns[IndexOf(CursorColumn)].Type.Kind != ColumnKind.Timestamp)
        {
            throw new InvalidDataException($"object '{Name}' has no timestamptz column '{CursorColumn}'");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in Columns)
        {
            if (!seen.Add(c.Name))
            {
                throw new InvalidDataException($"object '{Name}' has column '{c.Name}' twice");
            }

            if (c.Name.StartsWith('_'))
            {
                throw new InvalidDataException($"object '{Name}' column '{c.Name}': names starting with '_' are reserved for the pipeline");
            }

            if (!IsPlainName(c.Name))
            {
                throw new InvalidDataException($"object '{Name}' column '{c.Name}': names must be lowercase ASCII letters, digits and '_', starting with a letter");
            }

            if (SystemColumnNames.Contains(c.Name))
            {
                throw new InvalidDataException(
                    $"object '{Name}' column '{c.Name}': Redshift tables have a system column of that name, so no table can hold it; leave the field out of the selection (or rename it at the source)");
            }
        }
    }

    private static bool IsPlainName(string name) =>
        name.Length is > 0 and <= 127
        && char.IsAsciiLetterLower(name[0])
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');
}

/// <summary>
/// One row as a source yields it: <see cref="Values"/> align with <see cref="ObjectSchema.Columns"/> and hold
/// <c>null</c> or the CLR type of the column's kind (string, long, decimal, bool, DateOnly, DateTimeOffset).
/// <see cref="Deleted"/> is true when the source reports the record deleted.
/// </summary>
public readonly record struct SourceRow(object?[] Values, bool Deleted);
