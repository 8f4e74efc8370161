using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Staging;
using static ServerlessSync.Sources.Tests.Synthetic.SyntheticTestTenant;

namespace ServerlessSync.Sources.Tests.Synthetic;

public class SyntheticSourceTests
{
    private static readonly string[] DependencyOrder =
    [
        "product", "productrateplan", "productrateplancharge", "account", "contact", "subscription", "rateplan",
        "rateplancharge", "invoice", "invoiceitem", "payment", "refund", "creditmemo",
    ];

    [Fact]
    public async Task DescribeAsync_EveryObject_ValidSchemaWithIdAndDates()
    {
        var (tenant, _) = Create();

        Assert.Equal("synthetic", tenant.Source.Name);
        Assert.Equal(DependencyOrder, tenant.Source.Objects);
        foreach (var name in tenant.Source.Objects)
        {
            var schema = await tenant.Source.DescribeAsync(name, CancellationToken.None);
            schema.Validate();
            Assert.Equal(name, schema.Name);
            Assert.Equal(["id", "createddate", "updateddate"], schema.Columns.Take(3).Select(c => c.Name));
            Assert.Equal(ColumnType.Timestamp, schema.Columns[1].Type);
            Assert.All(schema.Columns, c => Assert.Equal(c.Name.ToLowerInvariant(), c.Name));
            Assert.True(schema.Columns.Count > 5, $"{name} has realistic fields");
        }

        var account = await tenant.Source.DescribeAsync("account", CancellationToken.None);
        Assert.Equal("decimal(18,2)", account.Columns[account.IndexOf("balance")].Type.ToString());
        Assert.Equal(ColumnType.Boolean, account.Columns[account.IndexOf("autopay")].Type);
        Assert.Equal(ColumnType.Int64, account.Columns[account.IndexOf("billcycleday")].Type);
        var charge = await tenant.Source.DescribeAsync("rateplancharge", CancellationToken.None);
        Assert.Equal("decimal(18,6)", charge.Columns[charge.IndexOf("quantity")].Type.ToString());
    }

    [Fact]
    public async Task DescribeAsync_UnknownObject_ThrowsUnknownObjectException()
    {
        var (tenant, _) = Create();

        var e = await Assert.ThrowsAsync<UnknownObjectException>(async () => await tenant.Source.DescribeAsync("usage", CancellationToken.None));

        Assert.Equal("usage", e.ObjectName);
        Assert.Contains("invoiceitem", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadAsync_UnknownObject_ThrowsUnknownObjectException()
    {
        var (tenant, _) = Create();
        var schema = new ObjectSchema("usage", [new ColumnSchema("id", ColumnType.String), new ColumnSchema("updateddate", ColumnType.Timestamp)]);

        Assert.Throws<UnknownObjectException>(() => tenant.Source.ReadAsync(schema, SyncWindow.Historical(DateTimeOffset.MaxValue), CancellationToken.None));
    }

    [Fact]
    public async Task ReadAsync_HistoricalAtCreation_RowCountIsAboutScale()
    {
        var (tenant, _) = Create();

        var all = await ReadAllAsync(tenant, SyncWindow.Historical(tenant.Clock.GetUtcNow()));

        var total = all.Values.Sum(r => r.Count);
        Assert.InRange(total, Scale * 0.98, Scale * 1.02);
        Assert.All(all.Values, rows => Assert.All(rows, r => Assert.False(r.Deleted)));
        Assert.True(all["invoiceitem"].Count > all["account"].Count, "invoice items are the largest share");
        Assert.True(all["product"].Count < all["account"].Count / 10, "the catalogue is small");
        var counts = tenant.CountRows();
        Assert.Equal(all.Select(kv => (long)kv.Value.Count).Sum(), counts.Sum(c => c.Live));
        Assert.All(counts, c => Assert.Equal(c.Total, c.Live));
    }

    [Fact]
    public async Task ReadAsync_TwoTenantsWithSameSeed_YieldIdenticalRows()
    {
        var (first, firstClock) = Create();
        var (second, secondClock) = Create();
        foreach (var (tenant, clock) in new[] { (first, firstClock), (second, secondClock) })
        {
            tenant.Advance(TimeSpan.FromDays(2));
            clock.Advance(TimeSpan.FromHours(5));
            tenant.Advance(TimeSpan.FromDays(1));
        }

        var (other, _) = Create(seed: Seed + 1);
        foreach (var window in new[] { SyncWindow.Historical(first.Clock.GetUtcNow()), new SyncWindow(first.Epochs[1].Start, first.Clock.GetUtcNow()) })
        {
            foreach (var name in first.Source.Objects)
            {
                var schema = await first.Source.DescribeAsync(name, CancellationToken.None);
                var a = (await ReadAsync(first, name, window)).Select(r => Render(schema, r)).ToList();
                var b = (await ReadAsync(second, name, window)).Select(r => Render(schema, r)).ToList();
                Assert.NotEmpty(a);
                Assert.Equal(a, b);
            }
        }

        var accounts = await ReadAsync(first, "account", SyncWindow.Historical(first.CreatedAt));
        var otherAccounts = await ReadAsync(other, "account", SyncWindow.Historical(other.CreatedAt));
        Assert.NotEqual(accounts.Select(Id), otherAccounts.Select(Id));
    }

    [Fact]
    public async Task ReadAsync_Ids_Are32LowercaseHexAndUniquePerObject()
    {
        var (tenant, _) = Create();
        tenant.Advance(TimeSpan.FromDays(3));

        foreach (var name in tenant.Source.Objects)
        {
            var ids = (await ReadAsync(tenant, name, SyncWindow.Historical(DateTimeOffset.MaxValue))).Select(Id).ToList();

            Assert.All(ids, id => Assert.Matches("^[0-9a-f]{32}$", id));
            Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        }
    }

    [Fact]
    public async Task ReadAsync_AfterAdvances_EveryForeignKeyPointsToLiveParentCreatedNoLater()
    {
        var (tenant, clock) = Create();
        for (var i = 0; i < 3; i++)
        {
            tenant.Advance(TimeSpan.FromDays(2));
            clock.Advance(TimeSpan.FromHours(3));
        }

        var all = await ReadAllAsync(tenant, SyncWindow.Historical(DateTimeOffset.MaxValue));
        var created = all.ToDictionary(kv => kv.Key, kv => kv.Value.ToDictionary(Id, Created, StringComparer.Ordinal), StringComparer.Ordinal);
        var checkedValues = 0;
        foreach (var (child, column, parent) in ForeignKeys)
        {
            var schema = await tenant.Source.DescribeAsync(child, CancellationToken.None);
            var at = schema.IndexOf(column);
            Assert.True(at >= 0, $"{child}.{column} exists");
            foreach (var row in all[child])
            {
                var value = Assert.IsType<string>(row.Values[at]);
                Assert.True(created[parent].TryGetValue(value, out var parentCreated), $"{child}.{column} = {value} is a live {parent}");
                Assert.True(parentCreated <= Created(row), $"{child} {Id(row)} was created before its {parent}");
                checkedValues++;
            }
        }

        Assert.True(checkedValues > Scale / 2, $"checked {checkedValues} foreign keys");
    }

    [Fact]
    public async Task ReadAsync_DerivedForeignKeys_AgreeWithTheirParents()
    {
        var (tenant, _) = Create();
        var all = await ReadAllAsync(tenant, SyncWindow.Historical(DateTimeOffset.MaxValue));
        var schemas = new Dictionary<string, ObjectSchema>(StringComparer.Ordinal);
        foreach (var name in tenant.Source.Objects)
        {
            schemas[name] = await tenant.Source.DescribeAsync(name, CancellationToken.None);
        }

        string Get(string obj, SourceRow row, string column) => (string)row.Values[schemas[obj].IndexOf(column)]!;
        var invoiceAccount = all["invoice"].ToDictionary(Id, r => Get("invoice", r, "accountid"), StringComparer.Ordinal);
        var paymentAccount = all["payment"].ToDictionary(Id, r => Get("payment", r, "accountid"), StringComparer.Ordinal);
        var ratePlanSubscription = all["rateplan"].ToDictionary(Id, r => Get("rateplan", r, "subscriptionid"), StringComparer.Ordinal);
        var chargeRatePlan = all["rateplancharge"].ToDictionary(Id, r => Get("rateplancharge", r, "rateplanid"), StringComparer.Ordinal);

        Assert.All(all["creditmemo"], r => Assert.Equal(invoiceAccount[Get("creditmemo", r, "invoiceid")], Get("creditmemo", r, "accountid")));
        Assert.All(all["refund"], r => Assert.Equal(paymentAccount[Get("refund", r, "paymentid")], Get("refund", r, "accountid")));
        Assert.All(all["invoiceitem"], r => Assert.Equal(ratePlanSubscription[chargeRatePlan[Get("invoiceitem", r, "rateplanchargeid")]], Get("invoiceitem", r, "subscriptionid")));
    }

    [Fact]
    public async Task ReadAsync_Values_MatchColumnTypesAndFitDecimals()
    {
        var (tenant, clock) = Create();
        tenant.Advance(TimeSpan.FromDays(5));
        clock.Advance(TimeSpan.FromMinutes(7));
        var t0 = tenant.CreatedAt;
        var nulls = 0;
        foreach (var name in tenant.Source.Objects)
        {
            var schema = await tenant.Source.DescribeAsync(name, CancellationToken.None);
            foreach (var row in await ReadAsync(tenant, name, new SyncWindow(DateTimeOffset.MinValue, DateTimeOffset.MaxValue)))
            {
                Assert.Equal(schema.Columns.Count, row.Values.Length);
                for (var i = 0; i < schema.Columns.Count; i++)
                {
                    var column = schema.Columns[i];
                    var value = row.Values[i];
                    if (value is null)
                    {
                        Assert.False(i < 3, $"{name}.{column.Name} is never null");
                        nulls++;
                        continue;
                    }

                    switch (column.Type.Kind)
                    {
                        case ColumnKind.String:
                            Assert.IsType<string>(value);
                            break;
                        case ColumnKind.Int64:
                            Assert.IsType<long>(value);
                            break;
                        case ColumnKind.Decimal:
                            var d = Assert.IsType<decimal>(value);
                            CsvFormat.CheckFits(column, d);
                            Assert.Equal(column.Type.Scale, d.Scale);
                            break;
                        case ColumnKind.Boolean:
                            Assert.IsType<bool>(value);
                            break;
                        case ColumnKind.Date:
                            Assert.IsType<DateOnly>(value);
                            break;
                        case ColumnKind.Timestamp:
                            var ts = Assert.IsType<DateTimeOffset>(value);
                            Assert.Equal(TimeSpan.Zero, ts.Offset);
                            Assert.Equal(0, ts.Ticks % TimeSpan.TicksPerSecond);
                            break;
                    }
                }

                var created = Created(row);
                var updated = Updated(row);
                Assert.True(created <= updated, $"{name} {Id(row)}: createddate {created:O} after updateddate {updated:O}");
                Assert.True(created >= t0.AddDays(-365), $"{name} {Id(row)} created {created:O} before the tenant's history");
                Assert.True(updated < tenant.Clock.GetUtcNow(), $"{name} {Id(row)} updated {updated:O}, not before now");
            }
        }

        Assert.True(nulls > 0, "nulls appear where realistic");
    }

    [Fact]
    public async Task ReadAsync_Strings_IncludeCommasQuotesApostrophesAndNonAscii()
    {
        var (tenant, _) = Create();
        var window = SyncWindow.Historical(DateTimeOffset.MaxValue);
        var strings = new List<string>();
        foreach (var name in new[] { "account", "contact" })
        {
            foreach (var row in await ReadAsync(tenant, name, window))
            {
                strings.AddRange(row.Values.OfType<string>());
            }
        }

        Assert.Contains(strings, s => s.Contains(',', StringComparison.Ordinal));
        Assert.Contains(strings, s => s.Contains('"', StringComparison.Ordinal));
        Assert.Contains(strings, s => s.Contains('\'', StringComparison.Ordinal));
        Assert.Contains(strings, s => s.Contains('\n', StringComparison.Ordinal));
        Assert.Contains(strings, s => s.Any(c => c > 127));
    }

    [Fact]
    public async Task ReadAsync_DraftInvoices_HaveNoPostedDate()
    {
        var (tenant, _) = Create();
        var schema = await tenant.Source.DescribeAsync("invoice", CancellationToken.None);
        var rows = await ReadAsync(tenant, "invoice", SyncWindow.Historical(DateTimeOffset.MaxValue));
        var status = schema.IndexOf("status");
        var posted = schema.IndexOf("posteddate");

        Assert.Contains(rows, r => (string)r.Values[status]! == "Draft");
        Assert.All(rows, r => Assert.Equal((string)r.Values[status]! == "Draft", r.Values[posted] is null));
        Assert.All(rows.Where(r => r.Values[posted] is not null), r => Assert.InRange((DateTimeOffset)r.Values[posted]!, Created(r), Updated(r)));
    }

    [Fact]
    public async Task ReadAsync_HistoricalWindowInThePast_OnlyRowsUpdatedBeforeItsEnd()
    {
        var (tenant, _) = Create();
        var end = tenant.CreatedAt.AddDays(-100).AddTicks(1234);

        var rows = await ReadAsync(tenant, "invoice", SyncWindow.Historical(end));
        var everything = await ReadAsync(tenant, "invoice", SyncWindow.Historical(DateTimeOffset.MaxValue));

        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.True(Updated(r) < end));
        Assert.Equal(everything.Count(r => Updated(r) < end), rows.Count);
    }

    [Fact]
    public async Task Advance_OneDay_IncrementalWindowHoldsExactlyTheNewUpdatedAndDeletedRows()
    {
        var (tenant, clock) = Create();
        clock.Advance(TimeSpan.FromHours(2));
        var before = tenant.Clock.GetUtcNow();
        var snapshot = await ReadAllAsync(tenant, SyncWindow.Historical(before));

        tenant.Advance(TimeSpan.FromDays(1));
        var now = tenant.Clock.GetUtcNow();
        var changes = await ReadAllAsync(tenant, new SyncWindow(before, now));
        var after = await ReadAllAsync(tenant, SyncWindow.Historical(now));

        long changed = 0, total = 0;
        int inserted = 0, updated = 0, deleted = 0;
        foreach (var name in tenant.Source.Objects)
        {
            var schema = await tenant.Source.DescribeAsync(name, CancellationToken.None);
            var old = snapshot[name].ToDictionary(Id, r => Render(schema, r), StringComparer.Ordinal);
            var current = after[name].ToDictionary(Id, r => Render(schema, r), StringComparer.Ordinal);
            var expected = current.Where(kv => !old.TryGetValue(kv.Key, out var was) || was != kv.Value).Select(kv => kv.Key)
                .Concat(old.Keys.Where(id => !current.ContainsKey(id)))
                .Order(StringComparer.Ordinal)
                .ToList();

            Assert.All(changes[name], r => Assert.InRange(Updated(r), before, now.AddTicks(-1)));
            Assert.Equal(expected, changes[name].Select(Id).Order(StringComparer.Ordinal).ToList());
            Assert.True(changes[name].Any(r => Created(r) >= before), $"{name} gained rows");
            Assert.All(changes[name].Where(r => r.Deleted), r => Assert.False(current.ContainsKey(Id(r))));
            inserted += changes[name].Count(r => !old.ContainsKey(Id(r)));
            updated += changes[name].Count(r => old.ContainsKey(Id(r)) && !r.Deleted);
            deleted += changes[name].Count(r => r.Deleted);
            changed += changes[name].Count;
            total += after[name].Count;
        }

        Assert.True(updated > 0, "rows were updated");
        Assert.True(inserted >= 13, "every object gained at least one row");
        Assert.True(deleted >= 3, "contacts, refunds and credit memos lose rows");
        Assert.True(changed < total / 50, $"{changed} of {total} rows changed in a day");
        Assert.All(new[] { "contact", "refund", "creditmemo" }, name => Assert.Contains(changes[name], r => r.Deleted));
        Assert.All(changes.Where(kv => kv.Key is not ("contact" or "refund" or "creditmemo")), kv => Assert.DoesNotContain(kv.Value, r => r.Deleted));
    }

    [Fact]
    public async Task ReadAsync_DeletedRows_NeverAppearInLaterHistoricalReads()
    {
        var (tenant, clock) = Create();
        var before = tenant.Clock.GetUtcNow();
        tenant.Advance(TimeSpan.FromDays(4));
        var deletedRows = (await ReadAllAsync(tenant, new SyncWindow(before, tenant.Clock.GetUtcNow())))
            .SelectMany(kv => kv.Value.Where(r => r.Deleted).Select(r => (kv.Key, Id(r), Updated(r))))
            .ToList();
        clock.Advance(TimeSpan.FromHours(1));
        tenant.Advance(TimeSpan.FromDays(30));

        var later = await ReadAllAsync(tenant, SyncWindow.Historical(tenant.Clock.GetUtcNow()));
        var everything = await ReadAllAsync(tenant, new SyncWindow(DateTimeOffset.MinValue, DateTimeOffset.MaxValue));

        Assert.NotEmpty(deletedRows);
        foreach (var (name, id, deletedAt) in deletedRows)
        {
            Assert.DoesNotContain(later[name], r => Id(r) == id);
            var row = Assert.Single(everything[name], r => Id(r) == id);
            Assert.True(row.Deleted);
            Assert.Equal(deletedAt, Updated(row)); // a deleted row never changes again
        }
    }

    [Fact]
    public async Task ReadAsync_SchemaWithFewerReorderedAndUnknownColumns_ValuesFollowTheSchema()
    {
        var (tenant, _) = Create();
        var full = await tenant.Source.DescribeAsync("account", CancellationToken.None);
        var narrow = new ObjectSchema("account",
        [
            new ColumnSchema("updateddate", ColumnType.Timestamp),
            new ColumnSchema("id", ColumnType.String),
            new ColumnSchema("balance", ColumnType.Decimal(20, 4)),
            new ColumnSchema("legacycolumn", ColumnType.String),
        ]);

        var wide = await ReadAsync(tenant, "account", SyncWindow.Historical(DateTimeOffset.MaxValue));
        var rows = new List<SourceRow>();
        await foreach (var row in tenant.Source.ReadAsync(narrow, SyncWindow.Historical(DateTimeOffset.MaxValue), CancellationToken.None))
        {
            rows.Add(row);
        }

        Assert.Equal(wide.Count, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(4, rows[i].Values.Length);
            Assert.Equal(Updated(wide[i]), rows[i].Values[0]);
            Assert.Equal(Id(wide[i]), rows[i].Values[1]);
            Assert.Equal(wide[i].Values[full.IndexOf("balance")], rows[i].Values[2]);
            Assert.Null(rows[i].Values[3]);
        }
    }

    [Fact]
    public void ReadAsync_ColumnAsAnotherKindOfType_ThrowsNamingTheColumn()
    {
        var (tenant, _) = Create();
        var schema = new ObjectSchema("account",
        [
            new ColumnSchema("id", ColumnType.String),
            new ColumnSchema("updateddate", ColumnType.Timestamp),
            new ColumnSchema("balance", ColumnType.String),
        ]);

        var e = Assert.Throws<SourceDataException>(() => tenant.Source.ReadAsync(schema, SyncWindow.Historical(DateTimeOffset.MaxValue), CancellationToken.None));

        Assert.Contains("balance", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_Cancelled_ThrowsOperationCanceled()
    {
        var (tenant, _) = Create();
        var schema = await tenant.Source.DescribeAsync("invoiceitem", CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var read = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var row in tenant.Source.ReadAsync(schema, SyncWindow.Historical(DateTimeOffset.MaxValue), CancellationToken.None).WithCancellation(cancel.Token))
            {
                if (++read == 10)
                {
                    await cancel.CancelAsync();
                }
            }
        });

        Assert.True(read < 10_000, $"stopped after {read} rows");
    }
}
