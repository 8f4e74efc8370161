namespace ServerlessSync.Zuora;

/// <summary>
/// One Zuora object the source extracts: <see cref="Name"/> is ours (lowercase), <see cref="ApiName"/> Zuora's
/// (ZOQL and describe). <see cref="ReportsDeletes"/> says whether an incremental read asks Data Query for the
/// object's deleted records: every object here does, since Zuora documents deleted-record exports as unsupported only for
/// objects this catalog does not hold (PaymentTransactionLog, RefundTransactionLog, AccountingCode, AccountingPeriod,
/// Processed Usage; docs/zuora-wire.md). Not verified on a tenant; a periodic full re-sync would still remove what an
/// incremental read missed.
/// </summary>
public sealed record ZuoraObject(string Name, string ApiName, bool ReportsDeletes);

/// <summary>The objects the <c>zuora</c> source knows, parents first.</summary>
public static class ZuoraCatalog
{
    public static IReadOnlyList<ZuoraObject> All { get; } =
    [
        new("product", "Product", true),
        new("productrateplan", "ProductRatePlan", true),
        new("productrateplancharge", "ProductRatePlanCharge", true),
        new("account", "Account", true),
        new("contact", "Contact", true),
        new("paymentmethod", "PaymentMethod", true),
        new("subscription", "Subscription", true),
        new("rateplan", "RatePlan", true),
        new("rateplancharge", "RatePlanCharge", true),
        new("amendment", "Amendment", true),
        new("invoice", "Invoice", true),
        new("invoiceitem", "InvoiceItem", true),
        new("payment", "Payment", true),
        new("refund", "Refund", true),
        new("creditmemo", "CreditMemo", true),
        new("debitmemo", "DebitMemo", true),
        new("usage", "Usage", true),
    ];

    internal static IReadOnlyList<string> Names { get; } = [.. All.Select(o => o.Name)];

    /// <summary>The object named <paramref name="name"/> (ours, case-sensitive), or null.</summary>
    public static ZuoraObject? Find(string name) => All.FirstOrDefault(o => string.Equals(o.Name, name, StringComparison.Ordinal));
}
