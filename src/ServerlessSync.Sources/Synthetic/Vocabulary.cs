namespace ServerlessSync.Sources.Synthetic;

/// <summary>A person's name as shown and as it appears in an e-mail address.</summary>
internal readonly record struct PersonName(string Display, string Ascii);

/// <summary>A place contacts live: the fields of a Zuora contact's address.</summary>
internal sealed record Location(string Country, string? State, string City, string PostalCode, string[] Streets, string PhonePrefix);

/// <summary>
/// Word lists the tenant draws its text from. Fictional companies; a few values carry what real billing data
/// carries and loaders must survive: commas, quotes, apostrophes, ampersands, a line break, non-ASCII letters.
/// </summary>
internal static class Vocabulary
{
    private static readonly string[] CompanyStems =
    [
        "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay Industries", "Soylent", "Tyrell", "Wonka",
        "Cyberdyne", "Aperture Science", "Massive Dynamic", "Dunder Mifflin", "Pied Piper", "Nakatomi", "Bluth",
        "Sterling Cooper", "Prestige Worldwide", "Monarch", "Blue Sun", "Gekko", "Kwik-E-Mart", "Zorg", "Duff",
        "Northwind", "Contoso", "Fabrikam", "Tailspin", "Litware", "Proseware", "Wide World Importers", "Adventure Works",
        "O'Malley's", "McKinley & Sons", "Smith, Barney", "Müller & Söhne", "Café Olé", "Ærø Shipping", "Société Lumière", "Zoë's Kitchen",
    ];

    private static readonly string[] CompanySuffixes =
    [
        "Inc.", "Inc.", "LLC", "LLC", "Ltd", "Corp.", "GmbH", "S.A.", "& Co.", "Holdings, Inc.", "Group", "AG", "B.V.", "Pty Ltd", "S.à r.l.",
    ];

    private static readonly string[] StandaloneCompanies =
    [
        "The \"Best\" Widget Company", "株式会社さくら", "Smith, Jones & Partners LLP", "Los Pollos Hermanos", "Ørsted Byg ApS",
        "Joe's Bar & Grill", "Ньютон Технологии", "Krusty Krab", "Big \"Kahuna\" Burger", "São Paulo Logística Ltda.",
    ];

    public static string[] CompanyNames { get; } = BuildCompanyNames();

    public static PersonName[] FirstNames { get; } =
    [
        new("James", "james"), new("Mary", "mary"), new("Robert", "robert"), new("Patricia", "patricia"), new("John", "john"),
        new("Jennifer", "jennifer"), new("Michael", "michael"), new("Linda", "linda"), new("David", "david"), new("Elizabeth", "elizabeth"),
        new("William", "william"), new("Barbara", "barbara"), new("Richard", "richard"), new("Susan", "susan"), new("Wei", "wei"),
        new("Priya", "priya"), new("Carlos", "carlos"), new("Fatima", "fatima"), new("Hiroshi", "hiroshi"), new("Olga", "olga"),
        new("José", "jose"), new("Zoë", "zoe"), new("Søren", "soren"), new("Chloé", "chloe"), new("François", "francois"),
        new("Björn", "bjorn"), new("Siobhán", "siobhan"), new("Łukasz", "lukasz"), new("Ana María", "anamaria"), new("Jean-Luc", "jeanluc"),
        new("Mei", "mei"), new("Ahmed", "ahmed"), new("Emma", "emma"), new("Noah", "noah"), new("Olivia", "olivia"),
        new("Liam", "liam"), new("Sofia", "sofia"), new("Lucas", "lucas"), new("Amara", "amara"), new("Mateo", "mateo"),
    ];

    public static PersonName[] LastNames { get; } =
    [
        new("Smith", "smith"), new("Johnson", "johnson"), new("Williams", "williams"), new("Brown", "brown"), new("Jones", "jones"),
        new("Miller", "miller"), new("Davis", "davis"), new("Wilson", "wilson"), new("Anderson", "anderson"), new("Taylor", "taylor"),
        new("Thomas", "thomas"), new("Moore", "moore"), new("Martin", "martin"), new("Lee", "lee"), new("Chen", "chen"),
        new("Patel", "patel"), new("Kim", "kim"), new("Singh", "singh"), new("Tanaka", "tanaka"), new("Ivanova", "ivanova"),
        new("O'Brien", "obrien"), new("D'Angelo", "dangelo"), new("O'Neil", "oneil"), new("Müller", "mueller"), new("García", "garcia"),
        new("Núñez", "nunez"), new("van der Berg", "vanderberg"), new("Smith-Jones", "smith-jones"), new("Nguyễn", "nguyen"), new("Dvořák", "dvorak"),
        new("Jäger", "jaeger"), new("Kowalski", "kowalski"), new("Rossi", "rossi"), new("Dubois", "dubois"), new("Andersson", "andersson"),
        new("Okafor", "okafor"), new("Silva", "silva"), new("Cohen", "cohen"), new("Murphy", "murphy"), new("Schmidt", "schmidt"),
    ];

    public static string[] EmailDomains { get; } =
    [
        "example.com", "example.net", "example.org", "mail.example.com", "corp.example", "billing.example", "acme.example", "globex.example",
    ];

    public static Location[] Locations { get; } =
    [
        new("United States", "California", "San Francisco", "94105", ["Market Street", "Mission Street", "Howard Street"], "+1 415 555 "),
        new("United States", "New York", "New York", "10001", ["Broadway", "5th Avenue", "West 34th Street"], "+1 212 555 "),
        new("United States", "Texas", "Austin", "78701", ["Congress Avenue", "East 6th Street"], "+1 512 555 "),
        new("United States", "Washington", "Seattle", "98101", ["Pike Street", "1st Avenue"], "+1 206 555 "),
        new("United States", "Illinois", "Chicago", "60601", ["North Michigan Avenue", "West Madison Street"], "+1 312 555 "),
        new("United States", "Massachusetts", "Boston", "02110", ["Atlantic Avenue", "Congress Street"], "+1 617 555 "),
        new("United States", "Georgia", "Atlanta", "30303", ["Peachtree Street NE", "Marietta Street"], "+1 404 555 "),
        new("Canada", "Ontario", "Toronto", "M5H 2N2", ["King Street West", "Bay Street"], "+1 416 555 "),
        new("Canada", "Québec", "Montréal", "H2Y 1C6", ["Rue Saint-Jacques", "Boulevard Saint-Laurent"], "+1 514 555 "),
        new("United Kingdom", "England", "London", "EC1A 1BB", ["Baker Street", "King's Road", "Old Street"], "+44 20 555 "),
        new("Ireland", null, "Dublin", "D02 X285", ["Grafton Street", "Sir John Rogerson's Quay"], "+353 1 555 "),
        new("Germany", "Bayern", "München", "80331", ["Maximilianstraße", "Leopoldstraße"], "+49 89 555 "),
        new("Germany", "Berlin", "Berlin", "10115", ["Friedrichstraße", "Torstraße"], "+49 30 555 "),
        new("France", "Île-de-France", "Paris", "75008", ["Rue de l'Université", "Avenue des Champs-Élysées"], "+33 1 555 "),
        new("Netherlands", "Noord-Holland", "Amsterdam", "1012 AB", ["Damrak", "Keizersgracht"], "+31 20 555 "),
        new("Spain", "Madrid", "Madrid", "28013", ["Calle Gran Vía", "Calle de Alcalá"], "+34 91 555 "),
        new("Japan", "Tokyo", "Chiyoda", "100-0005", ["Marunouchi", "Otemachi"], "+81 3 555 "),
        new("Australia", "New South Wales", "Sydney", "2000", ["George Street", "Pitt Street"], "+61 2 555 "),
        new("Brazil", "São Paulo", "São Paulo", "01310-100", ["Avenida Paulista", "Rua Augusta"], "+55 11 555 "),
        new("Singapore", null, "Singapore", "048583", ["Raffles Place", "Orchard Road"], "+65 555 "),
    ];

    public static string[] AccountNotes { get; } =
    [
        "Strategic account; renewal owner is the CSM.",
        "Customer asked for net 45 terms, see ticket #4521.",
        "Prefers invoices by e-mail; CC accounts payable.",
        "Tax exempt: certificate on file (expires 2027).",
        "Renewal call scheduled.\nAsk about the volume discount.",
        "Use PO number on every invoice (PO\\2024\\118).",
        "Migrated from legacy billing, balances reconciled.",
        "Do NOT send dunning e-mails; call \"Finance\" first.",
    ];

    public static string[] ProductNames { get; } =
    [
        "Platform", "Analytics Suite", "Data Warehouse Connector", "Premium Support", "Storage", "API Access",
        "Single Sign-On", "Mobile SDK", "Professional Services", "Training & Certification", "Compliance Pack",
        "Workflow Automation", "Reporting, Advanced", "Marketplace Listing", "Hardware Appliance", "Edge Gateway",
    ];

    public static string[] ProductDescriptions { get; } =
    [
        "Core subscription product.", "Add-on, billed with the base plan.", "Sold by the unit; see the rate card.",
        "Legacy product, kept for existing customers.", "Includes 24/7 \"follow-the-sun\" support.", "Usage-based; rated monthly in arrears.",
    ];

    public static string[] ProductCategories { get; } = ["Base Products", "Add On Services", "Miscellaneous Products"];

    public static string[] PlanNames { get; } =
    [
        "Starter", "Professional", "Enterprise", "Team (Monthly)", "Team (Annual)", "Enterprise, 3-Year Prepaid",
        "Free Trial", "Growth", "Scale", "Partner Edition", "Education", "Non-Profit",
    ];

    public static string[] PlanDescriptions { get; } =
    [
        "List price plan.", "Discounted for annual commitment.", "Includes onboarding.", "Grandfathered pricing; do not sell.",
        "Quote-only: contact sales.",
    ];

    public static string[] RecurringChargeNames { get; } =
    [
        "Platform Fee", "User License", "Premium Support", "Storage Add-on, per TB", "Additional Environment", "Seat Pack (10 seats)",
    ];

    public static string[] OneTimeChargeNames { get; } = ["Setup Fee", "Onboarding & Training", "Hardware, shipped", "Data Migration"];

    public static string[] UsageChargeNames { get; } = ["API Calls (per 1,000)", "Data Transfer (GB)", "SMS Messages", "Compute Hours"];

    public static string[] RecurringModels { get; } = ["Flat Fee Pricing", "Per Unit Pricing", "Per Unit Pricing", "Tiered Pricing", "Volume Pricing"];

    public static string[] OneTimeModels { get; } = ["Flat Fee Pricing", "Per Unit Pricing"];

    public static string[] UsageModels { get; } = ["Per Unit Pricing", "Tiered Pricing", "Overage Pricing", "Tiered with Overage Pricing"];

    public static string[] BillingPeriods { get; } = ["Month", "Month", "Month", "Quarter", "Annual", "Annual"];

    public static string[] UnitsOfMeasure { get; } = ["Each", "User", "Seat", "GB", "API Call", "Hour"];

    public static string[] Currencies { get; } = ["USD", "USD", "USD", "USD", "USD", "USD", "EUR", "EUR", "GBP", "CAD", "AUD", "CHF"];

    public static string[] PaymentTerms { get; } = ["Due Upon Receipt", "Net 15", "Net 30", "Net 30", "Net 30", "Net 45", "Net 60"];

    public static int[] PaymentTermDays { get; } = [0, 15, 30, 30, 30, 45, 60];

    public static string[] Batches { get; } = [.. Enumerable.Range(1, 20).Select(i => "Batch" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    public static string[] SubscriptionNotes { get; } =
    [
        "Co-termed with the parent subscription.", "Signed via DocuSign, see CRM.", "Ramp deal: price steps up in year 2.",
        "Customer asked to cancel at term end.",
    ];

    public static string[] DeclineReasons { get; } =
    [
        "Declined: insufficient funds", "Declined: card expired", "Do not honor", "Gateway timeout; retry scheduled", "Invalid account number",
    ];

    public static string[] PaymentMethods { get; } = ["CreditCard", "CreditCard", "CreditCard", "ACH", "BankTransfer", "PayPal"];

    public static string[] RefundReasons { get; } = ["Standard Refund", "Customer Satisfaction", "Chargeback", "Duplicate Payment", "Service Not Rendered"];

    public static string[] CreditMemoReasons { get; } = ["Correcting invoice error", "Goodwill", "Service Outage", "Write-off", "Price adjustment"];

    public static string[] InvoiceComments { get; } =
    [
        "Thank you for your business!", "Includes pro-rated charges for the upgrade.", "Reissued: replaces the invoice of last month.",
        "Please quote the invoice number, e.g. \"INV00001234\", with your remittance.",
    ];

    public static string[] PaymentComments { get; } =
    [
        "Paid by wire; remittance advice attached.", "Partial payment, balance to follow.", "Customer's card updated by the account updater.",
    ];

    public static string[] MemoComments { get; } =
    [
        "Credit for outage on the EU cluster.", "Agreed with the customer's CFO.", "Duplicate line, see INV ticket.",
        "Customer's \"loyalty\" credit, one-off.",
    ];

    /// <summary>Tax rates (0%, 5%, 8.25%, 19%, 20%) in basis points.</summary>
    public static int[] TaxRatesBasisPoints { get; } = [0, 0, 500, 825, 1900, 2000];

    private static string[] BuildCompanyNames()
    {
        var names = new List<string>(CompanyStems.Length * CompanySuffixes.Length + StandaloneCompanies.Length);
        foreach (var stem in CompanyStems)
        {
            foreach (var suffix in CompanySuffixes)
            {
                names.Add(stem + " " + suffix);
            }
        }

        names.AddRange(StandaloneCompanies);
        return [.. names];
    }
}
