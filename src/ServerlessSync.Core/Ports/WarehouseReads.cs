using System.Runtime.CompilerServices;
using ServerlessSync.Core.Model;

namespace ServerlessSync.Core.Ports;

/// <summary>Reads through <see cref="IWarehouse"/>'s pages.</summary>
public static class WarehouseReads
{
    /// <summary>
    /// Rows per page: small enough for the Data API's limits on one result (100 MB, 64 KB a row) with wide rows, large
    /// enough that a page's round trip is cheap next to its rows.
    /// </summary>
    public const int DefaultPageSize = 10_000;

    /// <summary>Streams every live row of <paramref name="schema"/>'s table, page by page, in <c>id</c> order.</summary>
    public static async IAsyncEnumerable<object?[]> ReadLiveRowsAsync(this IWarehouse warehouse, ObjectSchema schema, [EnumeratorCancellation] CancellationToken cancellationToken, int pageSize = DefaultPageSize)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        string? after = null;
        do
        {
            var page = await warehouse.ReadLiveRowsAsync(schema, after, pageSize, cancellationToken);
            foreach (var row in page.Rows)
            {
                yield return row;
            }

            after = page.NextAfterId;
        }
        while (after is not null);
    }

    /// <summary>
    /// Checks a page request and returns where <c>id</c> stands in <paramref name="schema"/>'s columns (pages are cut by
    /// it): throws when the schema has no <c>id</c> or the page size is below 1.
    /// </summary>
    public static int IdIndexForPaging(ObjectSchema schema, int pageSize)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var idIndex = schema.IndexOf(ObjectSchema.PrimaryKey);
        return idIndex >= 0 ? idIndex : throw new ArgumentException($"object '{schema.Name}' has no column '{ObjectSchema.PrimaryKey}' to page by", nameof(schema));
    }

    /// <summary>
    /// The page for <paramref name="rows"/> read with a limit of <paramref name="pageSize"/>: a full page continues after
    /// its last row's id (at <paramref name="idIndex"/>), a short one is the last.
    /// </summary>
    public static LiveRowsPage Page(IReadOnlyList<object?[]> rows, int idIndex, int pageSize)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return new LiveRowsPage(rows, rows.Count < pageSize ? null : (string?)rows[^1][idIndex]);
    }
}
