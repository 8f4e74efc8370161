namespace ServerlessSync.Sources.Synthetic;

// Customers: accounts (referenced by most objects, never deleted) and their contacts (referenced by nothing
// here, so contacts are one of the three objects whose rows get deleted).

internal sealed class AccountObject() : SyntheticObject(
    SyntheticCatalog.Account,
    "account",
    weight: 500,
    deletable: false,
    [
        Varchar("accountnumber"), Varchar("name"), Varchar("currency"), Varchar("status"), Money("balance"), Money("creditbalance"),
        Boolean("autopay"), Bigint("billcycleday"), Varchar("paymentterm"), Varchar("batch"), Varchar("crmid"), Varchar("notes"),
        Date("lastinvoicedate"),
    ])
{
    protected override void FillFields(TenantTimeline tenant, in RowState row, object?[] values)
    {
        var f = Fixed(row);
        var v = Versioned(row);
        var c = 3;
        values[c++] = Text.Numbered("A", row.Origin.Index + 1, 8);
        values[c++] = f.Pick(Vocabulary.CompanyNames);
        values[c++] = f.Pick(Vocabulary.Currencies);
        values[c++] = row.Version == 0 ? (v.Percent(6) ? "Draft" : "Active") : (v.Percent(5) ? "Canceled" : "Active");
        values[c++] = Cells.Money(v.Percent(40) ? 0 : v.Between(1, 2_500_000));
        values[c++] = Cells.Money(v.Percent(88) ? 0 : v.Between(100, 200_000));
        var autopay = f.Percent(55);
        values[c++] = Cells.Bool(row.Version > 0 && v.Percent(10) ? !autopay : autopay);
        values[c++] = Cells.Long(f.Percent(45) ? 1 : f.Between(1, 31));
        values[c++] = f.Pick(Vocabulary.PaymentTerms);
        values[c++] = f.Pick(Vocabulary.Batches);
        values[c++] = f.Percent(35) ? null : Text.Alphanumeric("001", f.Next(), 15);
        values[c++] = v.Percent(82) ? null : v.Pick(Vocabulary.AccountNotes);
        values[c] = row.UpdatedSecond == row.Origin.CreatedSecond ? null : Cells.Date(Cells.Day(row.UpdatedSecond));
    }
}

/// <summary>Deletable: nothing references a contact.</summary>
internal sealed class ContactObject() : SyntheticObject(
    SyntheticCatalog.Contact,
    "contact",
    weight: 800,
    deletable: true,
    [
        Varchar("accountid"), Varchar("firstname"), Varchar("lastname"), Varchar("workemail"), Varchar("workphone"),
        Varchar("country"), Varchar("state"), Varchar("city"), Varchar("postalcode"), Varchar("address1"), Varchar("address2"),
    ])
{
    private const ulong SaltAccount = 0x7A325381289586FBUL;

    protected override void FillFields(TenantTimeline tenant, in RowState row, object?[] values)
    {
        var f = Fixed(row);
        var v = Versioned(row);
        var accounts = tenant.Layout(SyntheticCatalog.Account);
        var first = f.Pick(Vocabulary.FirstNames);
        var last = f.Pick(Vocabulary.LastNames);
        var location = f.Pick(Vocabulary.Locations);
        var houseNumber = f.Between(1, 2500);
        var street = f.Below(8);
        if (row.Version > 0 && v.Percent(30))
        {
            // The contact moved.
            location = v.Pick(Vocabulary.Locations);
            houseNumber = v.Between(1, 2500);
        }

        var c = 3;
        values[c++] = Ids.Format(accounts, tenant.PickParent(accounts, row.Origin, Mixer.Mix(row.Origin.Key ^ SaltAccount)));
        values[c++] = first.Display;
        values[c++] = last.Display;
        values[c++] = f.Percent(8) ? null : string.Concat(first.Ascii, ".", last.Ascii, "@", f.Pick(Vocabulary.EmailDomains));
        values[c++] = f.Percent(25) ? null : Text.Numbered(location.PhonePrefix, f.Below(10_000), 4);
        values[c++] = location.Country;
        values[c++] = location.State;
        values[c++] = location.City;
        values[c++] = location.PostalCode;
        values[c++] = string.Concat(Text.Numbered(string.Empty, houseNumber, 1), " ", location.Streets[street % location.Streets.Length]);
        values[c] = f.Percent(85) ? null : Text.Numbered(f.Percent(50) ? "Suite " : "Floor ", f.Between(1, 40), 1);
    }
}
