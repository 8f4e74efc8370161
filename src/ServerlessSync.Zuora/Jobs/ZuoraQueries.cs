using System.Globalization;
using System.Text.Json.Nodes;
using ServerlessSync.Core.Model;

namespace ServerlessSync.Zuora.Jobs;

/// <summary>The query texts and job request bodies the source sends (docs/zuora-wire.md, "AQuA" and "Data Query").</summary>
internal static class ZuoraQueries
{
    /// <summary>
    /// ZOQL for one window: <c>select F1, F2 from Object where UpdatedDate &gt;= 'start' and UpdatedDate &lt; 'end'</c>
    /// (only the <c>&lt;</c> condition for a historical window). Datetimes are ISO-8601 with <c>T</c>, milliseconds and
    /// an explicit offset (Zuora ignores a datetime with a space and exports everything).
    /// </summary>
    public static string Zoql(ZuoraObject zuoraObject, IReadOnlyList<string> fields, SyncWindow window) =>
        $"select {string.Join(", ", fields)} from {zuoraObject.ApiName} where {UpdatedDateIn(window, TimeSpan.TicksPerMillisecond, ZoqlTime)}";

    /// <summary>
    /// The ZOQL condition on <c>UpdatedDate</c> that covers <paramref name="window"/>: <c>&lt;</c> its end rounded up to
    /// <paramref name="unitTicks"/>, and for a window with a start <c>&gt;=</c> the start rounded down (a wider window only
    /// repeats rows), each written by <paramref name="format"/>.
    /// </summary>
    private static string UpdatedDateIn(SyncWindow window, long unitTicks, Func<DateTimeOffset, string> format)
    {
        var end = $"UpdatedDate < '{format(Ceiling(window.End, unitTicks))}'";
        return window.Start is { } start ? $"UpdatedDate >= '{format(Floor(start, unitTicks))}' and {end}" : end;
    }

    /// <summary>
    /// ZOQL for the query action that counts a window (<c>POST /v1/action/query</c>): <c>select Id from Object where
    /// UpdatedDate &lt; 'end'</c> (and <c>&gt;=</c> 'start' for a window with a start). Keywords lowercase (the action
    /// refuses others); datetimes in ZOQL's documented form, whole seconds with an offset: the start rounded down and the
    /// end up to the second, so the count covers at least the window (it only sizes slices).
    /// </summary>
    public static string CountZoql(ZuoraObject zuoraObject, SyncWindow window) =>
        $"select Id from {zuoraObject.ApiName} where {UpdatedDateIn(window, TimeSpan.TicksPerSecond, ZoqlSecondsTime)}";

    /// <summary>The fewest records the query action returns (<c>conf.batchSize</c>, 1 to 2,000): a count needs only its <c>size</c>.</summary>
    public const int CountBatchSize = 1;

    /// <summary>The query action's request: <c>{"queryString": zoql, "conf": {"batchSize": n}}</c>.</summary>
    public static string ActionQuery(string zoql, int batchSize) => new JsonObject
    {
        ["queryString"] = zoql,
        ["conf"] = new JsonObject { ["batchSize"] = batchSize },
    }.ToJsonString();

    /// <summary><c>2026-11-01T00:00:00+00:00</c>, in UTC.</summary>
    private static string ZoqlSecondsTime(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>Data Query SQL for the deleted records of an incremental window (only <c>id</c> and <c>updateddate</c>).</summary>
    public static string DeletedSql(ZuoraObject zuoraObject, SyncWindow window)
    {
        var start = window.Start ?? throw new ArgumentException("deleted records are read for incremental windows only", nameof(window));
        return $"select id, updateddate from {zuoraObject.Name} where updateddate >= timestamp '{SqlTime(Floor(start))}' and updateddate < timestamp '{SqlTime(Ceiling(window.End))}'";
    }

    /// <summary><c>2026-11-01T00:00:00.000+00:00</c>, in UTC.</summary>
    public static string ZoqlTime(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    /// <summary><c>2026-11-01 00:00:00.000 +00:00</c>, in UTC.</summary>
    public static string SqlTime(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.fff zzz", CultureInfo.InvariantCulture);

    /// <summary>Zuora's limit on an AQuA job's name ("The name of the job. 32 character limit.").</summary>
    public const int MaxJobNameLength = 32;

    /// <summary>The AQuA stateless job with one ZOQL export query, named <c>ssync {object}</c> within 32 characters.</summary>
    public static string AquaJob(ZuoraObject zuoraObject, string zoql) => new JsonObject
    {
        ["format"] = "csv",
        ["version"] = "1.0",
        ["name"] = JobName(zuoraObject),
        ["encrypted"] = "none",
        ["useQueryLabels"] = "true",
        ["dateTimeUtc"] = "true",
        ["queries"] = new JsonArray(new JsonObject
        {
            ["name"] = zuoraObject.ApiName,
            ["query"] = zoql,
            ["type"] = "zoqlexport",
        }),
    }.ToJsonString();

    /// <summary><c>ssync productrateplancharge</c>: the job's name as Zuora's UI lists it, cut to <see cref="MaxJobNameLength"/>.</summary>
    public static string JobName(ZuoraObject zuoraObject)
    {
        var name = $"ssync {zuoraObject.Name}";
        return name.Length <= MaxJobNameLength ? name : name[..MaxJobNameLength];
    }

    /// <summary>The Data Query job that returns only deleted records, gzip-compressed CSV.</summary>
    public static string DataQueryJob(string sql) => new JsonObject
    {
        ["query"] = sql,
        ["outputFormat"] = "CSV",
        ["compression"] = "GZIP",
        ["output"] = new JsonObject { ["target"] = "S3" },
        ["readDeleted"] = true,
    }.ToJsonString();

    /// <summary>The start rounded down to the millisecond: the query text has milliseconds, and a wider window only repeats rows.</summary>
    public static DateTimeOffset Floor(DateTimeOffset time) => Floor(time, TimeSpan.TicksPerMillisecond);

    /// <summary>The end rounded up to the millisecond, so no row before the true end falls out.</summary>
    public static DateTimeOffset Ceiling(DateTimeOffset time) => Ceiling(time, TimeSpan.TicksPerMillisecond);

    private static DateTimeOffset Floor(DateTimeOffset time, long unitTicks) => new(time.UtcTicks - (time.UtcTicks % unitTicks), TimeSpan.Zero);

    private static DateTimeOffset Ceiling(DateTimeOffset time, long unitTicks)
    {
        var rest = time.UtcTicks % unitTicks;
        return new DateTimeOffset(time.UtcTicks + (rest == 0 ? 0 : unitTicks - rest), TimeSpan.Zero);
    }
}
