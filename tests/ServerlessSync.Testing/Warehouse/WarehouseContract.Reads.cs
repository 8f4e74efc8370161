using static ServerlessSync.Testing.Warehouse.WarehouseRows;

namespace ServerlessSync.Testing.Warehouse;

/// <summary>Reading back: values exactly as the source gave them, and the live rows page by page.</summary>
public abstract partial class WarehouseContract
{
    [Fact]
    public async Task SubmitLoad_HostileValues_RoundTripValueByValue()
    {
        var rows = HostileValues.Rows(T0, MaxStringBytes).ToList();

        var outcome = await LoadAsync(HostileValues.Schema, Sync1, rows);

        Assert.Equal(new LoadOutcome(rows.Count, 0, 0, 0, false), outcome);
        RowAssert.SameRows([.. rows.Select(r => r.Values)], await LiveRowsAsync(HostileValues.Schema), [.. HostileValues.Schema.Columns.Select(c => c.Name)]);
    }

    [Fact]
    public async Task ReadLiveRows_SmallPages_EveryLiveRowOnceInIdOrder()
    {
        // Staged out of order, with deleted rows among them (on a page's edge too).
        var ids = Enumerable.Range(0, 11).Select(i => $"r{i:D2}").ToList();
        var deleted = new HashSet<string>(["r00", "r03", "r04", "r10"], StringComparer.Ordinal);
        await LoadAsync(Sync1, [.. ids.AsEnumerable().Reverse().Select(id => Account(id, T0, "name " + id, deleted: deleted.Contains(id)))]);
        var expected = ids.Where(id => !deleted.Contains(id)).ToList();

        var read = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await Warehouse.ReadLiveRowsAsync(Narrow(), after, 3, None);
            Assert.True(page.Rows.Count <= 3, $"page {pages} holds {page.Rows.Count} rows");
            Assert.All(page.Rows, r => Assert.Equal("name " + r[0], r[2]));
            read.AddRange(page.Rows.Select(r => (string)r[0]!));
            after = page.NextAfterId;
            Assert.True(++pages <= expected.Count + 1, "the pages do not end");
        }
        while (after is not null);

        Assert.Equal(expected, read);
        Assert.True(pages >= 3, $"{expected.Count} rows read in {pages} pages of 3");
        Assert.Equal(expected, (await LiveRowsAsync(Narrow())).Select(r => (string)r[0]!));
    }
}
