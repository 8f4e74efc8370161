namespace ServerlessSync.Sources.Synthetic;

// The product catalogue: a few products, their rate plans and the plans' charges. Referenced by everything that
// is sold, so never deleted.

internal sealed class ProductObject() : SyntheticObject(
    SyntheticCatalog.Product,
    "product",
    weight: 5,
    deletable: false,
    [Varchar("name"), Varchar("sku"), Varchar("description"), Varchar("category"), Date("effectivestartdate"), Date("effectiveenddate")])
{
    internal static readonly DateOnly OpenEnded = new(2099, 12, 31);

    protected override void FillFields(TenantTimeline tenant, in RowState row, object?[] values)
    {
        var f = Fixed(row);
        var v = Versioned(row);
        var index = row.Origin.Index;
        var names = Vocabulary.ProductNames;
        var c = 3;
        values[c++] = index < names.Length ? names[index] : Text.Numbered(names[index % names.Length] + " ", (index / names.Length) + 1, 1);
        values[c++] = Text.Numbered("SKU-", index + 1, 6);
        values[c++] = v.Percent(20) ? null : v.Pick(Vocabulary.ProductDescriptions);
        values[c++] = f.Pick(Vocabulary.ProductCategories);
        var start = Cells.Day(row.Origin.CreatedSecond).AddDays(-f.Below(30));
        values[c++] = Cells.Date(start);
        values[c] = Cells.Date(row.Version > 0 && v.Percent(10) ? Cells.Day(row.UpdatedSecond).AddDays(90) : OpenEnded);
    }
}

internal sealed class ProductRatePlanObject() : SyntheticObject(
    SyntheticCatalog.ProductRatePlan,
    "productrateplan",
    weight: 15,
    deletable: false,
    [Varchar("productid"), Varchar("name"), Varchar("description"), Date("effectivestartdate"), Date("effectiveenddate")])
{
    private const ulong SaltProduct = 0x9216D5D98979FB1BUL;
    private const ulong SaltName = 0xD1310BA698DFB5ACUL;

    /// <summary>The plan's name (fixed for the row): a rate plan subscribed from it carries the same name.</summary>
    public static string NameOf(ulong key) => Vocabulary.PlanNames[Mixer.Below(Mixer.Mix(key ^ SaltName), Vocabulary.PlanNames.Length)];

    protected override void FillFields(TenantTimeline tenant, in RowState row, object?[] values)
    {
        var f = Fixed(row);
        var v = Versioned(row);
        var products = tenant.Layout(SyntheticCatalog.Product);
        var c = 3;
        values[c++] = Ids.Format(products, tenant.PickParent(products, row.Origin, Mixer.Mix(row.Origin.Key ^ SaltProduct)));
        values[c++] = NameOf(row.Origin.Key);
        values[c++] = v.Percent(30) ? null : v.Pick(Vocabulary.PlanDescriptions);
        values[c++] = Cells.Date(Cells.Day(row.Origin.CreatedSecond).AddDays(-f.Below(10)));
        values[c] = Cells.Date(row.Version > 0 && v.Percent(10) ? Cells.Day(row.UpdatedSecond).AddDays(180) : ProductObject.OpenEnded);
    }
}

/// <summary>What a product rate plan charge fixes for every subscription charge made from it.</summary>
internal readonly record struct ChargeFacts(string Name, string Model, string Type, string? BillingPeriod, string? UnitOfMeasure, long ListPriceCents)
{
    public const string FlatFee = "Flat Fee Pricing";

    public bool IsFlatFee => string.Equals(Model, FlatFee, StringComparison.Ordinal);

    public int MonthsPerPeriod => BillingPeriod switch
    {
        "Quarter" => 3,
        "Annual" => 12,
        _ => 1,
    };
}

internal sealed class ProductRatePlanChargeObject() : SyntheticObject(
    SyntheticCatalog.ProductRatePlanCharge,
    "productrateplancharge",
    weight: 30,
    deletable: false,
    [Varchar("productrateplanid"), Varchar("name"), Varchar("chargemodel"), Varchar("chargetype"), Varchar("billingperiod"), Varchar("uom"), Money("listprice")])
{
    public const string Recurring = "Recurring";
    public const string OneTime = "OneTime";
    public const string Usage = "Usage";
    private const ulong SaltPlan = 0x2FFD72DBD01ADFB7UL;
    private const ulong SaltFacts = 0xB8E1AFED6A267E96UL;

    public static ChargeFacts FactsOf(ulong key)
    {
        var d = new Draws(Mixer.Mix(key ^ SaltFacts));
        var roll = d.Below(100);
        string name, model, type;
        string? period;
        long price;
        if (roll < 65)
        {
            (type, name, model, period) = (Recurring, d.Pick(Vocabulary.RecurringChargeNames), d.Pick(Vocabulary.RecurringModels), d.Pick(Vocabulary.BillingPeriods));
            price = d.Between(500, 500_000);
        }
        else if (roll < 80)
        {
            (type, name, model, period) = (OneTime, d.Pick(Vocabulary.OneTimeChargeNames), d.Pick(Vocabulary.OneTimeModels), null);
            price = d.Between(10_000, 2_000_000);
        }
        else
        {
            (type, name, model, period) = (Usage, d.Pick(Vocabulary.UsageChargeNames), d.Pick(Vocabulary.UsageModels), "Month");
            price = d.Between(1, 2_000);
        }

        var uom = string.Equals(model, ChargeFacts.FlatFee, StringComparison.Ordinal) ? null : d.Pick(Vocabulary.UnitsOfMeasure);
        return new ChargeFacts(name, model, type, period, uom, price);
    }

    protected override void FillFields(TenantTimeline tenant, in RowState row, object?[] values)
    {
        var plans = tenant.Layout(SyntheticCatalog.ProductRatePlan);
        var facts = FactsOf(row.Origin.Key);
        var c = 3;
        values[c++] = Ids.Format(plans, tenant.PickParent(plans, row.Origin, Mixer.Mix(row.Origin.Key ^ SaltPlan)));
        values[c++] = facts.Name;
        values[c++] = facts.Model;
        values[c++] = facts.Type;
        values[c++] = facts.BillingPeriod;
        values[c++] = facts.UnitOfMeasure;
        // A price rise of 3% with every update of the catalogue entry.
        values[c] = Cells.Money(facts.ListPriceCents * (100 + (3 * Math.Min(row.Version, 20))) / 100);
    }
}
