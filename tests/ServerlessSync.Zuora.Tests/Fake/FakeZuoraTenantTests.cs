using ServerlessSync.Testing.Zuora;

namespace ServerlessSync.Zuora.Tests.Fake;

public sealed class FakeZuoraTenantTests
{
    [Fact]
    public void CreateSample_SameSeed_SameRecords()
    {
        var first = FakeZuoraTenant.CreateSample(5, 42, FakeZuoraCalls.Now);
        var second = FakeZuoraTenant.CreateSample(5, 42, FakeZuoraCalls.Now);
        var other = FakeZuoraTenant.CreateSample(5, 43, FakeZuoraCalls.Now);

        Assert.Equal(Csv(first), Csv(second));
        Assert.NotEqual(Csv(first), Csv(other));
    }

    [Fact]
    public void CreateSample_TwentyAccounts_ForeignKeysResolveAndDatesWithinTwoYears()
    {
        var tenant = FakeZuoraTenant.CreateSample(20, 3, FakeZuoraCalls.Now);
        (string Object, string Field, string Target)[] keys =
        [
            ("Contact", "AccountId", "Account"), ("Subscription", "AccountId", "Account"), ("RatePlanCharge", "SubscriptionId", "Subscription"),
            ("RatePlanCharge", "ProductId", "Product"), ("Invoice", "AccountId", "Account"), ("InvoiceItem", "InvoiceId", "Invoice"),
            ("InvoiceItem", "SubscriptionId", "Subscription"), ("InvoiceItem", "RatePlanChargeId", "RatePlanCharge"), ("Payment", "AccountId", "Account"),
        ];

        Assert.Equal(20, tenant.Records("Account").Count);
        Assert.Equal(["Account", "Contact", "Product", "Subscription", "RatePlanCharge", "Invoice", "InvoiceItem", "Payment"], tenant.ObjectNames);
        foreach (var (objectName, field, target) in keys)
        {
            var targetIds = tenant.Records(target).Select(r => r.Id).ToHashSet();
            Assert.NotEmpty(tenant.Records(objectName));
            Assert.All(tenant.Records(objectName), r => Assert.Contains((string)r.Value(field)!, targetIds));
        }

        var all = tenant.ObjectNames.SelectMany(tenant.Records).ToList();
        Assert.All(all, r => Assert.Matches("^[0-9a-f]{32}$", r.Id));
        Assert.All(all, r => Assert.InRange(r.UpdatedDate, FakeZuoraCalls.Now.AddDays(-731), FakeZuoraCalls.Now));
        Assert.All(all, r => Assert.True((DateTimeOffset)r.Value("CreatedDate")! <= r.UpdatedDate, $"{r.Id} created after its update"));
        Assert.Contains(all, r => r.Value("Region__c") is null);
    }

    [Fact]
    public void Put_ValueOfWrongType_ThrowsNamingTheField()
    {
        var tenant = new FakeZuoraTenant();
        tenant.DefineObject("Account", ZuoraFieldDefinition.Export("Balance", "decimal"));

        var error = Assert.Throws<ArgumentException>(() => tenant.Put("Account", "a1", FakeZuoraCalls.Now, new Dictionary<string, object?> { ["Balance"] = 1.5 }));

        Assert.Contains("Account.Balance", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddField_ThenPut_NewFieldHasValueOldRecordsNone()
    {
        var tenant = new FakeZuoraTenant();
        tenant.DefineObject("Account");
        tenant.Put("Account", "a1", FakeZuoraCalls.Now);

        tenant.AddField("Account", ZuoraFieldDefinition.Export("Tier__c", "picklist"));
        tenant.Put("Account", "a2", FakeZuoraCalls.Now, new Dictionary<string, object?> { ["Tier__c"] = "Gold" });

        Assert.Equal(["Id", "UpdatedDate", "Tier__c"], tenant.Fields("Account").Select(f => f.Name));
        Assert.Null(tenant.Record("Account", "a1").Value("Tier__c"));
        Assert.Equal("Gold", tenant.Record("Account", "a2").Value("tier__c"));
    }

    [Fact]
    public void Delete_Record_MovesItToDeletedWithTime()
    {
        var tenant = new FakeZuoraTenant();
        tenant.DefineObject("Account");
        tenant.Put("Account", "a1", FakeZuoraCalls.Now.AddDays(-2));

        tenant.Delete("Account", "a1", FakeZuoraCalls.Now);

        Assert.Empty(tenant.Records("Account"));
        var deleted = Assert.Single(tenant.DeletedRecords("Account"));
        Assert.Equal(("a1", FakeZuoraCalls.Now), (deleted.Record.Id, deleted.DeletedAt));
    }

    private static string Csv(FakeZuoraTenant tenant) => string.Join("|", tenant.ObjectNames.SelectMany(o =>
        tenant.Records(o).Select(r => ZuoraCsv.Write(["Id"], [[.. r.Values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => v.Value)]]))));
}
