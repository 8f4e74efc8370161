using DuckDB.NET.Data;
using ServerlessSync.Testing;
using ServerlessSync.Testing.Zuora;

namespace ServerlessSync.Cli.Tests;

/// <summary>
/// <c>sync --source zuora</c> and <c>doctor --source zuora</c> as a user runs them, against the fake Zuora, on a
/// clock whose waits (polls, backoff) pass at once.
/// </summary>
public sealed class ZuoraSourceTests : IAsyncLifetime, IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private readonly string _home = Path.Combine(Path.GetTempPath(), "ssync-cli-zuora-" + Guid.NewGuid().ToString("N"));
    private readonly ImmediateTimeProvider _clock = new(T0);
    private readonly FakeZuoraTenant _tenant = FakeZuoraTenant.CreateSample(8, seed: 5, now: T0.AddMinutes(-1));
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal)
    {
        ["ZUORA_CLIENT_ID"] = "test-client",
        ["ZUORA_CLIENT_SECRET"] = "test-secret",
    };

    private FakeZuora _fake = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeZuora.StartAsync(_tenant, new FakeZuoraOptions { TimeProvider = _clock });
    }

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    public void Dispose()
    {
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }

    [Fact]
    public async Task Sync_ZuoraSource_HistoricalThenIncrementalWithUpdatesAndDeletes()
    {
        var first = await RunAsync("sync", "--source", "zuora", "--zuora-env", _fake.Url.ToString(), "--objects", "account,invoice");

        Assert.True(first.ExitCode == CliApp.Ok, first.ToString());
        Assert.Contains("SUCCEEDED (historical)", first.Output, StringComparison.Ordinal);
        Assert.Equal(_tenant.Records("Account").Count, Scalar("SELECT count(*) FROM zuora.account WHERE NOT _deleted"));
        Assert.Equal(_tenant.Records("Invoice").Count, Scalar("SELECT count(*) FROM zuora.invoice WHERE NOT _deleted"));

        _clock.Advance(TimeSpan.FromHours(2));
        var changedAt = _clock.GetUtcNow().AddMinutes(-30);
        var accounts = _tenant.Records("Account");
        _tenant.Put("Account", accounts[0].Id, changedAt, new Dictionary<string, object?> { ["Name"] = "Renamed by the billing team" });
        _tenant.Delete("Account", accounts[1].Id, changedAt);

        var second = await RunAsync("sync", "--source", "zuora", "--zuora-env", _fake.Url.ToString(), "--objects", "account,invoice");

        Assert.True(second.ExitCode == CliApp.Ok, second.ToString());
        Assert.Contains("SUCCEEDED (incremental)", second.Output, StringComparison.Ordinal);
        Assert.Equal(1, Scalar($"SELECT count(*) FROM zuora.account WHERE id = '{accounts[0].Id}' AND name = 'Renamed by the billing team'"));
        Assert.Equal(1, Scalar($"SELECT count(*) FROM zuora.account WHERE id = '{accounts[1].Id}' AND _deleted"));
        Assert.Equal(_tenant.Records("Account").Count, Scalar("SELECT count(*) FROM zuora.account WHERE NOT _deleted"));
    }

    [Fact]
    public async Task Sync_OtherSourceOnAZuoraHome_RefusedInsteadOfMixingInTheDemoTenant()
    {
        var first = await RunAsync("sync", "--source", "zuora", "--zuora-env", _fake.Url.ToString(), "--objects", "account");
        Assert.True(first.ExitCode == CliApp.Ok, first.ToString());

        var second = await RunAsync("sync", "--source", "synthetic");

        Assert.Equal(CliApp.BadUsage, second.ExitCode);
        Assert.Contains("syncs the 'zuora' source, not 'synthetic'", second.Error, StringComparison.Ordinal);
        Assert.Equal(_tenant.Records("Account").Count, Scalar("SELECT count(*) FROM zuora.account"));
    }

    [Fact]
    public async Task Verify_AfterSync_EqualUntilAChangeZuoraDidNotDateIsFound()
    {
        string[] zuora = ["--source", "zuora", "--zuora-env", _fake.Url.ToString(), "--objects", "account,payment"];
        Assert.Equal(CliApp.Ok, (await RunAsync(["sync", .. zuora])).ExitCode);

        var equal = await RunAsync(["verify", .. zuora]);
        _tenant.SetFieldSilently("Payment", _tenant.Records("Payment")[0].Id, "Amount", 1234.5m);
        var different = await RunAsync(["verify", .. zuora]);

        Assert.True(equal.ExitCode == CliApp.Ok, equal.ToString());
        Assert.Contains("warehouse equals source", equal.Output, StringComparison.Ordinal);
        Assert.Equal(CliApp.Failed, different.ExitCode);
        Assert.Contains("DIFFERENT payment", different.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAndDoctor_OtherSourceOnAZuoraHome_RefusedNamingTheConnectorsSource()
    {
        Assert.Equal(CliApp.Ok, (await RunAsync("sync", "--source", "zuora", "--zuora-env", _fake.Url.ToString(), "--objects", "account")).ExitCode);

        var verify = await RunAsync("verify", "--source", "synthetic", "--objects", "account");
        var doctor = await RunAsync("doctor", "--source", "synthetic");

        Assert.Equal(CliApp.BadUsage, verify.ExitCode);
        Assert.Contains("syncs the 'zuora' source, not 'synthetic'", verify.Error, StringComparison.Ordinal);
        Assert.Equal(CliApp.BadUsage, doctor.ExitCode);
        Assert.Contains("syncs the 'zuora' source, not 'synthetic'", doctor.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ZuoraUnreachable_OneLineErrorNotAStackTrace()
    {
        Assert.Equal(CliApp.Ok, (await RunAsync("sync", "--source", "zuora", "--zuora-env", _fake.Url.ToString(), "--objects", "account")).ExitCode);

        var result = await RunAsync("verify", "--source", "zuora", "--zuora-env", "http://127.0.0.1:9/", "--zuora-poll-seconds", "1", "--objects", "account");

        Assert.Equal(CliApp.Failed, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains("cannot reach http://127.0.0.1:9", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_CredentialsFile_UsedInsteadOfTheEnvironment()
    {
        _environment.Clear();
        Directory.CreateDirectory(_home);
        var file = Path.Combine(_home, "zuora.json");
        await File.WriteAllTextAsync(file, """{"clientId": "test-client", "clientSecret": "test-secret"}""");

        var result = await RunAsync("sync", "--source", "zuora", "--zuora-env", _fake.Url.ToString(), "--zuora-credentials", file, "--objects", "product");

        Assert.True(result.ExitCode == CliApp.Ok, result.ToString());
        Assert.Equal(_tenant.Records("Product").Count, Scalar("SELECT count(*) FROM zuora.product"));
    }

    [Fact]
    public async Task Sync_NoCredentials_BadUsageNamingTheVariablesAndTheFileOption()
    {
        _environment.Clear();

        var result = await RunAsync("sync", "--source", "zuora", "--zuora-env", _fake.Url.ToString());

        Assert.Equal(CliApp.BadUsage, result.ExitCode);
        Assert.Contains("ZUORA_CLIENT_ID", result.Error, StringComparison.Ordinal);
        Assert.Contains("--zuora-credentials", result.Error, StringComparison.Ordinal);
        Assert.Empty(_fake.Requests);
    }

    [Fact]
    public async Task Sync_NoEnvironment_BadUsageListingTheEnvironments()
    {
        var result = await RunAsync("sync", "--source", "zuora");

        Assert.Equal(CliApp.BadUsage, result.ExitCode);
        Assert.Contains("--zuora-env", result.Error, StringComparison.Ordinal);
        Assert.Contains("us-sandbox", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("301")]
    public async Task Sync_PollSecondsOutOfRange_BadUsageNamingTheOptionBeforeAnyCall(string seconds)
    {
        var result = await RunAsync("sync", "--source", "zuora", "--zuora-env", _fake.Url.ToString(), "--zuora-poll-seconds", seconds);

        Assert.Equal(CliApp.BadUsage, result.ExitCode);
        Assert.Contains($"--zuora-poll-seconds {seconds} must be between 1 and 300", result.Error, StringComparison.Ordinal);
        Assert.Empty(_fake.Requests);
    }

    [Fact]
    public async Task Sync_ZuoraEnvVariable_UsedWhenTheOptionIsMissing()
    {
        _environment["ZUORA_ENV"] = _fake.Url.ToString();

        var result = await RunAsync("sync", "--source", "zuora", "--objects", "product");

        Assert.True(result.ExitCode == CliApp.Ok, result.ToString());
    }

    [Fact]
    public async Task Sync_FailedExportJob_ExitFailedWithZuorasMessageAndNothingLoaded()
    {
        _fake.FailNextAquaJob("Query timed out in the database", "Account", errorCode: "90011");

        var result = await RunAsync("sync", "--source", "zuora", "--zuora-env", _fake.Url.ToString(), "--objects", "account");

        Assert.Equal(CliApp.Failed, result.ExitCode);
        Assert.Contains("Query timed out in the database", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, Scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'account'"));
    }

    [Fact]
    public async Task Sync_MultiEntityTenant_EntityFromTheOptionOrTheEnvironmentGoesWithEveryCall()
    {
        await using var multiEntity = await FakeZuora.StartAsync(_tenant, new FakeZuoraOptions { TimeProvider = _clock, EntityId = "entity-7" });

        var withOption = await RunAsync("sync", "--source", "zuora", "--zuora-env", multiEntity.Url.ToString(), "--objects", "product", "--zuora-entity-ids", "entity-7");
        _environment["ZUORA_ENTITY_IDS"] = "entity-7";
        var fromEnvironment = await RunAsync("doctor", "--source", "zuora", "--zuora-env", multiEntity.Url.ToString(), "--objects", "product");

        Assert.True(withOption.ExitCode == CliApp.Ok, withOption.ToString());
        Assert.True(fromEnvironment.ExitCode == CliApp.Ok, fromEnvironment.ToString());
        Assert.All(multiEntity.Requests.Where(r => !r.Path.StartsWith("/dq-results/", StringComparison.Ordinal)), r => Assert.Equal("entity-7", r.EntityIds));
    }

    [Fact]
    public async Task Doctor_GoodConnection_EveryCheckPassesAndSaysWhatDeletesDo()
    {
        var result = await RunAsync("doctor", "--source", "zuora", "--zuora-env", _fake.Url.ToString(), "--objects", "account,invoiceitem");

        Assert.True(result.ExitCode == CliApp.Ok, result.ToString());
        Assert.Contains("ok    connection", result.Output, StringComparison.Ordinal);
        Assert.Contains("ok    account", result.Output, StringComparison.Ordinal);
        Assert.Contains("Data Query", result.Output, StringComparison.Ordinal);
        Assert.Contains("3 checks passed", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_ObjectTheUserMayNotExport_FailsThatObjectWithZuorasAnswer()
    {
        _tenant.Forbid("Invoice");

        var result = await RunAsync("doctor", "--source", "zuora", "--zuora-env", _fake.Url.ToString(), "--objects", "account,invoice");

        Assert.Equal(CliApp.Failed, result.ExitCode);
        Assert.Contains("ok    account", result.Output, StringComparison.Ordinal);
        var invoice = Assert.Single(result.Output.Split('\n'), l => l.Contains("FAIL  invoice", StringComparison.Ordinal));
        Assert.Contains("test export fails", invoice, StringComparison.Ordinal);
        Assert.Contains("90009", invoice, StringComparison.Ordinal);
        Assert.Contains("permission to read Invoice", invoice, StringComparison.Ordinal);
        Assert.Contains(_fake.SqlQueries, q => q.StartsWith("select id, updateddate from account", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Doctor_WrongSecret_FailsInWordsForTheAdminWithoutTheSecret()
    {
        _environment["ZUORA_CLIENT_SECRET"] = "not-the-secret-4711";

        var result = await RunAsync("doctor", "--source", "zuora", "--zuora-env", _fake.Url.ToString(), "--objects", "account");

        Assert.Equal(CliApp.Failed, result.ExitCode);
        Assert.Contains("FAIL  connection", result.Output, StringComparison.Ordinal);
        Assert.Contains("Manage Users", result.Output, StringComparison.Ordinal);
        Assert.Contains("2 checks failed", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-secret-4711", result.Output + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_ObjectMissingFromTheTenant_FailsThatObjectOnly()
    {
        var result = await RunAsync("doctor", "--source", "zuora", "--zuora-env", _fake.Url.ToString(), "--objects", "account,usage");

        Assert.Equal(CliApp.Failed, result.ExitCode);
        Assert.Contains("FAIL  usage", result.Output, StringComparison.Ordinal);
        Assert.Contains("ok    account", result.Output, StringComparison.Ordinal);
    }

    private async Task<CliResult> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync([.. args, "--home", _home], output, error, _clock, interactive: false, environment: name => _environment.GetValueOrDefault(name));
        return new CliResult(code, output.ToString(), error.ToString());
    }

    private long Scalar(string sql)
    {
        using var connection = new DuckDBConnection($"Data Source={Path.Combine(_home, "warehouse.duckdb")}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
