namespace ServerlessSync.Sources.Synthetic;

// Money: invoices and their items, payments, refunds and credit memos. Invoices and payments are referenced
// (by items, credit memos, refunds) and never deleted; refunds and credit memos are referenced by nothing, so
// they, with contacts, are the objects whose rows get deleted.

internal sealed class InvoiceObject() : SyntheticObject(
    SyntheticCatalog.Invoice,
    "invoice",
    weight: 1500,
    deletable: false,
    [
        Varchar("accountid"), Varchar("invoicenumber"), Date("invoicedate"), Date("duedate"), Money("amount"), Money("amountwithouttax"),
        Money("taxamount"), Money("balance"), Varchar("status"), Timestamp("posteddate"), Varchar("source"), Varchar("comments"),
    ])
{
    private const ulong SaltAccount = 0x6C9E0E8BB01E8A3EUL;
    private const ulong SaltAmount = 0xD71577C1BD314B27UL;
    private const ulong SaltPosted = 0x78AF2FDA55605C60UL;
    private const long PostingDelaySeconds = 3 * TenantTimeline.SecondsPerDay;

    public static long AccountOf(TenantTimeline tenant, RowOrigin origin) =>
        tenant.PickParent(tenant.Layout(SyntheticCatalog.Account), origin, Mixer.Mix(origin.Key ^ SaltAccount));

    /// <summary>The invoice's amount before tax and its tax (fixed for the row).</summary>
    public static (long WithoutTax, long Tax) AmountsOf(ulong key)
    {
        var d = new Draws(Mixer.Mix(key ^ SaltAmount));
        var roll = d.Below(100);
        var withoutTax = roll < 4 ? 0 : roll < 74 ? d.Between(1_000, 200_000) : d.Between(200_000, 2_000_000);
        return (withoutTax, withoutTax * d.Pick(Vocabulary.TaxRatesBasisPoints) / 10_000);
    }

    protected override void FillFields(TenantTimeline tenant, in RowState row, object?[] values)
    {
        var f = Fixed(row);
        var v = Versioned(row);
        var accounts = tenant.Layout(SyntheticCatalog.Account);
        var (withoutTax, tax) = AmountsOf(row.Origin.Key);
        var amount = withoutTax + tax;
        string status;
        long balance;
        if (row.Version == 0)
        {
            status = v.Percent(6) ? "Draft" : "Posted";
            balance = status == "Draft" || v.Percent(35) ? amount : 0;
        }
        else
        {
            status = v.Percent(4) ? "Canceled" : "Posted";
            balance = status == "Canceled" || v.Percent(80) ? 0 : amount * v.Between(10, 90) / 100;
        }

        var invoiceDate = Cells.Day(row.Origin.CreatedSecond);
        var posted = row.Origin.CreatedSecond + Mixer.Below(Mixer.Mix(row.Origin.Key ^ SaltPosted), PostingDelaySeconds);
        var c = 3;
        values[c++] = Ids.Format(accounts, AccountOf(tenant, row.Origin));
        values[c++] = Text.Numbered("INV", row.Origin.Index + 1, 8);
        values[c++] = Cells.Date(invoiceDate);
        values[c++] = Cells.Date(invoiceDate.AddDays(f.Pick(Vocabulary.PaymentTermDays)));
        values[c++] = Cells.Money(amount);
        values[c++] = Cells.Money(withoutTax);
        values[c++] = Cells.Money(tax);
        values[c++] = Cells.Money(balance);
        values[c++] = status;
        // Null while a draft; never after the row's last change.
        values[c++] = status == "Draft" ? null : Cells.Timestamp(Math.Min(posted, row.UpdatedSecond));
        values[c++] = f.Percent(85) ? "BillRun" : "API";
        values[c] = v.Percent(92) ? null : v.Pick(Vocabulary.InvoiceComments);
    }
}

internal sealed class InvoiceItemObject() : SyntheticObject(
    SyntheticCatalog.InvoiceItem,
    "invoiceitem",
    weight: 2950,
    deletable: false,
    [
        Varchar("invoiceid"), Varchar("rateplanchargeid"), Varchar("subscriptionid"), Varchar("chargename"), Money("chargeamount"),
        Money("taxamount"), Quantity("quantity"), Money("unitprice"), Date("servicestartdate"), Date("serviceenddate"),
    ])
{
    private const ulong SaltInvoice = 0x5E5C9EC2196A2463UL;
    private const ulong SaltCharge = 0x68FB6FAF3E6C53B5UL;

    protected override void FillFields(TenantTimeline tenant, in RowState row, object?[] values)
    {
        var f = Fixed(row);
        var v = Versioned(row);
        var invoices = tenant.Layout(SyntheticCatalog.Invoice);
        var charges = tenant.Layout(SyntheticCatalog.RatePlanCharge);
        var ratePlans = tenant.Layout(SyntheticCatalog.RatePlan);
        var subscriptions = tenant.Layout(SyntheticCatalog.Subscription);
        var productCharges = tenant.Layout(SyntheticCatalog.ProductRatePlanCharge);

        // Items are written with their invoice (one of the latest); the charge, its rate plan and subscription agree.
        var invoice = tenant.PickRecentParent(invoices, row.Origin, Mixer.Mix(row.Origin.Key ^ SaltInvoice), 4);
        var charge = tenant.PickParent(charges, row.Origin, Mixer.Mix(row.Origin.Key ^ SaltCharge));
        var chargeOrigin = tenant.Origin(charges, charge);
        var subscription = RatePlanObject.SubscriptionOf(tenant, tenant.Origin(ratePlans, RatePlanChargeObject.RatePlanOf(tenant, chargeOrigin)), out _);
        var facts = ProductRatePlanChargeObject.FactsOf(tenant.RowKey(productCharges, RatePlanChargeObject.ProductChargeOf(tenant, chargeOrigin)));

        var quantity = f.Percent(80) ? f.Between(1, 100) * 1_000_000 : f.Between(1, 100_000) * 1_000;
        var unitPrice = f.Between(50, 50_000);
        var amount = ((quantity * unitPrice) + 500_000) / 1_000_000;
        var taxRate = row.Version == 0 ? f.Pick(Vocabulary.TaxRatesBasisPoints) : v.Pick(Vocabulary.TaxRatesBasisPoints);
        var created = Cells.Day(row.Origin.CreatedSecond);
        var serviceStart = new DateOnly(created.Year, created.Month, 1);
        var c = 3;
        values[c++] = Ids.Format(invoices, invoice);
        values[c++] = Ids.Format(charges, charge);
        values[c++] = Ids.Format(subscriptions, subscription);
        values[c++] = facts.Name;
        values[c++] = Cells.Money(amount);
        values[c++] = Cells.Money(amount * taxRate / 10_000);
        values[c++] = Cells.Quantity(quantity);
        values[c++] = Cells.Money(unitPrice);
        values[c++] = Cells.Date(serviceStart);
        values[c] = Cells.Date(serviceStart.AddMonths(1).AddDays(-1));
    }
}

internal sealed class PaymentObject() : SyntheticObject(
    SyntheticCatalog.Payment,
    "payment",
    weight: 1100,
    deletable: false,
    [
        Varchar("accountid"), Varchar("paymentnumber"), Money("amount"), Money("appliedamount"), Money("unappliedamount"), Date("effectivedate"),
        Varchar("status"), Varchar("type"), Varchar("paymentmethodtype"), Varchar("gatewayresponse"), Varchar("referenceid"), Varchar("comment"),
    ])
{
    private const ulong SaltAccount = 0xE65525F3AA55AB94UL;
    private const ulong SaltAmount = 0x5748986263E81440UL;
    private const ulong SaltType = 0x55CA396A2AAB10B6UL;

    public static long AccountOf(TenantTimeline tenant, RowOrigin origin) =>
        tenant.PickParent(tenant.Layout(SyntheticCatalog.Account), origin, Mixer.Mix(origin.Key ^ SaltAccount));

    public static long AmountOf(ulong key) => 1_000 + Mixer.Below(Mixer.Mix(key ^ SaltAmount), 999_000L);

    public static bool IsElectronic(ulong key) => Mixer.Below(Mixer.Mix(key ^ SaltType), 100) < 75;

    protected override void FillFields(TenantTimeline tenant, in RowState row, object?[] values)
    {
        var f = Fixed(row);
        var v = Versioned(row);
        var accounts = tenant.Layout(SyntheticCatalog.Account);
        var amount = AmountOf(row.Origin.Key);
        var electronic = IsElectronic(row.Origin.Key);
        var roll = v.Below(100);
        string status = row.Version == 0
            ? (electronic ? (roll < 92 ? "Processed" : roll < 95 ? "Processing" : "Error") : "Processed")
            : (roll < 90 ? "Processed" : electronic && roll < 96 ? "Voided" : "Canceled");
        long applied = 0, unapplied = 0;
        if (status is "Processed" or "Processing")
        {
            applied = v.Percent(row.Version == 0 ? 60 : 85) ? amount : amount * v.Between(0, 99) / 100;
            unapplied = amount - applied;
        }

        string? gateway = !electronic ? null : status switch
        {
            "Processing" => null,
            "Error" => v.Pick(Vocabulary.DeclineReasons),
            _ => "Approved",
        };

        var c = 3;
        values[c++] = Ids.Format(accounts, AccountOf(tenant, row.Origin));
        values[c++] = Text.Numbered("P-", row.Origin.Index + 1, 8);
        values[c++] = Cells.Money(amount);
        values[c++] = Cells.Money(applied);
        values[c++] = Cells.Money(unapplied);
        values[c++] = Cells.Date(Cells.Day(row.Origin.CreatedSecond));
        values[c++] = status;
        values[c++] = electronic ? "Electronic" : "External";
        values[c++] = electronic ? f.Pick(Vocabulary.PaymentMethods) : f.Percent(70) ? "Check" : "WireTransfer";
        values[c++] = gateway;
        values[c++] = electronic ? Text.Hex("ch_", f.Next(), 16) : f.Percent(50) ? null : Text.Numbered("CHK-", f.Between(1_000, 999_999), 6);
        values[c] = v.Percent(95) ? null : v.Pick(Vocabulary.PaymentComments);
    }
}

/// <summary>Deletable: nothing references a refund.</summary>
internal sealed class RefundObject() : SyntheticObject(
    SyntheticCatalog.Refund,
    "refund",
    weight: 100,
    deletable: true,
    [
        Varchar("accountid"), Varchar("paymentid"), Varchar("refundnumber"), Money("amount"), Date("refunddate"), Varchar("status"),
        Varchar("type"), Varchar("methodtype"), Varchar("reasoncode"), Varchar("comment"),
    ])
{
    private const ulong SaltPayment = 0x4B7A70E9B5B32944UL;

    protected override void FillFields(TenantTimeline tenant, in RowState row, object?[] values)
    {
        var f = Fixed(row);
        var v = Versioned(row);
        var accounts = tenant.Layout(SyntheticCatalog.Account);
        var payments = tenant.Layout(SyntheticCatalog.Payment);
        var payment = tenant.Origin(payments, tenant.PickParent(payments, row.Origin, Mixer.Mix(row.Origin.Key ^ SaltPayment)));
        var electronic = PaymentObject.IsElectronic(payment.Key);
        var roll = v.Below(100);
        var status = row.Version == 0
            ? (roll < 90 ? "Processed" : roll < 95 ? "Processing" : "Error")
            : (roll < 85 ? "Processed" : "Canceled");
        var c = 3;
        values[c++] = Ids.Format(accounts, PaymentObject.AccountOf(tenant, payment));
        values[c++] = Ids.Format(payments, payment.Index);
        values[c++] = Text.Numbered("R-", row.Origin.Index + 1, 8);
        values[c++] = Cells.Money(Math.Max(1, PaymentObject.AmountOf(payment.Key) * f.Between(10, 100) / 100));
        values[c++] = Cells.Date(Cells.Day(row.Origin.CreatedSecond));
        values[c++] = status;
        values[c++] = electronic ? "Electronic" : "External";
        values[c++] = electronic ? f.Pick(Vocabulary.PaymentMethods) : "Check";
        values[c++] = f.Pick(Vocabulary.RefundReasons);
        values[c] = v.Percent(75) ? null : v.Pick(Vocabulary.PaymentComments);
    }
}

/// <summary>Deletable: nothing references a credit memo.</summary>
internal sealed class CreditMemoObject() : SyntheticObject(
    SyntheticCatalog.CreditMemo,
    "creditmemo",
    weight: 200,
    deletable: true,
    [
        Varchar("accountid"), Varchar("invoiceid"), Varchar("memonumber"), Date("memodate"), Money("totalamount"), Money("appliedamount"),
        Money("balance"), Varchar("status"), Varchar("reasoncode"), Varchar("comments"),
    ])
{
    private const ulong SaltInvoice = 0x0CCB2E0A4A9E5B7DUL;

    protected override void FillFields(TenantTimeline tenant, in RowState row, object?[] values)
    {
        var f = Fixed(row);
        var v = Versioned(row);
        var accounts = tenant.Layout(SyntheticCatalog.Account);
        var invoices = tenant.Layout(SyntheticCatalog.Invoice);
        var invoice = tenant.Origin(invoices, tenant.PickParent(invoices, row.Origin, Mixer.Mix(row.Origin.Key ^ SaltInvoice)));
        var (withoutTax, tax) = InvoiceObject.AmountsOf(invoice.Key);
        var total = Math.Max(100, (withoutTax + tax) * f.Between(5, 100) / 100);
        string status;
        long balance;
        if (row.Version == 0)
        {
            status = v.Percent(20) ? "Draft" : "Posted";
            balance = status == "Draft" || v.Percent(50) ? total : 0;
        }
        else
        {
            status = v.Percent(15) ? "Canceled" : "Posted";
            balance = status == "Canceled" || v.Percent(80) ? 0 : total * v.Between(1, 99) / 100;
        }

        var c = 3;
        values[c++] = Ids.Format(accounts, InvoiceObject.AccountOf(tenant, invoice));
        values[c++] = Ids.Format(invoices, invoice.Index);
        values[c++] = Text.Numbered("CM", row.Origin.Index + 1, 8);
        values[c++] = Cells.Date(Cells.Day(row.Origin.CreatedSecond));
        values[c++] = Cells.Money(total);
        values[c++] = Cells.Money(status == "Posted" ? total - balance : 0);
        values[c++] = Cells.Money(balance);
        values[c++] = status;
        values[c++] = f.Pick(Vocabulary.CreditMemoReasons);
        values[c] = v.Percent(70) ? null : v.Pick(Vocabulary.MemoComments);
    }
}
