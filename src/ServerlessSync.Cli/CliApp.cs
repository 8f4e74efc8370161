using System.CommandLine;
using System.Globalization;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Pipeline;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Status;

namespace ServerlessSync.Cli;

/// <summary>
/// The command line: <c>sync</c>, <c>status</c>, <c>verify</c>, <c>doctor</c>, <c>tenant advance</c>. Exit codes: 0 done;
/// 1 the work ran and failed (a failed run, a verify difference); 2 the request itself is wrong (usage,
/// configuration, unknown object). Every failure prints one line on stderr.
/// </summary>
internal static class CliApp
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadUsage = 2;

    /// <summary>Runs one command; <paramref name="environment"/> is where the Zuora settings' environment variables are read (null = the process's).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TimeProvider systemClock, bool interactive, CancellationToken cancellationToken = default, Func<string, string?>? environment = null)
    {
        var home = new Option<string>("--home") { Description = "State directory: warehouse, status, staging and tenant files", DefaultValueFactory = _ => EmbeddedSettings.DefaultHome, Recursive = true };
        var source = new Option<string>("--source") { Description = "Where data comes from: 'synthetic' (a seeded demo tenant), 'files:DIR' (JSON Lines exports) or 'zuora' (a Zuora tenant through its REST API)", DefaultValueFactory = _ => EmbeddedSettings.SyntheticSource, Recursive = true };
        var destination = new Option<string?>("--destination") { Description = "DuckDB warehouse file [default: HOME/warehouse.duckdb]", Recursive = true };
        var schema = new Option<string>("--schema") { Description = "Destination schema", DefaultValueFactory = _ => "zuora", Recursive = true };
        var objects = new Option<string?>("--objects") { Description = "Comma-separated objects to sync, e.g. account,invoice [default: the connector's selection, or all]", Recursive = true };
        var scale = new Option<int?>("--scale") { Description = "Synthetic tenant size in rows, fixed when the tenant is created [default: 100000]", Recursive = true };
        var connector = new Option<string>("--connector") { Description = "Connector id", DefaultValueFactory = _ => SyncOptions.DefaultConnectorId, Recursive = true };
        var lookback = new Option<int>("--lookback-minutes") { Description = "How far before the cursor incremental windows start", DefaultValueFactory = _ => 5 };
        var partSize = new Option<int>("--part-size-mb") { Description = "Close a staged part at about this many compressed MiB", DefaultValueFactory = _ => 64 };
        var fullResync = new Option<string?>("--full-resync") { Description = "Read objects whole again every so many days, to catch changes and deletes incremental reads miss: OBJECT=DAYS[,OBJECT=DAYS...], '*' for every selected object, e.g. invoice=7,*=30" };
        var keepStaged = new Option<bool>("--keep-staged") { Description = "Keep staged parts and manifests after a committed load (to inspect them)" };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text" };
        var zuoraEnv = new Option<string?>("--zuora-env") { Description = $"Zuora environment ({string.Join(", ", Zuora.ZuoraEnvironments.Known.Keys)}) or the tenant's REST base URL [default: ${ZuoraConnection.EnvironmentVariable}]", Recursive = true };
        var zuoraCredentials = new Option<string?>("--zuora-credentials") { Description = "JSON file with the OAuth client's clientId and clientSecret [default: ZUORA_CLIENT_ID and ZUORA_CLIENT_SECRET]", Recursive = true };
        var zuoraEntityIds = new Option<string?>("--zuora-entity-ids") { Description = $"For a multi-entity tenant: the entity to work in, sent as Zuora-Entity-Ids [default: ${Zuora.ZuoraCredentials.EntityIdsVariable}, or entityIds in the credentials file]", Recursive = true };
        var zuoraPollSeconds = new Option<int>("--zuora-poll-seconds") { Description = "First wait between a Zuora job's status polls (1..300 s); later waits grow up to a minute", DefaultValueFactory = _ => 2, Recursive = true };
        var days = new Option<int>("--days") { Description = "How many days the tenant's clock moves", DefaultValueFactory = _ => 1 };

        // Options of `sync` alone (part size, lookback) keep their defaults for the other commands.
        EmbeddedSettings Settings(ParseResult r, bool forSync = false) => new()
        {
            Home = r.GetValue(home)!,
            Source = r.GetValue(source)!,
            DestinationPath = r.GetValue(destination),
            DestinationSchema = r.GetValue(schema)!,
            Scale = r.GetValue(scale),
            ZuoraEnvironment = r.GetValue(zuoraEnv),
            ZuoraCredentialsFile = r.GetValue(zuoraCredentials),
            ZuoraEntityIds = r.GetValue(zuoraEntityIds),
            ZuoraPollSeconds = r.GetValue(zuoraPollSeconds),
            EnvironmentVariable = environment ?? Environment.GetEnvironmentVariable,
            PartSizeBytes = forSync ? (long)r.GetValue(partSize) * 1024 * 1024 : new EmbeddedSettings().PartSizeBytes,
            Sync = new SyncOptions
            {
                ConnectorId = r.GetValue(connector)!,
                Lookback = forSync ? TimeSpan.FromMinutes(r.GetValue(lookback)) : new SyncOptions().Lookback,
                Objects = r.GetValue(objects)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(o => o.ToLowerInvariant()).ToList(),
                FullResyncEvery = forSync ? FullResyncOption(r.GetValue(fullResync)) : null,
            },
        };

        var sync = new Command("sync", "Sync the source into the warehouse: historical the first time, then only what changed") { lookback, partSize, fullResync, keepStaged };
        sync.SetAction((r, ct) => GuardAsync(error, async () =>
        {
            await using var embedded = EmbeddedConnector.Open(Settings(r, forSync: true), systemClock, error);
            using var syncLock = embedded.AcquireSyncLock();
            if (await embedded.CloseAbandonedRunAsync(ct) is { } abandoned)
            {
                await error.WriteLineAsync($"warning: run {abandoned.RunId} was left running by a process that ended; marked FAILED (its staged files and cursors are as it left them)");
            }

            var reporter = new SyncReporter(output, interactive);
            var runner = embedded.Pipeline.CreateRunner(r.GetValue(keepStaged));
            reporter.Header(embedded);
            var run = await runner.RunAsync(embedded.Settings.Sync, reporter, ct);
            var state = await embedded.Status.GetConnectorAsync(run.ConnectorId, ct);
            reporter.Summary(run, state);
            foreach (var leftover in runner.CleanupFailures)
            {
                await error.WriteLineAsync($"warning: staged files not deleted after a committed load: {leftover}");
            }

            if (run.Status != RunStatus.Succeeded)
            {
                await error.WriteLineAsync($"sync failed: {OneLine(run.Error)}");
                return Failed;
            }

            return Ok;
        }));

        var status = new Command("status", "Show the connector: status, objects with cursors and totals, recent runs") { json };
        status.SetAction((r, ct) => GuardAsync(error, async () =>
        {
            await using var embedded = EmbeddedConnector.Open(Settings(r), systemClock);
            var connectorId = embedded.Settings.Sync.ConnectorId;
            var state = await embedded.Status.GetConnectorAsync(connectorId, ct)
                ?? throw new UsageException($"connector '{connectorId}' has not synced yet in {embedded.Settings.HomePath}; run 'sync' first");
            if (r.GetValue(json))
            {
                // The status API's documents: the connector and, in detail, its recent runs.
                var document = await new StatusQueries(embedded.Status).GetStatusAsync(connectorId, StatusPrinter.RecentRuns, ct);
                await output.WriteLineAsync(StatusJsonContext.Indented(document!, StatusJsonContext.Default.ConnectorStatusView));
            }
            else
            {
                var view = new StatusView(state, await embedded.Status.GetObjectsAsync(connectorId, ct), await embedded.Status.ListRunsAsync(connectorId, StatusPrinter.RecentRuns, ct));
                StatusPrinter.Print(output, view, embedded.Clock.GetUtcNow());
            }

            return Ok;
        }));

        var verify = new Command("verify", "Prove the warehouse equals the source: live row counts and checksums per object");
        verify.SetAction((r, ct) => GuardAsync(error, async () =>
        {
            await using var embedded = EmbeddedConnector.Open(Settings(r), systemClock);
            var connectorId = embedded.Settings.Sync.ConnectorId;
            var connector = await embedded.ConnectorOfThisSourceAsync(ct);
            var selected = embedded.Settings.Sync.Objects
                ?? connector?.SelectedObjects
                ?? throw new UsageException($"connector '{connectorId}' has not synced yet; run 'sync' first or name --objects");
            var results = await embedded.CreateVerifier().VerifyAsync(selected, ct);
            foreach (var v in results)
            {
                await output.WriteLineAsync(v.Matches
                    ? $"  ok        {v.ObjectName,-24} {v.SourceRows,12:N0} rows  checksum {v.SourceChecksum}"
                    : $"  DIFFERENT {v.ObjectName,-24} {v.Problem}");
            }

            var bad = results.Where(v => !v.Matches).ToList();
            if (bad.Count > 0)
            {
                await error.WriteLineAsync($"verify failed: {bad.Count} of {results.Count} objects differ ({string.Join(", ", bad.Select(b => b.ObjectName))})");
                return Failed;
            }

            await output.WriteLineAsync($"verified: {results.Count} objects, {results.Sum(v => v.SourceRows):N0} live rows, warehouse equals source");
            return Ok;
        }));

        var doctor = new Command("doctor", "Check that the source can be read before syncing: for Zuora, the credentials and each selected object");
        doctor.SetAction((r, ct) => GuardAsync(error, async () =>
        {
            await using var embedded = EmbeddedConnector.Open(Settings(r), systemClock, error);
            var connector = await embedded.ConnectorOfThisSourceAsync(ct);
            var selected = embedded.Settings.Sync.Objects
                ?? connector?.SelectedObjects
                ?? embedded.Source.Objects;
            var checks = await SourceDoctor.CheckAsync(embedded.Source, selected, ct);
            foreach (var check in checks)
            {
                await output.WriteLineAsync($"  {(check.Passed ? "ok  " : "FAIL")}  {check.Subject,-24} {check.Message}");
            }

            var failed = checks.Count(c => !c.Passed);
            if (failed > 0)
            {
                await error.WriteLineAsync($"doctor: {failed} of {checks.Count} checks failed");
                return Failed;
            }

            await output.WriteLineAsync($"doctor: {embedded.Source.Name} source ready, {checks.Count} checks passed");
            return Ok;
        }));

        var advance = new Command("advance", "Move the synthetic tenant's clock: new, updated and deleted records appear") { days };
        advance.SetAction((r, ct) => GuardAsync(error, async () =>
        {
            var settings = Settings(r);
            if (!settings.IsSynthetic)
            {
                throw new UsageException("tenant advance works on the synthetic source only");
            }

            if (r.GetValue(days) is < 1 or > 3650)
            {
                throw new UsageException($"--days {r.GetValue(days)} must be between 1 and 3650");
            }

            await using var embedded = EmbeddedConnector.Open(settings, systemClock);
            var before = embedded.Clock.GetUtcNow();
            embedded.Tenant!.Advance(TimeSpan.FromDays(r.GetValue(days)));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"tenant clock moved from {before:u} to {embedded.Clock.GetUtcNow():u}; new, updated and deleted records are waiting for the next sync"));
            return Ok;
        }));
        var tenant = new Command("tenant", "Work with the synthetic demo tenant") { advance };

        var root = new RootCommand("ServerlessSync: keeps a billing tenant's data (Zuora objects) in sync with a warehouse. On one machine: a synthetic tenant, JSON Lines exports or a Zuora tenant into an embedded DuckDB file.")
        {
            home, source, destination, schema, objects, scale, connector, zuoraEnv, zuoraCredentials, zuoraEntityIds, zuoraPollSeconds, sync, status, verify, doctor, tenant,
        };

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            await error.WriteLineAsync($"usage: {parsed.Errors[0].Message} (see --help)");
            return BadUsage;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }

    private static IReadOnlyDictionary<string, TimeSpan>? FullResyncOption(string? text)
    {
        try
        {
            return text is null ? null : FullResyncSchedule.Parse(text);
        }
        catch (FormatException e)
        {
            throw new UsageException($"--full-resync: {e.Message}");
        }
    }

    private static async Task<int> GuardAsync(TextWriter error, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is UsageException or UnknownObjectException or SourceDataException or ConnectorSourceMismatchException)
        {
            await error.WriteLineAsync($"error: {OneLine(e.Message)}");
            return e is SourceDataException ? Failed : BadUsage;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("cancelled");
            return Failed;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or SchemaChangeException or FormatException or InvalidOperationException or UnauthorizedAccessException
            or Zuora.ZuoraApiException or HttpRequestException)
        {
            await error.WriteLineAsync($"error: {OneLine(e.Message)}");
            return Failed;
        }
    }

    internal static string OneLine(string? text) =>
        string.Join(' ', (text ?? "unknown error").Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
