using System.Runtime.CompilerServices;
using ServerlessSync.Core.Model;

namespace ServerlessSync.Sources.Synthetic;

/// <summary>
/// One object of the synthetic tenant: its columns and how a row's values follow from its state. Columns start
/// with <c>id</c>, <c>createddate</c>, <c>updateddate</c>; fields that never change are drawn from the row key,
/// fields that change with an update from the row key and version.
/// </summary>
internal abstract class SyntheticObject
{
    private const ulong SaltVersion = 0xD6E8FEB86659FD93UL;

    protected SyntheticObject(int ordinal, string name, int weight, bool deletable, ColumnSchema[] fields)
    {
        Ordinal = ordinal;
        Name = name;
        Weight = weight;
        Deletable = deletable;
        ColumnSchema[] columns =
        [
            new(ObjectSchema.PrimaryKey, ColumnType.String),
            new("createddate", ColumnType.Timestamp),
            new(ObjectSchema.CursorColumn, ColumnType.Timestamp),
            .. fields,
        ];
        Schema = new ObjectSchema(name, columns);
    }

    /// <summary>Position in <see cref="SyntheticCatalog.All"/> (dependency order).</summary>
    public int Ordinal { get; }

    public string Name { get; }

    /// <summary>Share of the tenant's scale, in parts of <see cref="TenantTimeline.WeightTotal"/>.</summary>
    public int Weight { get; }

    /// <summary>Whether rows are ever deleted: only objects no other object references.</summary>
    public bool Deletable { get; }

    public ObjectSchema Schema { get; }

    public int Width => Schema.Columns.Count;

    public void Fill(TenantTimeline tenant, ObjectLayout layout, in RowState row, object?[] values)
    {
        values[0] = Ids.Format(layout, row.Origin.Index);
        values[1] = Cells.Timestamp(row.Origin.CreatedSecond);
        values[2] = Cells.Timestamp(row.UpdatedSecond);
        FillFields(tenant, in row, values);
    }

    /// <summary>Writes values[3..] (the object's own fields).</summary>
    protected abstract void FillFields(TenantTimeline tenant, in RowState row, object?[] values);

    /// <summary>Draws for the fields that never change.</summary>
    protected static Draws Fixed(in RowState row) => new(row.Origin.Key);

    /// <summary>Draws for the fields an update changes: one stream per version.</summary>
    protected static Draws Versioned(in RowState row) =>
        new(Mixer.Mix(row.Origin.Key ^ ((ulong)(row.Version + 1) * SaltVersion)));

    protected static ColumnSchema Varchar(string name) => new(name, ColumnType.String);

    protected static ColumnSchema Bigint(string name) => new(name, ColumnType.Int64);

    protected static ColumnSchema Money(string name) => new(name, ColumnType.Decimal(18, 2));

    protected static ColumnSchema Quantity(string name) => new(name, ColumnType.Decimal(18, 6));

    protected static ColumnSchema Boolean(string name) => new(name, ColumnType.Boolean);

    protected static ColumnSchema Date(string name) => new(name, ColumnType.Date);

    protected static ColumnSchema Timestamp(string name) => new(name, ColumnType.Timestamp);
}

/// <summary>The objects in dependency order (parents first); an ordinal is an index into <see cref="All"/>.</summary>
internal static class SyntheticCatalog
{
    public const int Product = 0;
    public const int ProductRatePlan = 1;
    public const int ProductRatePlanCharge = 2;
    public const int Account = 3;
    public const int Contact = 4;
    public const int Subscription = 5;
    public const int RatePlan = 6;
    public const int RatePlanCharge = 7;
    public const int Invoice = 8;
    public const int InvoiceItem = 9;
    public const int Payment = 10;
    public const int Refund = 11;
    public const int CreditMemo = 12;

    // Weights sum to TenantTimeline.WeightTotal: a tiny catalogue, invoice items the largest share.
    public static IReadOnlyList<SyntheticObject> All { get; } =
    [
        new ProductObject(),
        new ProductRatePlanObject(),
        new ProductRatePlanChargeObject(),
        new AccountObject(),
        new ContactObject(),
        new SubscriptionObject(),
        new RatePlanObject(),
        new RatePlanChargeObject(),
        new InvoiceObject(),
        new InvoiceItemObject(),
        new PaymentObject(),
        new RefundObject(),
        new CreditMemoObject(),
    ];

    public static IReadOnlyList<string> Names { get; } = [.. All.Select(o => o.Name)];

    public static SyntheticObject? Find(string name)
    {
        foreach (var o in All)
        {
            if (string.Equals(o.Name, name, StringComparison.Ordinal))
            {
                return o;
            }
        }

        return null;
    }
}

/// <summary>Zuora-style ids: 32 lowercase hex digits, unique per object (the low half is a bijection of the row index).</summary>
internal static class Ids
{
    private const string HexDigits = "0123456789abcdef";

    public static string Format(ObjectLayout layout, long index)
    {
        var low = Mixer.Mix(layout.IdLowSalt + (ulong)index);
        var high = Mixer.Mix(low ^ layout.IdHighSalt);
        return string.Create(32, (high, low), static (span, halves) =>
        {
            var (h, l) = halves;
            for (var i = 15; i >= 0; i--)
            {
                span[i] = HexDigits[(int)(h & 0xF)];
                h >>= 4;
                span[i + 16] = HexDigits[(int)(l & 0xF)];
                l >>= 4;
            }
        });
    }
}

/// <summary>Boxed cell values of the types <see cref="SourceRow"/> carries, cached where they repeat.</summary>
internal static class Cells
{
    private static readonly object True = true;
    private static readonly object False = false;
    private static readonly object[] SmallLongs = CreateSmallLongs();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static object Bool(bool value) => value ? True : False;

    public static object Long(long value) => (ulong)value < (ulong)SmallLongs.Length ? SmallLongs[value] : value;

    /// <summary>A decimal of exactly <paramref name="scale"/> places: <paramref name="unscaled"/> / 10^scale.</summary>
    public static decimal Decimal(long unscaled, byte scale)
    {
        var negative = unscaled < 0;
        var magnitude = negative ? (ulong)(-unscaled) : (ulong)unscaled;
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, negative, scale);
    }

    /// <summary>An amount of money (scale 2) from cents.</summary>
    public static object Money(long cents) => Decimal(cents, 2);

    /// <summary>A quantity (scale 6) from millionths.</summary>
    public static object Quantity(long millionths) => Decimal(millionths, 6);

    public static object Timestamp(long second) => new DateTimeOffset(second * TimeSpan.TicksPerSecond, TimeSpan.Zero);

    public static DateOnly Day(long second) => DateOnly.FromDayNumber((int)(second / TenantTimeline.SecondsPerDay));

    public static object Date(DateOnly date) => date;

    private static object[] CreateSmallLongs()
    {
        var values = new object[128];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (long)i;
        }

        return values;
    }
}

/// <summary>Allocation-lean text building for the hot path (no string.Format).</summary>
internal static class Text
{
    private const string Alphanumerics = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary><paramref name="prefix"/> then <paramref name="number"/> zero-padded to <paramref name="width"/> digits (more if needed).</summary>
    public static string Numbered(string prefix, long number, int width)
    {
        var digits = 1;
        for (var n = number; n >= 10; n /= 10)
        {
            digits++;
        }

        digits = Math.Max(digits, width);
        return string.Create(prefix.Length + digits, (prefix, number), static (span, state) =>
        {
            state.prefix.AsSpan().CopyTo(span);
            var n = state.number;
            for (var i = span.Length - 1; i >= state.prefix.Length; i--)
            {
                span[i] = (char)('0' + (n % 10));
                n /= 10;
            }
        });
    }

    /// <summary><paramref name="prefix"/> then <paramref name="length"/> characters of [0-9A-Za-z] from a hash.</summary>
    public static string Alphanumeric(string prefix, ulong hash, int length) =>
        string.Create(prefix.Length + length, (prefix, hash), static (span, state) =>
        {
            state.prefix.AsSpan().CopyTo(span);
            var h = state.hash;
            for (var i = state.prefix.Length; i < span.Length; i++)
            {
                if (h < 62)
                {
                    h = Mixer.Mix(h + Mixer.Golden + (ulong)i);
                }

                span[i] = Alphanumerics[(int)(h % 62)];
                h /= 62;
            }
        });

    /// <summary><paramref name="prefix"/> then <paramref name="length"/> lowercase hex digits from a hash (length ≤ 16).</summary>
    public static string Hex(string prefix, ulong hash, int length) =>
        string.Create(prefix.Length + length, (prefix, hash), static (span, state) =>
        {
            state.prefix.AsSpan().CopyTo(span);
            var h = state.hash;
            for (var i = span.Length - 1; i >= state.prefix.Length; i--)
            {
                span[i] = "0123456789abcdef"[(int)(h & 0xF)];
                h >>= 4;
            }
        });
}
