namespace ServerlessSync.Testing.Zuora;

/// <summary>
/// One field of a fake Zuora object as describe reports it.
/// </summary>
/// <param name="Name">the API name (custom fields end in <c>__c</c>)</param>
/// <param name="Type">the Zuora type: text, picklist, boolean, integer, decimal, date or datetime</param>
/// <param name="Contexts">where the field can be used, e.g. <c>export</c> (selectable in an AQuA export query) and <c>soap</c></param>
/// <param name="Label">the display label; the name when null</param>
public sealed record ZuoraFieldDefinition(string Name, string Type, IReadOnlyList<string> Contexts, string? Label = null)
{
    public const string ExportContext = "export";
    public const string SoapContext = "soap";

    /// <summary>The Zuora field types the fake knows, and the CLR type a record value of each has.</summary>
    public static readonly IReadOnlyDictionary<string, Type> ValueTypes = new Dictionary<string, Type>(StringComparer.Ordinal)
    {
        ["text"] = typeof(string),
        ["picklist"] = typeof(string),
        ["boolean"] = typeof(bool),
        ["integer"] = typeof(long),
        ["decimal"] = typeof(decimal),
        ["date"] = typeof(DateOnly),
        ["datetime"] = typeof(DateTimeOffset),
    };

    /// <summary>Whether an export query may select the field.</summary>
    public bool IsExportable => Contexts.Contains(ExportContext, StringComparer.Ordinal);

    /// <summary>A field in both the export and soap contexts.</summary>
    public static ZuoraFieldDefinition Export(string name, string type, string? label = null) => new(name, type, [ExportContext, SoapContext], label);

    /// <summary>A field in the soap context only: described, but not selectable in an export query.</summary>
    public static ZuoraFieldDefinition SoapOnly(string name, string type, string? label = null) => new(name, type, [SoapContext], label);
}

/// <summary>A live record of a fake Zuora object: its values by field name, <c>Id</c> and <c>UpdatedDate</c> among them.</summary>
public sealed record ZuoraRecord(string Id, DateTimeOffset UpdatedDate, IReadOnlyDictionary<string, object?> Values)
{
    /// <summary>The value of <paramref name="field"/> (case-insensitive name), null when it has none.</summary>
    public object? Value(string field) => Values.TryGetValue(field, out var value) ? value : null;
}

/// <summary>A deleted record: its last values and when it was deleted.</summary>
public sealed record ZuoraDeletedRecord(ZuoraRecord Record, DateTimeOffset DeletedAt);
