using System.Text;
using Microsoft.Extensions.Time.Testing;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Staging;
using ServerlessSync.Sources.Synthetic;

namespace ServerlessSync.Sources.Tests.Synthetic;

/// <summary>Builders and readers for the synthetic tenant tests: one place for the test tenant's shape.</summary>
internal static class SyntheticTestTenant
{
    public const int Scale = 20_000;
    public const ulong Seed = 7;

    public static DateTimeOffset BaseStart { get; } = new(2026, 11, 26, 21, 0, 0, 250, TimeSpan.Zero);

    /// <summary>Foreign keys: (object, column) → parent object.</summary>
    public static IReadOnlyList<(string Child, string Column, string Parent)> ForeignKeys { get; } =
    [
        ("productrateplan", "productid", "product"),
        ("productrateplancharge", "productrateplanid", "productrateplan"),
        ("contact", "accountid", "account"),
        ("subscription", "accountid", "account"),
        ("rateplan", "subscriptionid", "subscription"),
        ("rateplan", "productrateplanid", "productrateplan"),
        ("rateplancharge", "rateplanid", "rateplan"),
        ("rateplancharge", "productrateplanchargeid", "productrateplancharge"),
        ("invoice", "accountid", "account"),
        ("invoiceitem", "invoiceid", "invoice"),
        ("invoiceitem", "rateplanchargeid", "rateplancharge"),
        ("invoiceitem", "subscriptionid", "subscription"),
        ("payment", "accountid", "account"),
        ("refund", "accountid", "account"),
        ("refund", "paymentid", "payment"),
        ("creditmemo", "accountid", "account"),
        ("creditmemo", "invoiceid", "invoice"),
    ];

    public static (SyntheticTenant Tenant, FakeTimeProvider BaseClock) Create(int scale = Scale, ulong seed = Seed)
    {
        var clock = new FakeTimeProvider(BaseStart);
        return (SyntheticTenant.CreateInMemory(scale, seed, clock), clock);
    }

    public static async Task<List<SourceRow>> ReadAsync(SyntheticTenant tenant, string objectName, SyncWindow window)
    {
        var schema = await tenant.Source.DescribeAsync(objectName, CancellationToken.None);
        var rows = new List<SourceRow>();
        await foreach (var row in tenant.Source.ReadAsync(schema, window, CancellationToken.None))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Every object's rows in the window, by object name.</summary>
    public static async Task<Dictionary<string, List<SourceRow>>> ReadAllAsync(SyntheticTenant tenant, SyncWindow window)
    {
        var all = new Dictionary<string, List<SourceRow>>(StringComparer.Ordinal);
        foreach (var name in tenant.Source.Objects)
        {
            all[name] = await ReadAsync(tenant, name, window);
        }

        return all;
    }

    /// <summary>The row exactly as it would be staged (scale, UTC microseconds and all), with its deleted flag.</summary>
    public static string Render(ObjectSchema schema, SourceRow row)
    {
        var line = new StringBuilder();
        for (var i = 0; i < schema.Columns.Count; i++)
        {
            CsvFormat.AppendValue(line, schema.Columns[i], row.Values[i], CsvFormat.LegacyNullMarker);
            line.Append(',');
        }

        return line.Append(row.Deleted ? "true" : "false").ToString();
    }

    public static string Id(SourceRow row) => (string)row.Values[0]!;

    public static DateTimeOffset Created(SourceRow row) => (DateTimeOffset)row.Values[1]!;

    public static DateTimeOffset Updated(SourceRow row) => (DateTimeOffset)row.Values[2]!;
}

/// <summary>A temporary directory for state files, removed at the end of the test.</summary>
internal sealed class SyntheticStateDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ssync-synthetic-" + Guid.NewGuid().ToString("N"));

    public string StateFile => System.IO.Path.Combine(Path, "tenant.json");

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
