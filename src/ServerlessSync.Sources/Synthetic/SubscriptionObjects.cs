namespace ServerlessSync.Sources.Synthetic;

// What customers bought: subscriptions, their rate plans and the plans' charges. Invoice items reference them,
// so none is ever deleted (a cancelled subscription is a status, as in Zuora).

internal sealed class SubscriptionObject() : SyntheticObject(
    SyntheticCatalog.Subscription,
    "subscription",
    weight: 700,
    deletable: false,
    [
        Varchar("accountid"), Varchar("name"), Varchar("status"), Varchar("termtype"), Date("contracteffectivedate"),
        Date("subscriptionstartdate"), Date("termstartdate"), Date("termenddate"), Bigint("initialterm"), Bigint("renewalterm"),
        Bigint("currentterm"), Boolean("autorenew"), Bigint("version"), Date("cancelleddate"), Varchar("notes"),
    ])
{
    private const ulong SaltAccount = 0x9C30D5392AF26013UL;
    private static readonly int[] Terms = [12, 12, 12, 24, 36, 1];

    protected override void FillFields(TenantTimeline tenant, in RowState row, object?[] values)
    {
        var f = Fixed(row);
        var v = Versioned(row);
        var accounts = tenant.Layout(SyntheticCatalog.Account);
        var termed = f.Percent(85);
        var initial = f.Pick(Terms);
        var renewal = f.Percent(70) ? initial : 12;
        var contractEffective = Cells.Day(row.Origin.CreatedSecond).AddDays(-f.Below(15));
        var start = contractEffective.AddDays(f.Below(3));
        var autorenew = termed && (row.Version > 0 && v.Percent(10) ? !f.Percent(75) : f.Percent(75));
        string status;
        if (row.Version == 0)
        {
            status = v.Percent(5) ? "Pending Activation" : "Active";
        }
        else
        {
            var roll = v.Below(100);
            status = roll < 80 ? "Active" : roll < 90 ? "Cancelled" : roll < 95 ? "Suspended" : termed ? "Expired" : "Active";
        }

        var updated = Cells.Day(row.UpdatedSecond);
        object? termStart = null, termEnd = null;
        if (termed)
        {
            // An auto-renewing subscription has renewed once for every full term up to its last change.
            var months = ((updated.Year - start.Year) * 12) + updated.Month - start.Month - (updated.Day < start.Day ? 1 : 0);
            var renewals = autorenew && months >= initial ? 1 + ((months - initial) / renewal) : 0;
            var from = renewals == 0 ? start : start.AddMonths(initial + ((renewals - 1) * renewal));
            termStart = Cells.Date(from);
            termEnd = Cells.Date(from.AddMonths(renewals == 0 ? initial : renewal));
        }

        var c = 3;
        values[c++] = Ids.Format(accounts, tenant.PickParent(accounts, row.Origin, Mixer.Mix(row.Origin.Key ^ SaltAccount)));
        values[c++] = Text.Numbered("A-S", row.Origin.Index + 1, 8);
        values[c++] = status;
        values[c++] = termed ? "TERMED" : "EVERGREEN";
        values[c++] = Cells.Date(contractEffective);
        values[c++] = Cells.Date(start);
        values[c++] = termStart ?? Cells.Date(start);
        values[c++] = termEnd;
        values[c++] = termed ? Cells.Long(initial) : null;
        values[c++] = termed ? Cells.Long(renewal) : null;
        values[c++] = termed ? Cells.Long(initial) : null;
        values[c++] = Cells.Bool(autorenew);
        // Epoch-0 subscriptions may have been amended before the tenant was created.
        values[c++] = Cells.Long(1 + row.Version + (row.Origin.Epoch == 0 && row.UpdatedSecond != row.Origin.CreatedSecond ? f.Between(1, 3) : 0));
        values[c++] = string.Equals(status, "Cancelled", StringComparison.Ordinal) ? Cells.Date(updated) : null;
        values[c] = v.Percent(85) ? null : v.Pick(Vocabulary.SubscriptionNotes);
    }
}

internal sealed class RatePlanObject() : SyntheticObject(
    SyntheticCatalog.RatePlan,
    "rateplan",
    weight: 900,
    deletable: false,
    [Varchar("subscriptionid"), Varchar("productrateplanid"), Varchar("name"), Varchar("amendmenttype")])
{
    private const ulong SaltSubscription = 0x0801F2E2858EFC16UL;
    private const ulong SaltPlan = 0x636920D871574E69UL;

    /// <summary>Most rate plans come with a new subscription (one of the latest); the rest are later amendments of any.</summary>
    public static long SubscriptionOf(TenantTimeline tenant, RowOrigin origin, out bool withNewSubscription)
    {
        var subscriptions = tenant.Layout(SyntheticCatalog.Subscription);
        var hash = Mixer.Mix(origin.Key ^ SaltSubscription);
        withNewSubscription = (hash & 3) != 0;
        return withNewSubscription
            ? tenant.PickRecentParent(subscriptions, origin, Mixer.Mix(hash), 8)
            : tenant.PickParent(subscriptions, origin, Mixer.Mix(hash));
    }

    protected override void FillFields(TenantTimeline tenant, in RowState row, object?[] values)
    {
        var v = Versioned(row);
        var subscriptions = tenant.Layout(SyntheticCatalog.Subscription);
        var plans = tenant.Layout(SyntheticCatalog.ProductRatePlan);
        var subscription = SubscriptionOf(tenant, row.Origin, out var withNewSubscription);
        var plan = tenant.PickParent(plans, row.Origin, Mixer.Mix(row.Origin.Key ^ SaltPlan));
        var c = 3;
        values[c++] = Ids.Format(subscriptions, subscription);
        values[c++] = Ids.Format(plans, plan);
        values[c++] = ProductRatePlanObject.NameOf(tenant.RowKey(plans, plan));
        values[c] = row.Version > 0 ? (v.Percent(80) ? "UpdateProduct" : "RemoveProduct") : withNewSubscription ? null : "NewProduct";
    }
}

internal sealed class RatePlanChargeObject() : SyntheticObject(
    SyntheticCatalog.RatePlanCharge,
    "rateplancharge",
    weight: 1200,
    deletable: false,
    [
        Varchar("rateplanid"), Varchar("productrateplanchargeid"), Varchar("chargenumber"), Varchar("name"), Varchar("chargemodel"),
        Varchar("chargetype"), Varchar("billingperiod"), Varchar("uom"), Quantity("quantity"), Money("price"), Money("mrr"), Money("tcv"),
        Date("effectivestartdate"), Date("effectiveenddate"), Date("chargedthroughdate"), Date("processedthroughdate"), Bigint("segment"),
    ])
{
    private const ulong SaltRatePlan = 0x2EC7BC4D5D1A4A1CUL;
    private const ulong SaltCharge = 0x85D1B3C0A7F3E61FUL;

    /// <summary>A charge is created right after its rate plan: one of the latest.</summary>
    public static long RatePlanOf(TenantTimeline tenant, RowOrigin origin) =>
        tenant.PickRecentParent(tenant.Layout(SyntheticCatalog.RatePlan), origin, Mixer.Mix(origin.Key ^ SaltRatePlan), 4);

    public static long ProductChargeOf(TenantTimeline tenant, RowOrigin origin) =>
        tenant.PickParent(tenant.Layout(SyntheticCatalog.ProductRatePlanCharge), origin, Mixer.Mix(origin.Key ^ SaltCharge));

    protected override void FillFields(TenantTimeline tenant, in RowState row, object?[] values)
    {
        var f = Fixed(row);
        var v = Versioned(row);
        var ratePlans = tenant.Layout(SyntheticCatalog.RatePlan);
        var charges = tenant.Layout(SyntheticCatalog.ProductRatePlanCharge);
        var charge = ProductChargeOf(tenant, row.Origin);
        var facts = ProductRatePlanChargeObject.FactsOf(tenant.RowKey(charges, charge));
        var recurring = string.Equals(facts.Type, ProductRatePlanChargeObject.Recurring, StringComparison.Ordinal);
        var usage = string.Equals(facts.Type, ProductRatePlanChargeObject.Usage, StringComparison.Ordinal);
        long quantity = facts.IsFlatFee ? 1 : f.Between(1, 250) + (row.Version > 0 ? v.Below(25) : 0);
        var price = Math.Max(1, facts.ListPriceCents * f.Between(70, 100) / 100);
        var mrr = recurring ? price * quantity / facts.MonthsPerPeriod : 0;
        var effectiveStart = Cells.Day(row.Origin.CreatedSecond);
        var updated = Cells.Day(row.UpdatedSecond);
        object? chargedThrough, processedThrough;
        if (recurring)
        {
            // Billed in advance to the next bill cycle; not yet billed if never touched since creation.
            chargedThrough = row.UpdatedSecond == row.Origin.CreatedSecond && row.Origin.Epoch > 0
                ? null
                : Cells.Date(new DateOnly(updated.Year, updated.Month, 1).AddMonths(1));
            processedThrough = chargedThrough;
        }
        else if (usage)
        {
            chargedThrough = Cells.Date(new DateOnly(updated.Year, updated.Month, 1));
            processedThrough = chargedThrough;
        }
        else
        {
            chargedThrough = Cells.Date(effectiveStart.AddDays(1));
            processedThrough = chargedThrough;
        }

        var c = 3;
        values[c++] = Ids.Format(ratePlans, RatePlanOf(tenant, row.Origin));
        values[c++] = Ids.Format(charges, charge);
        values[c++] = Text.Numbered("C-", row.Origin.Index + 1, 8);
        values[c++] = facts.Name;
        values[c++] = facts.Model;
        values[c++] = facts.Type;
        values[c++] = facts.BillingPeriod;
        values[c++] = facts.UnitOfMeasure;
        values[c++] = usage ? null : Cells.Quantity(quantity * 1_000_000);
        values[c++] = Cells.Money(price);
        values[c++] = Cells.Money(mrr);
        values[c++] = usage ? null : Cells.Money(recurring ? mrr * 12 : price * quantity);
        values[c++] = Cells.Date(effectiveStart);
        values[c++] = f.Percent(40) ? null : Cells.Date(effectiveStart.AddMonths(12 * (int)f.Between(1, 3)));
        values[c++] = chargedThrough;
        values[c++] = processedThrough;
        values[c] = Cells.Long(1 + row.Version);
    }
}
