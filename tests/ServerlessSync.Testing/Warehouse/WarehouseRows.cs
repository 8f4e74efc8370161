namespace ServerlessSync.Testing.Warehouse;

/// <summary>The narrow object the warehouse tests load, and its rows.</summary>
public static class WarehouseRows
{
    /// <summary>id, updateddate, a text and a decimal, named <paramref name="name"/>.</summary>
    public static ObjectSchema Narrow(string name = "account") => new(name,
    [
        new ColumnSchema("id", ColumnType.String),
        new ColumnSchema("updateddate", ColumnType.Timestamp),
        new ColumnSchema("name", ColumnType.String),
        new ColumnSchema("balance", ColumnType.Decimal(18, 2)),
    ]);

    /// <summary>A row of <see cref="Narrow"/>.</summary>
    public static SourceRow Account(string id, DateTimeOffset updated, string? name, decimal? balance = 1m, bool deleted = false) =>
        new([id, updated, name, balance], deleted);
}
