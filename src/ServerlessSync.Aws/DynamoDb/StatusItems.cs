using System.Globalization;
using System.Text;
using Amazon.DynamoDBv2.Model;
using ServerlessSync.Core.Model;

namespace ServerlessSync.Aws.DynamoDb;

/// <summary>
/// The keys of the status table's items (all of a connector's items share one partition) and the
/// conversions between model values and attribute values. The layout is documented in
/// <c>docs/dynamodb-status-table.md</c>.
/// </summary>
internal static class StatusKeys
{
    public const string PartitionKey = "pk";
    public const string SortKey = "sk";

    public const string ConnectorSort = "CONNECTOR";
    public const string ObjectPrefix = "OBJECT#";
    public const string RunPrefix = "RUN#";
    public const string RunLocatorPrefix = "RUNID#";
    public const string LoadPrefix = "LOAD#";

    /// <summary>The connector's run lock (no <c>#</c>: no prefix query of runs, locators or claims matches it).</summary>
    public const string RunLockSort = "RUNLOCK";

    /// <summary>The connector's latest destination checks (no <c>#</c>, like <see cref="RunLockSort"/>).</summary>
    public const string ChecksSort = "CHECKS";

    public static string Partition(string connectorId) => "CONNECTOR#" + connectorId;

    public static string Object(string objectName) => ObjectPrefix + objectName;

    /// <summary>
    /// <c>RUN#{startedAt UTC}#{runId}</c>: sorts by start instant, then by run id. In the run id <c>%</c> and <c>#</c>
    /// are written <c>%25</c> and <c>%23</c>, so a run's key has no <c>#</c> after the time and never equals an object
    /// record's key (<c>RUN#…#{runId}#OBJECT#{name}</c>) of another run.
    /// </summary>
    public static string Run(DateTimeOffset startedAt, string runId) =>
        RunPrefix + StatusValues.FormatTime(startedAt) + "#" + runId.Replace("%", "%25", StringComparison.Ordinal).Replace("#", "%23", StringComparison.Ordinal);

    /// <summary>Right after its run's item in sort order (it extends the run's sort key).</summary>
    public static string ObjectRun(string runSortKey, string objectName) => runSortKey + "#OBJECT#" + objectName;

    public static string RunLocator(string runId) => RunLocatorPrefix + runId;

    public static string Load(string loadId) => LoadPrefix + loadId;

    public static Dictionary<string, AttributeValue> Key(string connectorId, string sortKey) => new(StringComparer.Ordinal)
    {
        [PartitionKey] = new AttributeValue { S = Partition(connectorId) },
        [SortKey] = new AttributeValue { S = sortKey },
    };
}

/// <summary>The values of the <c>type</c> attribute, one per kind of item.</summary>
internal static class ItemTypes
{
    public const string Connector = "CONNECTOR";
    public const string Object = "OBJECT";
    public const string Run = "RUN";
    public const string ObjectRun = "OBJECT_RUN";
    public const string RunLocator = "RUN_LOCATOR";
    public const string Load = "LOAD";
    public const string RunLock = "RUN_LOCK";
    public const string Checks = "CHECKS";
}

/// <summary>
/// Model values as attribute values and back. Timestamps are UTC text with seven fractional digits
/// (<c>2025-03-01T09:15:30.1234567Z</c>): the exact instant to the tick, equal text for equal instants, and
/// lexicographic order is time order. Numbers are invariant-culture text in <c>N</c>; absent values are
/// absent attributes.
/// </summary>
internal static class StatusValues
{
    private const string TimeFormat = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff'Z'";
    private const string TruncationMarker = "… [truncated]";

    public static string FormatTime(DateTimeOffset value) => value.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static AttributeValue String(string value) => new() { S = value };

    public static AttributeValue Number(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    public static AttributeValue Time(DateTimeOffset value) => String(FormatTime(value));

    public static AttributeValue Bool(bool value) => new() { BOOL = value };

    /// <summary>A list, not a string set: it keeps order and duplicates and may be empty.</summary>
    public static AttributeValue StringList(IEnumerable<string> values) => new() { L = [.. values.Select(String)], IsLSet = true };

    public static void Put(Dictionary<string, AttributeValue> item, string name, string? value)
    {
        if (value is not null)
        {
            item[name] = String(value);
        }
    }

    public static void Put(Dictionary<string, AttributeValue> item, string name, DateTimeOffset? value)
    {
        if (value is { } v)
        {
            item[name] = Time(v);
        }
    }

    public static string RequiredString(Dictionary<string, AttributeValue> item, string name) =>
        OptionalString(item, name) ?? throw Missing(item, name);

    public static string? OptionalString(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) ? value.S : null;

    public static long RequiredNumber(Dictionary<string, AttributeValue> item, string name) =>
        OptionalNumber(item, name) ?? throw Missing(item, name);

    public static long? OptionalNumber(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) && value.N is { } n ? long.Parse(n, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : null;

    public static DateTimeOffset RequiredTime(Dictionary<string, AttributeValue> item, string name) => ParseTime(RequiredString(item, name));

    public static DateTimeOffset? OptionalTime(Dictionary<string, AttributeValue> item, string name) =>
        OptionalString(item, name) is { } text ? ParseTime(text) : null;

    public static bool OptionalBool(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) && value.BOOL == true;

    public static TEnum RequiredEnum<TEnum>(Dictionary<string, AttributeValue> item, string name)
        where TEnum : struct, Enum => WireText.Parse<TEnum>(RequiredString(item, name));

    public static List<string> StringListOrEmpty(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) && value.L is { } list ? [.. list.Select(v => v.S ?? throw Missing(item, name))] : [];

    /// <summary>
    /// The text cut to at most <paramref name="maxBytes"/> UTF-8 bytes, marker included, never inside a
    /// character; unchanged when it fits.
    /// </summary>
    public static string? Truncate(string? text, int maxBytes)
    {
        if (text is null || Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return text;
        }

        var budget = maxBytes - Encoding.UTF8.GetByteCount(TruncationMarker);
        var bytes = 0;
        var chars = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > budget)
            {
                break;
            }

            bytes += rune.Utf8SequenceLength;
            chars += rune.Utf16SequenceLength;
        }

        return string.Concat(text.AsSpan(0, chars), TruncationMarker);
    }

    private static InvalidDataException Missing(Dictionary<string, AttributeValue> item, string name) =>
        new($"status item {OptionalString(item, StatusKeys.PartitionKey)} / {OptionalString(item, StatusKeys.SortKey)} lacks a valid '{name}' attribute");
}
