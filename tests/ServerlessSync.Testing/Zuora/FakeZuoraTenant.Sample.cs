using static ServerlessSync.Testing.Zuora.ZuoraFieldDefinition;

namespace ServerlessSync.Testing.Zuora;

public sealed partial class FakeZuoraTenant
{
    private static readonly TimeSpan SampleHistory = TimeSpan.FromDays(730);

    /// <summary>
    /// A tenant with related objects and <paramref name="accounts"/> accounts: Account (with the custom field
    /// <c>Region__c</c>, the soap-only <c>RolloverBalance</c> and the unselectable <c>SequenceSetId</c>), Contact, Product,
    /// Subscription, RatePlanCharge, Invoice, InvoiceItem and Payment. RatePlanCharge and InvoiceItem name their parents
    /// only under describe's related objects (an export selects <c>Invoice.Id</c>), as Zuora's data sources prejoin them;
    /// Subscription, Invoice and Payment have an <c>AccountId</c> field and Account prejoined as well; Contact has only its
    /// <c>AccountId</c> field. Values come from <paramref name="seed"/> alone (the same seed and <paramref name="now"/> give
    /// the same tenant); ids are 32 lowercase hex characters and every foreign key names a record that exists;
    /// <c>UpdatedDate</c>s lie in the two years before <paramref name="now"/>, each at or after its record's <c>CreatedDate</c>.
    /// </summary>
    public static FakeZuoraTenant CreateSample(int accounts, int seed, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(accounts);
        var tenant = new FakeZuoraTenant();
        DefineSampleObjects(tenant);
        foreach (var child in (ReadOnlySpan<string>)["Subscription", "Invoice", "Payment"])
        {
            tenant.Prejoin(child, "Account");
        }

        var sample = new SampleWriter(tenant, new Random(seed), now);
        string[] productIds = [.. Enumerable.Range(1, 5).Select(sample.Product)];
        for (var a = 1; a <= accounts; a++)
        {
            var accountId = sample.Account(a);
            for (var c = 0; c < sample.Between(1, 2); c++)
            {
                sample.Contact(accountId);
            }

            var charges = new List<(string SubscriptionId, string ChargeId)>();
            for (var s = 0; s < sample.Between(1, 2); s++)
            {
                var subscriptionId = sample.Subscription(accountId, a, s);
                for (var r = 0; r < sample.Between(1, 2); r++)
                {
                    charges.Add((subscriptionId, sample.Charge(subscriptionId, sample.Pick(productIds))));
                }
            }

            for (var i = 0; i < sample.Between(1, 3); i++)
            {
                var invoiceId = sample.Invoice(accountId);
                for (var n = 0; n < sample.Between(1, 2); n++)
                {
                    var (subscriptionId, chargeId) = sample.Pick(charges);
                    sample.InvoiceItem(invoiceId, subscriptionId, chargeId);
                }
            }

            for (var p = 0; p < sample.Between(0, 2); p++)
            {
                sample.Payment(accountId);
            }
        }

        return tenant;
    }

    private static void DefineSampleObjects(FakeZuoraTenant tenant)
    {
        tenant.DefineObject("Account",
            Export("Name", "text", "Account Name"), Export("AccountNumber", "text", "Account Number"), Export("Status", "picklist"),
            Export("Currency", "picklist"), Export("Balance", "decimal", "Account Balance"), Export("AutoPay", "boolean"),
            Export("BillCycleDay", "integer", "Bill Cycle Day"), Export("LastInvoiceDate", "date", "Last Invoice Date"),
            Export("Region__c", "text", "Region"), SoapOnly("RolloverBalance", "decimal"), NotSelectable("SequenceSetId", "text"), Export("CreatedDate", "datetime", "Created Date"));
        tenant.DefineObject("Contact",
            Export("AccountId", "text"), Export("FirstName", "text"), Export("LastName", "text"), Export("WorkEmail", "text"),
            Export("Country", "text"), Export("CreatedDate", "datetime"));
        tenant.DefineObject("Product",
            Export("Name", "text"), Export("SKU", "text"), Export("EffectiveStartDate", "date"), Export("EffectiveEndDate", "date"),
            Export("CreatedDate", "datetime"));
        tenant.DefineObject("Subscription",
            Export("AccountId", "text"), Export("Name", "text"), Export("Status", "picklist"), Export("TermType", "picklist"),
            Export("SubscriptionStartDate", "date"), Export("AutoRenew", "boolean"), Export("Version", "integer"), Export("CreatedDate", "datetime"));
        tenant.DefineObject("RatePlanCharge",
            Parent("Subscription"), Parent("Product"), Export("Name", "text"), Export("ChargeType", "picklist"),
            Export("Quantity", "decimal"), Export("MRR", "decimal"), Export("EffectiveStartDate", "date"), Export("CreatedDate", "datetime"));
        tenant.DefineObject("Invoice",
            Export("AccountId", "text"), Export("InvoiceNumber", "text"), Export("InvoiceDate", "date"), Export("DueDate", "date"),
            Export("Amount", "decimal"), Export("Balance", "decimal"), Export("Status", "picklist"), Export("CreatedDate", "datetime"));
        tenant.DefineObject("InvoiceItem",
            Parent("Invoice"), Parent("Subscription"), Parent("RatePlanCharge"), Export("ChargeAmount", "decimal"),
            Export("ServiceStartDate", "date"), Export("ServiceEndDate", "date"), Export("CreatedDate", "datetime"));
        tenant.DefineObject("Payment",
            Export("AccountId", "text"), Export("PaymentNumber", "text"), Export("Amount", "decimal"), Export("EffectiveDate", "date"),
            Export("Status", "picklist"), Export("Type", "picklist"), Export("CreatedDate", "datetime"));
    }

    /// <summary>Writes sample records with values drawn from one seeded random source, in a fixed order.</summary>
    private sealed class SampleWriter(FakeZuoraTenant tenant, Random random, DateTimeOffset now)
    {
        private static readonly string[] Regions = ["EMEA", "NA", "APAC", "LATAM"];
        private static readonly string[] Names = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken"];
        private int _invoices;
        private int _payments;

        public int Between(int min, int max) => random.Next(min, max + 1);

        public T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

        public string Product(int number) => Write("Product", new()
        {
            ["Name"] = $"Product {number}",
            ["SKU"] = $"SKU-{number:D5}",
            ["EffectiveStartDate"] = Date(),
            ["EffectiveEndDate"] = random.Next(3) == 0 ? null : new DateOnly(2099, 12, 31),
        });

        public string Account(int number) => Write("Account", new()
        {
            ["Name"] = $"Account {number} {Pick(Names)}",
            ["AccountNumber"] = $"A{number:D8}",
            ["Status"] = Pick(["Active", "Active", "Draft", "Canceled"]),
            ["Currency"] = Pick(["USD", "EUR", "GBP"]),
            ["Balance"] = Money(),
            ["AutoPay"] = random.Next(2) == 0,
            ["BillCycleDay"] = (long)Between(1, 28),
            ["LastInvoiceDate"] = random.Next(4) == 0 ? null : Date(),
            ["Region__c"] = random.Next(5) == 0 ? null : Pick(Regions),
            ["RolloverBalance"] = Money(),
        });

        public string Contact(string accountId) => Write("Contact", new()
        {
            ["AccountId"] = accountId,
            ["FirstName"] = Pick(Names),
            ["LastName"] = $"Tester{Between(1, 999)}",
            ["WorkEmail"] = random.Next(4) == 0 ? null : $"user{Between(1, 99999)}@example.com",
            ["Country"] = Pick(["United States", "Germany", "Japan", "Brazil"]),
        });

        public string Subscription(string accountId, int account, int number) => Write("Subscription", new()
        {
            ["AccountId"] = accountId,
            ["Name"] = $"A-S{account:D8}-{number}",
            ["Status"] = Pick(["Active", "Active", "Cancelled", "Expired"]),
            ["TermType"] = Pick(["TERMED", "EVERGREEN"]),
            ["SubscriptionStartDate"] = Date(),
            ["AutoRenew"] = random.Next(2) == 0,
            ["Version"] = (long)Between(1, 4),
        });

        public string Charge(string subscriptionId, string productId) => Write("RatePlanCharge", new()
        {
            ["SubscriptionId"] = subscriptionId,
            ["ProductId"] = productId,
            ["Name"] = Pick(["Base fee", "Seats", "Overage", "Setup"]),
            ["ChargeType"] = Pick(["Recurring", "OneTime", "Usage"]),
            ["Quantity"] = (decimal)Between(1, 50),
            ["MRR"] = Money(),
            ["EffectiveStartDate"] = Date(),
        });

        public string Invoice(string accountId)
        {
            var invoiceDate = Date();
            var amount = Money();
            return Write("Invoice", new()
            {
                ["AccountId"] = accountId,
                ["InvoiceNumber"] = $"INV{++_invoices:D8}",
                ["InvoiceDate"] = invoiceDate,
                ["DueDate"] = invoiceDate.AddDays(30),
                ["Amount"] = amount,
                ["Balance"] = random.Next(2) == 0 ? 0m : amount,
                ["Status"] = Pick(["Posted", "Posted", "Draft"]),
            });
        }

        public string InvoiceItem(string invoiceId, string subscriptionId, string chargeId)
        {
            var start = Date();
            return Write("InvoiceItem", new()
            {
                ["InvoiceId"] = invoiceId,
                ["SubscriptionId"] = subscriptionId,
                ["RatePlanChargeId"] = chargeId,
                ["ChargeAmount"] = Money(),
                ["ServiceStartDate"] = start,
                ["ServiceEndDate"] = start.AddMonths(1).AddDays(-1),
            });
        }

        public string Payment(string accountId) => Write("Payment", new()
        {
            ["AccountId"] = accountId,
            ["PaymentNumber"] = $"P-{++_payments:D8}",
            ["Amount"] = Money(),
            ["EffectiveDate"] = Date(),
            ["Status"] = Pick(["Processed", "Processed", "Error"]),
            ["Type"] = Pick(["External", "Electronic"]),
        });

        private string Write(string objectName, Dictionary<string, object?> values)
        {
            var id = Convert.ToHexStringLower(BytesOf(16));
            var updated = now - TimeSpan.FromMilliseconds(random.NextInt64(1, (long)SampleHistory.TotalMilliseconds));
            values["CreatedDate"] = updated - TimeSpan.FromMilliseconds(random.NextInt64(0, (long)TimeSpan.FromDays(60).TotalMilliseconds));
            tenant.Put(objectName, id, updated, values);
            return id;
        }

        private byte[] BytesOf(int count)
        {
            var bytes = new byte[count];
            random.NextBytes(bytes);
            return bytes;
        }

        private decimal Money() => random.Next(0, 1_000_000) / 100m;

        private DateOnly Date() => DateOnly.FromDateTime(now.UtcDateTime).AddDays(-random.Next(0, 730));
    }
}
