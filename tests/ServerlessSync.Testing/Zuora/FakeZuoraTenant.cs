namespace ServerlessSync.Testing.Zuora;

/// <summary>
/// An in-memory Zuora tenant for <see cref="FakeZuora"/>: objects by API name (matched case-insensitively), each with
/// its field definitions, live records and deleted records. Datetimes are kept in whole seconds (UTC), as Zuora exports them. Every object has <c>Id</c> (text) and <c>UpdatedDate</c>
/// (datetime), both in the export context. Record values are typed by the field's Zuora type (see
/// <see cref="ZuoraFieldDefinition.ValueTypes"/>; an <see cref="int"/> is taken for an integer) or null. Thread-safe.
/// </summary>
public sealed partial class FakeZuoraTenant
{
    public const string IdField = "Id";
    public const string UpdatedDateField = "UpdatedDate";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, TenantObject> _objects = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The API names of the defined objects, in definition order.</summary>
    public IReadOnlyList<string> ObjectNames
    {
        get
        {
            lock (_gate)
            {
                return [.. _objects.Values.OrderBy(o => o.Order).Select(o => o.Name)];
            }
        }
    }

    /// <summary>Defines <paramref name="objectName"/> with <paramref name="fields"/>; <c>Id</c> and <c>UpdatedDate</c> are added when not given.</summary>
    public void DefineObject(string objectName, params IEnumerable<ZuoraFieldDefinition> fields)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(objectName);
        ArgumentNullException.ThrowIfNull(fields);
        var given = fields.ToList();
        var all = new List<ZuoraFieldDefinition>();
        if (!given.Any(f => f.Name.Equals(IdField, StringComparison.OrdinalIgnoreCase)))
        {
            all.Add(ZuoraFieldDefinition.Export(IdField, "text", objectName + " ID"));
        }

        all.AddRange(given);
        if (!given.Any(f => f.Name.Equals(UpdatedDateField, StringComparison.OrdinalIgnoreCase)))
        {
            all.Add(ZuoraFieldDefinition.Export(UpdatedDateField, "datetime", "Updated Date"));
        }

        lock (_gate)
        {
            if (_objects.ContainsKey(objectName))
            {
                throw new InvalidOperationException($"Zuora object {objectName} is already defined in the fake tenant");
            }

            var defined = new TenantObject(objectName, _objects.Count);
            foreach (var field in all)
            {
                defined.AddField(field);
            }

            _objects.Add(objectName, defined);
        }
    }

    /// <summary>Adds <paramref name="field"/> to <paramref name="objectName"/> (a schema change); existing records have no value for it.</summary>
    public void AddField(string objectName, ZuoraFieldDefinition field)
    {
        lock (_gate)
        {
            Object(objectName).AddField(field);
        }
    }

    /// <summary>Takes <paramref name="field"/> of <paramref name="objectName"/> out of the export context (a field Zuora no longer exports); records keep their values.</summary>
    public void RemoveFromExport(string objectName, string field)
    {
        lock (_gate)
        {
            Object(objectName).RemoveFromExport(field);
        }
    }

    /// <summary>
    /// Inserts or updates record <paramref name="id"/> of <paramref name="objectName"/>: the given values replace the
    /// record's values of those fields (others keep theirs), and its <c>UpdatedDate</c> becomes <paramref name="updatedDate"/>.
    /// A deleted record put again is live again.
    /// </summary>
    public void Put(string objectName, string id, DateTimeOffset updatedDate, IReadOnlyDictionary<string, object?>? values = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        lock (_gate)
        {
            var tenantObject = Object(objectName);
            var merged = tenantObject.Live.TryGetValue(id, out var existing)
                ? new Dictionary<string, object?>(existing.Values, StringComparer.OrdinalIgnoreCase)
                : new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            foreach (var (field, value) in values ?? new Dictionary<string, object?>())
            {
                merged[tenantObject.Field(field).Name] = tenantObject.Checked(field, value);
            }

            var updated = ToSecond(updatedDate);
            merged[IdField] = id;
            merged[UpdatedDateField] = updated;
            tenantObject.Live[id] = new ZuoraRecord(id, updated, merged);
            tenantObject.Deleted.Remove(id);
        }
    }

    /// <summary>Sets <paramref name="field"/> of record <paramref name="id"/> WITHOUT changing its <c>UpdatedDate</c>, as some Zuora changes do.</summary>
    public void SetFieldSilently(string objectName, string id, string field, object? value)
    {
        lock (_gate)
        {
            var tenantObject = Object(objectName);
            var record = Record(tenantObject, id);
            var values = new Dictionary<string, object?>(record.Values, StringComparer.OrdinalIgnoreCase)
            {
                [tenantObject.Field(field).Name] = tenantObject.Checked(field, value),
            };
            tenantObject.Live[id] = record with { Values = values };
        }
    }

    /// <summary>Deletes record <paramref name="id"/> at <paramref name="deletedAt"/>; Data Query's <c>readDeleted</c> then finds it.</summary>
    public void Delete(string objectName, string id, DateTimeOffset deletedAt)
    {
        lock (_gate)
        {
            var tenantObject = Object(objectName);
            var record = Record(tenantObject, id);
            tenantObject.Live.Remove(id);
            tenantObject.Deleted[id] = new ZuoraDeletedRecord(record, ToSecond(deletedAt));
        }
    }

    /// <summary>
    /// Lists <paramref name="parents"/> among <paramref name="objectName"/>'s related objects (Zuora's prejoined objects of
    /// a data source) although a field <c>{parent}Id</c> carries each one's id already, as an invoice's <c>AccountId</c>
    /// and its prejoined Account do. An export may then select either.
    /// </summary>
    public void Prejoin(string objectName, params string[] parents)
    {
        lock (_gate)
        {
            var tenantObject = Object(objectName);
            foreach (var parent in parents)
            {
                tenantObject.Field(parent + "Id");
                tenantObject.Prejoined.Add(parent);
            }
        }
    }

    /// <summary>
    /// The objects describe lists under <c>&lt;related-objects&gt;</c>: each <see cref="ZuoraFieldDefinition.Parent"/>, then
    /// each object given to <see cref="Prejoin"/>.
    /// </summary>
    public IReadOnlyList<string> RelatedObjects(string objectName)
    {
        lock (_gate)
        {
            var tenantObject = Object(objectName);
            return [.. tenantObject.Fields.Select(f => f.RelatedObject).OfType<string>().Concat(tenantObject.Prejoined).Distinct(StringComparer.OrdinalIgnoreCase)];
        }
    }

    /// <summary>Makes AQuA refuse export queries on <paramref name="objectName"/> as the user not being authorized (90009).</summary>
    public void Forbid(string objectName)
    {
        lock (_gate)
        {
            Object(objectName).Forbidden = true;
        }
    }

    /// <summary>Whether <paramref name="objectName"/> is defined.</summary>
    public bool HasObject(string objectName)
    {
        lock (_gate)
        {
            return _objects.ContainsKey(objectName);
        }
    }

    /// <summary>The API name <paramref name="objectName"/> was defined with.</summary>
    public string ObjectName(string objectName)
    {
        lock (_gate)
        {
            return Object(objectName).Name;
        }
    }

    /// <summary>Whether <see cref="Forbid"/> was called for <paramref name="objectName"/>.</summary>
    public bool IsForbidden(string objectName)
    {
        lock (_gate)
        {
            return Object(objectName).Forbidden;
        }
    }

    /// <summary>The field definitions of <paramref name="objectName"/>, in definition order.</summary>
    public IReadOnlyList<ZuoraFieldDefinition> Fields(string objectName)
    {
        lock (_gate)
        {
            return [.. Object(objectName).Fields];
        }
    }

    /// <summary>The live records of <paramref name="objectName"/>, ordered by id.</summary>
    public IReadOnlyList<ZuoraRecord> Records(string objectName)
    {
        lock (_gate)
        {
            return [.. Object(objectName).Live.Values.OrderBy(r => r.Id, StringComparer.Ordinal)];
        }
    }

    /// <summary>The live record <paramref name="id"/> of <paramref name="objectName"/>.</summary>
    public ZuoraRecord Record(string objectName, string id)
    {
        lock (_gate)
        {
            return Record(Object(objectName), id);
        }
    }

    /// <summary>The deleted records of <paramref name="objectName"/>, ordered by id.</summary>
    public IReadOnlyList<ZuoraDeletedRecord> DeletedRecords(string objectName)
    {
        lock (_gate)
        {
            return [.. Object(objectName).Deleted.Values.OrderBy(r => r.Record.Id, StringComparer.Ordinal)];
        }
    }

    /// <summary>The instant in whole seconds: Zuora's datetimes, as exports show them, have no fraction of a second.</summary>
    private static DateTimeOffset ToSecond(DateTimeOffset instant) => new(instant.UtcTicks - (instant.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private static ZuoraRecord Record(TenantObject tenantObject, string id) =>
        tenantObject.Live.TryGetValue(id, out var record)
            ? record
            : throw new KeyNotFoundException($"Zuora object {tenantObject.Name} has no live record {id} in the fake tenant");

    private TenantObject Object(string objectName) =>
        _objects.TryGetValue(objectName, out var tenantObject)
            ? tenantObject
            : throw new KeyNotFoundException($"Zuora object {objectName} is not defined in the fake tenant");

    private sealed class TenantObject(string name, int order)
    {
        private readonly List<ZuoraFieldDefinition> _fields = [];

        public string Name { get; } = name;

        public int Order { get; } = order;

        public bool Forbidden { get; set; }

        public List<string> Prejoined { get; } = [];

        public IReadOnlyList<ZuoraFieldDefinition> Fields => _fields;

        public Dictionary<string, ZuoraRecord> Live { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, ZuoraDeletedRecord> Deleted { get; } = new(StringComparer.Ordinal);

        public void AddField(ZuoraFieldDefinition field)
        {
            ArgumentNullException.ThrowIfNull(field);
            if (!ZuoraFieldDefinition.ValueTypes.ContainsKey(field.Type))
            {
                throw new ArgumentException($"field {Name}.{field.Name} has type {field.Type}, which the fake Zuora does not know", nameof(field));
            }

            if (_fields.Any(f => f.Name.Equals(field.Name, StringComparison.OrdinalIgnoreCase)))
            {
                throw new InvalidOperationException($"field {Name}.{field.Name} is already defined in the fake tenant");
            }

            _fields.Add(field);
        }

        public void RemoveFromExport(string field)
        {
            var at = _fields.IndexOf(Field(field));
            _fields[at] = _fields[at] with { Contexts = [.. _fields[at].Contexts.Where(c => c != ZuoraFieldDefinition.ExportContext)] };
        }

        public ZuoraFieldDefinition Field(string field) =>
            _fields.FirstOrDefault(f => f.Name.Equals(field, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"Zuora object {Name} has no field {field} in the fake tenant", nameof(field));

        /// <summary>The value as stored for <paramref name="field"/>: its CLR type checked against the field's Zuora type.</summary>
        public object? Checked(string field, object? value)
        {
            var definition = Field(field);
            var expected = ZuoraFieldDefinition.ValueTypes[definition.Type];
            return value switch
            {
                null => null,
                int number when expected == typeof(long) => (long)number,
                DateTimeOffset instant when expected == typeof(DateTimeOffset) => ToSecond(instant),
                _ when value.GetType() == expected => value,
                _ => throw new ArgumentException(
                    $"field {Name}.{definition.Name} is {definition.Type} and takes {expected.Name}, not {value.GetType().Name}", nameof(value)),
            };
        }
    }
}
