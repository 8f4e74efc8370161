namespace ServerlessSync.Testing.Zuora;

/// <summary>
/// One field of a fake Zuora object as describe reports it, or (<see cref="RelatedObject"/> set) a parent whose id the
/// records hold but describe lists under <c>&lt;related-objects&gt;</c>: an export selects it as <c>Parent.Id</c>.
/// </summary>
/// <param name="Name">the API name (custom fields end in <c>__c</c>); for a parent, <c>ParentId</c>, the name its value is kept under</param>
/// <param name="Type">the Zuora type: text, picklist, boolean, integer, decimal, date or datetime</param>
/// <param name="Contexts">where the field can be used, e.g. <c>export</c> (selectable in an AQuA export query) and <c>soap</c></param>
/// <param name="Label">the display label; the name when null</param>
/// <param name="Selectable">describe's <c>&lt;selectable&gt;</c>: a field that is not cannot be selected in any query</param>
public sealed record ZuoraFieldDefinition(string Name, string Type, IReadOnlyList<string> Contexts, string? Label = null, bool Selectable = true)
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

    /// <summary>The parent object this entry joins (describe's <c>&lt;related-objects&gt;</c>), or null for a field.</summary>
    public string? RelatedObject { get; init; }

    /// <summary>Whether an export query may select the field by its name: selectable, in the export context, and not a parent.</summary>
    public bool IsExportable => Selectable && RelatedObject is null && Contexts.Contains(ExportContext, StringComparer.Ordinal);

    /// <summary>A field in both the export and soap contexts.</summary>
    public static ZuoraFieldDefinition Export(string name, string type, string? label = null) => new(name, type, [ExportContext, SoapContext], label);

    /// <summary>A field in the soap context only: described, but not selectable in an export query.</summary>
    public static ZuoraFieldDefinition SoapOnly(string name, string type, string? label = null) => new(name, type, [SoapContext], label);

    /// <summary>A field in the export context that describe marks <c>&lt;selectable&gt;false&lt;/selectable&gt;</c>: no query may select it.</summary>
    public static ZuoraFieldDefinition NotSelectable(string name, string type, string? label = null) => new(name, type, [ExportContext, SoapContext], label, Selectable: false);

    /// <summary>
    /// A parent that describe lists only under <c>&lt;related-objects&gt;</c> (as Zuora does for an invoice item's invoice):
    /// records keep its id as <c>{parent}Id</c>, an export selects it as <c>{parent}.Id</c>.
    /// </summary>
    public static ZuoraFieldDefinition Parent(string parentObject) => new(parentObject + "Id", "text", [ExportContext]) { RelatedObject = parentObject };
}

/// <summary>A live record of a fake Zuora object: its values by field name, <c>Id</c> and <c>UpdatedDate</c> among them.</summary>
public sealed record ZuoraRecord(string Id, DateTimeOffset UpdatedDate, IReadOnlyDictionary<string, object?> Values)
{
    /// <summary>The value of <paramref name="field"/> (case-insensitive name), null when it has none.</summary>
    public object? Value(string field) => Values.TryGetValue(field, out var value) ? value : null;
}

/// <summary>A deleted record: its last values and when it was deleted.</summary>
public sealed record ZuoraDeletedRecord(ZuoraRecord Record, DateTimeOffset DeletedAt);
