using System.CommandLine;
using System.Globalization;
using Amazon.Runtime;
using ServerlessSync.Aws.Doctor;
using ServerlessSync.Cli.Serve;
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
internal static partial class CliApp
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadUsage = 2;

    /// <summary>Stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    /// <summary>
    /// Runs one command; <paramref name="environment"/> is where the Zuora and Redshift settings' environment variables are
    /// read (null = the process's); <paramref name="awsCredentials"/> signs the destination checks (null = the SDK's standard chain).
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TimeProvider systemClock, bool interactive, CancellationToken cancellationToken = default, Func<string, string?>? environment = null, AWSCredentials? awsCredentials = null, Func<ISource, ISource>? wrapSource = null)
    {
        var home = new Option<string>("--home") { Description = "State directory: warehouse, status, staging and tenant files", DefaultValueFactory = _ => EmbeddedSettings.DefaultHome, Recursive = true };
        var source = new Option<string>("--source") { Description = "Where data comes from: 'synthetic' (a seeded demo tenant), 'files:DIR' (JSON Lines exports) or 'zuora' (a Zuora tenant through its REST API)", DefaultValueFactory = _ => EmbeddedSettings.SyntheticSource };
        var destination = new Option<string?>("--destination") { Description = "DuckDB warehouse file [default: HOME/warehouse.duckdb]; for doctor, 'redshift' checks the Redshift destination" };
        var schema = new Option<string>("--schema") { Description = "Destination schema", DefaultValueFactory = _ => "zuora" };
        var objects = new Option<string?>("--objects") { Description = "Comma-separated objects to sync, e.g. account,invoice, or 'all' [default: the connector's selection, or all]" };
        var scale = new Option<int?>("--scale") { Description = "Synthetic tenant size in rows, fixed when the tenant is created [default: 100000]" };
        var connector = new Option<string>("--connector") { Description = "Connector id", DefaultValueFactory = _ => SyncOptions.DefaultConnectorId };
        var lookback = new Option<int>("--lookback-minutes") { Description = "How far before the cursor incremental windows start", DefaultValueFactory = _ => 5 };
        var partSize = new Option<int>("--part-size-mb") { Description = "Close a staged part at about this many compressed MiB", DefaultValueFactory = _ => 64 };
        var fullResync = new Option<string?>("--full-resync") { Description = "Read objects whole again every so many days, to catch changes and deletes incremental reads miss: OBJECT=DAYS[,OBJECT=DAYS...], '*' for every selected object, e.g. invoice=7,*=30" };
        var keepStaged = new Option<bool>("--keep-staged") { Description = "Keep staged parts and manifests after a committed load (to inspect them)" };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text" };
        var zuoraEnv = new Option<string?>("--zuora-env") { Description = $"Zuora environment ({string.Join(", ", Zuora.ZuoraEnvironments.Known.Keys)}) or the tenant's REST base URL [default: ${ZuoraConnection.EnvironmentVariable}]" };
        var zuoraCredentials = new Option<string?>("--zuora-credentials") { Description = "JSON file with the OAuth client's clientId and clientSecret [default: ZUORA_CLIENT_ID and ZUORA_CLIENT_SECRET]" };
        var zuoraEntityIds = new Option<string?>("--zuora-entity-ids") { Description = $"For a multi-entity tenant: the entity to work in, sent as Zuora-Entity-Ids [default: ${Zuora.ZuoraCredentials.EntityIdsVariable}, or entityIds in the credentials file]" };
        var zuoraPollSeconds = new Option<int>("--zuora-poll-seconds") { Description = "First wait between a Zuora job's status polls (1..300 s); later waits grow up to a minute", DefaultValueFactory = _ => 2 };
        var days = new Option<int>("--days") { Description = "How many days the tenant's clock moves", DefaultValueFactory = _ => 1 };

        string HomeOf(ParseResult r) => Path.GetFullPath(r.GetValue(home)!);

        // A command's settings: an option given on the command line; else what the connector's last sync saved; else the
        // option's default (for an option the command has) or the embedded default.
        EmbeddedSettings Settings(ParseResult r)
        {
            var defaults = new EmbeddedSettings();
            var has = r.CommandResult.Command.Options;
            T Get<T>(Option<T> option, T fallback) => has.Contains(option) ? r.GetValue(option)! : fallback;
            bool Given(Option option) => has.Contains(option) && r.GetResult(option) is { Implicit: false };
            T Remembered<T>(Option<T> option, T? saved, T fallback)
                where T : class? => Given(option) ? r.GetValue(option)! : saved ?? Get(option, fallback);
            var connectorId = Get(connector, defaults.Sync.ConnectorId);
            var last = SavedSettings.Load(HomeOf(r), connectorId);
            return new()
            {
                Home = r.GetValue(home)!,
                Source = Remembered(source, last?.Source, defaults.Source),
                DestinationPath = Remembered(destination, last?.DestinationPath, defaults.DestinationPath),
                DestinationSchema = Remembered(schema, last?.DestinationSchema, defaults.DestinationSchema),
                Scale = Get(scale, defaults.Scale),
                ZuoraEnvironment = Remembered(zuoraEnv, last?.ZuoraEnvironment, defaults.ZuoraEnvironment),
                ZuoraCredentialsFile = Remembered(zuoraCredentials, last?.ZuoraCredentialsFile, defaults.ZuoraCredentialsFile),
                ZuoraEntityIds = Remembered(zuoraEntityIds, last?.ZuoraEntityIds, defaults.ZuoraEntityIds),
                ZuoraPollSeconds = Given(zuoraPollSeconds) ? r.GetValue(zuoraPollSeconds) : last?.ZuoraPollSeconds ?? Get(zuoraPollSeconds, defaults.ZuoraPollSeconds),
                EnvironmentVariable = environment ?? Environment.GetEnvironmentVariable,
                WrapSource = wrapSource,
                PartSizeBytes = Get(partSize, (int)(defaults.PartSizeBytes / (1024 * 1024))) * 1024L * 1024,
                Sync = new SyncOptions
                {
                    ConnectorId = connectorId,
                    Lookback = TimeSpan.FromMinutes(Get(lookback, (int)defaults.Sync.Lookback.TotalMinutes)),
                    Objects = Get(objects, null)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(o => o.ToLowerInvariant()).ToList(),
                    FullResyncEvery = FullResyncOption(Get(fullResync, null)),
                },
            };
        }

        var sync = new Command("sync", "Sync the source into the warehouse: historical the first time, then only what changed.\n\nExamples:\n  serverless-sync sync\n  serverless-sync sync --objects account,invoice --json") { lookback, partSize, fullResync, keepStaged, json };
        sync.SetAction((r, ct) => GuardAsync(error, HomeOf(r), async () =>
        {
            await using var embedded = EmbeddedConnector.Open(Settings(r), systemClock, error);
            using var syncLock = embedded.AcquireSyncLock();
            if (await embedded.CloseAbandonedRunAsync(ct) is { } abandoned)
            {
                await error.WriteLineAsync($"warning: run {abandoned.RunId} was left running by a process that ended; marked FAILED (its cursors are as it left them, and its staged files are removed once this sync succeeds)");
            }

            // With --json, stdout carries one document, the run as the status API shows it; progress is not shown.
            var asJson = r.GetValue(json);
            var reporter = new SyncReporter(asJson ? TextWriter.Null : output, interactive && !asJson, systemClock);
            var runner = embedded.Pipeline.CreateRunner(r.GetValue(keepStaged));
            reporter.Header(embedded);
            var connectorId = embedded.Settings.Sync.ConnectorId;
            // The run's live progress goes to the status file too, for a Status page (serve) to follow.
            var recorder = new ProgressRecorder(embedded.Status, systemClock);
            RunRecord run;
            try
            {
                run = await runner.RunAsync(embedded.Settings.Sync, new ProgressFanOut(reporter, recorder), ct);
                await recorder.FlushAsync();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                SavedSettings.Of(embedded.Settings).Save(embedded.Settings.HomePath, connectorId);
                // The runner closed the run as interrupted; what it staged is of no use to the next sync.
                var stopped = (await embedded.Status.GetConnectorAsync(connectorId, CancellationToken.None))?.LastRunId;
                if (stopped is not null)
                {
                    embedded.Staging.RemoveRun(connectorId, stopped);
                }

                await error.WriteLineAsync($"interrupted: run {stopped ?? "(not started)"} was stopped and marked FAILED (interrupted), its staged files removed; the next sync starts again from the cursors");
                return Interrupted;
            }

            // The run started, so these settings work with this connector: later commands need none of them repeated.
            SavedSettings.Of(embedded.Settings).Save(embedded.Settings.HomePath, connectorId);
            if (run.Status == RunStatus.Succeeded && !r.GetValue(keepStaged))
            {
                // With the home's lock held no other run is active: whatever earlier runs left staged is of no use now.
                embedded.Staging.RemoveRunsOtherThan(connectorId, run.RunId);
            }

            var state = await embedded.Status.GetConnectorAsync(run.ConnectorId, ct);
            reporter.Summary(run, state);
            if (asJson && await new StatusQueries(embedded.Status).GetRunAsync(run.ConnectorId, run.RunId, ct) is { } runView)
            {
                await output.WriteLineAsync(StatusJsonContext.Indented(runView, StatusJsonContext.Default.RunView));
            }

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

        var status = new Command("status", "Show the connector: status, objects with cursors and totals, recent runs.\n\nExample:\n  serverless-sync status --json") { json };
        status.SetAction((r, ct) => GuardAsync(error, HomeOf(r), async () =>
        {
            // Only the status file is read: no source is opened, nothing is written.
            var settings = Settings(r);
            ConnectorState state;
            try
            {
                state = await EmbeddedConnector.ReadConnectorAsync(settings, ct);
            }
            catch (NotSyncedYetException) when (r.GetValue(json))
            {
                // Not an error for a program reading the document: the connector is null and there are no runs yet.
                await output.WriteLineAsync(CliJson.NotSyncedStatus);
                return Ok;
            }

            var (statusStore, clock) = EmbeddedConnector.OpenStatusForReading(settings, state, systemClock);
            await using var store = statusStore;
            var connectorId = state.ConnectorId;
            if (r.GetValue(json))
            {
                // The status API's documents: the connector and, in detail, its recent runs.
                var document = await new StatusQueries(store).GetStatusAsync(connectorId, StatusPrinter.RecentRuns, ct);
                await output.WriteLineAsync(StatusJsonContext.Indented(document!, StatusJsonContext.Default.ConnectorStatusView));
            }
            else
            {
                var view = new StatusView(state, await store.GetObjectsAsync(connectorId, ct), await store.ListRunsAsync(connectorId, StatusPrinter.RecentRuns, ct));
                StatusPrinter.Print(output, view, clock.GetUtcNow());
            }

            return Ok;
        }));

        var verify = new Command("verify", "Prove the warehouse equals the source: live row counts and checksums per object.\n\nExample:\n  serverless-sync verify --objects account") { json };
        verify.SetAction((r, ct) => GuardAsync(error, HomeOf(r), async () =>
        {
            var settings = Settings(r);
            if (EmbeddedConnector.SyncIsRunning(settings))
            {
                throw new UsageException($"a sync is running with --home {settings.HomePath}; run verify when it has ended");
            }

            var (opened, connector) = await EmbeddedConnector.OpenForReadingAsync(settings, systemClock, error, ct);
            await using var embedded = opened;
            var connectorId = connector.ConnectorId;
            var selected = embedded.Settings.Sync.Objects ?? connector.SelectedObjects;
            var results = await embedded.CreateVerifier().VerifyAsync(selected, ct);
            var bad = results.Where(v => !v.Matches).ToList();
            if (r.GetValue(json))
            {
                await output.WriteLineAsync(CliJson.Verification(connectorId, results));
                return bad.Count > 0 ? Failed : Ok;
            }

            foreach (var v in results)
            {
                await output.WriteLineAsync(v.Matches
                    ? $"  ok        {v.ObjectName,-24} {v.SourceRows,12:N0} rows  checksum {v.SourceChecksum}"
                    : $"  DIFFERENT {v.ObjectName,-24} {v.Problem}");
            }

            if (bad.Count > 0)
            {
                await error.WriteLineAsync($"verify failed: {bad.Count} of {results.Count} objects differ ({string.Join(", ", bad.Select(b => b.ObjectName))})");
                return Failed;
            }

            await output.WriteLineAsync($"verified: {results.Count} objects, {results.Sum(v => v.SourceRows):N0} live rows, warehouse equals source");
            return Ok;
        }));

        var serve = ServeCommand.Create(Settings, HomeOf, output, error, systemClock, environment, awsCredentials);

        var redshift = new DestinationCommands();
        var doctorJson = new Option<bool>("--json") { Description = "Print the checks as one JSON document" };
        string? ExplicitSchema(ParseResult r) => r.GetResult(schema) is { Implicit: false } ? r.GetValue(schema) : null;
        DestinationSettings RedshiftSettings(ParseResult r, bool requireBucketAndRole) =>
            redshift.Settings(r, environment ?? Environment.GetEnvironmentVariable, SavedSettings.Load(HomeOf(r), r.GetValue(connector)!)?.Redshift ?? new Dictionary<string, string>(), ExplicitSchema(r), r.GetValue(connector)!, requireBucketAndRole);

        var doctor = new Command("doctor", DestinationCommands.DoctorDescription + "\n\nExamples:\n  serverless-sync doctor --source zuora --zuora-env us-sandbox --objects account,invoice\n  serverless-sync doctor --destination redshift --cluster-id analytics --database dev --db-user serverless_sync --staging-bucket BUCKET --copy-role-arn ARN --region eu-west-1")
        {
            doctorJson, redshift.Direct, redshift.Endpoint, redshift.NoWait, redshift.PrintSetup,
        };
        AddOptions(doctor, redshift.Options);

        doctor.SetAction((r, ct) => GuardAsync(error, HomeOf(r), async () =>
        {
            if (r.GetValue(destination) is { } named && named.Equals(DestinationCommands.Redshift, StringComparison.OrdinalIgnoreCase))
            {
                if (r.GetValue(redshift.PrintSetup))
                {
                    await output.WriteAsync(SetupDocuments.PrintAll(RedshiftSettings(r, requireBucketAndRole: false)));
                    return Ok;
                }

                return await DestinationCommands.DoctorAsync(RedshiftSettings(r, requireBucketAndRole: true), awsCredentials, r.GetValue(doctorJson), r.GetValue(redshift.NoWait), output, error, systemClock, ct);
            }

            await using var embedded = EmbeddedConnector.Open(Settings(r), systemClock, error);
            var connector = await embedded.ConnectorOfThisSourceAsync(ct);
            var selected = embedded.Settings.Sync.Objects
                ?? connector?.SelectedObjects
                ?? embedded.Source.Objects;
            var checks = await SourceDoctor.CheckAsync(embedded.Source, selected, ct);
            var failed = checks.Count(c => !c.Passed);
            if (r.GetValue(doctorJson))
            {
                await output.WriteLineAsync(CliJson.SourceChecks(embedded.Source.Name, checks));
                return failed > 0 ? Failed : Ok;
            }

            foreach (var check in checks)
            {
                await output.WriteLineAsync($"  {(check.Passed ? "ok  " : "FAIL")}  {check.Subject,-24} {check.Message}");
            }

            if (failed > 0)
            {
                await error.WriteLineAsync($"doctor: {failed} of {checks.Count} checks failed");
                return Failed;
            }

            await output.WriteLineAsync($"doctor: {embedded.Source.Name} source ready, {checks.Count} checks passed");
            return Ok;
        }));

        var print = new Command("print", "Print what the Redshift database's owner applies, for these settings: the customer role's IAM policy and trust policy, the COPY role's trust policy and policy, and the SQL (CREATE USER, GRANT CREATE, TEMPORARY ON DATABASE, or GRANT ALL ON SCHEMA). Settings as for 'doctor --destination redshift'; what is not set is printed as a {placeholder}");
        AddOptions(print, redshift.Options);

        print.SetAction((r, _) => GuardAsync(error, HomeOf(r), async () =>
        {
            await output.WriteAsync(SetupDocuments.PrintAll(RedshiftSettings(r, requireBucketAndRole: false)));
            return Ok;
        }));
        var setup = new Command("setup", "The customer's Redshift setup") { print };

        var advance = new Command("advance", "Move the synthetic tenant's clock: new, updated and deleted records appear.\n\nExample:\n  serverless-sync tenant advance --days 3") { days };
        advance.SetAction((r, ct) => GuardAsync(error, HomeOf(r), async () =>
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
            home, sync, status, verify, doctor, setup, tenant, serve,
        };

        // Each command lists the options it uses, and only those (--home applies to every command).
        Option[] zuoraOptions = [zuoraEnv, zuoraCredentials, zuoraEntityIds, zuoraPollSeconds];
        AddOptions(sync, [source, destination, schema, objects, scale, connector, .. zuoraOptions]);
        AddOptions(status, [connector]);
        AddOptions(verify, [source, destination, schema, objects, connector, .. zuoraOptions]);
        AddOptions(doctor, [source, destination, schema, objects, connector, .. zuoraOptions]);
        AddOptions(print, [schema, connector]);
        AddOptions(serve, [source, destination, schema, objects, scale, connector, .. zuoraOptions]);

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            await error.WriteLineAsync($"usage: {InWords(parsed.Errors[0].Message)} (see --help)");
            return BadUsage;
        }

        // Program handles Ctrl-C and SIGTERM itself (cancellationToken); the parser's own handling would end the process after 2 s.
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null }, cancellationToken);
    }

    internal static void AddOptions(Command command, IEnumerable<Option> options)
    {
        foreach (var option in options)
        {
            command.Options.Add(option);
        }
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

    /// <summary>
    /// Runs a command's action and turns whatever it throws into one line on stderr and an exit code: never a stack trace.
    /// </summary>
    internal static async Task<int> GuardAsync(TextWriter error, string homePath, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is UsageException or UnknownObjectException or SourceDataException or ConnectorSourceMismatchException or NotSyncedYetException)
        {
            await error.WriteLineAsync($"error: {OneLine(e.Message)}");
            return e is SourceDataException ? Failed : BadUsage;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("cancelled");
            return Failed;
        }
        catch (Exception e) when (HomeErrors.Explain(e, homePath) is { } explained)
        {
            await error.WriteLineAsync($"error: {explained.Message}");
            return explained.ExitCode;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or SchemaChangeException or FormatException or InvalidOperationException
            or Zuora.ZuoraApiException or HttpRequestException or AmazonServiceException or Aws.Http.AwsServiceException)
        {
            await error.WriteLineAsync($"error: {OneLine(e.Message)}");
            return Failed;
        }
        catch (Exception e)
        {
            // Not one of the failures above: still one line, naming what was thrown, so it can be reported.
            await error.WriteLineAsync($"error: unexpected {e.GetType().Name}: {OneLine(e.Message)} (please report this with the command you ran)");
            return Failed;
        }
    }

    /// <summary>A parser's message about a value of the wrong type, said without .NET type names.</summary>
    internal static string InWords(string message)
    {
        var match = WrongTypeMessage().Match(message);
        if (!match.Success)
        {
            return message;
        }

        var expected = match.Groups["type"].Value switch
        {
            var t when t.Contains("Int32", StringComparison.Ordinal) || t.Contains("Int64", StringComparison.Ordinal) => "a whole number",
            var t when t.Contains("Boolean", StringComparison.Ordinal) => "true or false",
            _ => "a value of another kind",
        };
        return $"{match.Groups["option"].Value}: '{match.Groups["value"].Value}' is not {expected}";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']+)' as expected type '(?<type>[^']+)'")]
    private static partial System.Text.RegularExpressions.Regex WrongTypeMessage();

    internal static string OneLine(string? text) =>
        string.Join(' ', (text ?? "unknown error").Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
