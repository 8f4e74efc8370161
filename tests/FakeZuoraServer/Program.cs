using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using ServerlessSync.FakeZuoraServer;
using ServerlessSync.Testing.Zuora;

// Starts the fake Zuora with a sample tenant, prints FAKE_ZUORA_URL=… on stdout and serves until stdin closes,
// SIGTERM or Ctrl-C. Usage: fake-zuora [--accounts N] [--seed S] [--job-seconds N]
const int BadUsage = 2;
if (ServerArguments.Parse(args) is not { } arguments)
{
    await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
        $"usage: fake-zuora [--accounts N (1..{ServerArguments.MaxAccounts}, default {ServerArguments.DefaultAccounts})] [--seed S (default {ServerArguments.DefaultSeed})] [--job-seconds N (the slowest object's job, 0..3600; default 0: by polls)]"));
    return BadUsage;
}

var built = Stopwatch.StartNew();
var tenant = FakeZuoraTenant.CreateSample(arguments.Accounts, arguments.Seed, TimeProvider.System.GetUtcNow());
var rowsByObject = tenant.ObjectNames.Select(o => (Name: o, Rows: tenant.Records(o).Count)).ToList();
built.Stop();

// With --job-seconds the objects' jobs take different times: the k-th of n objects N·k/n seconds.
var options = arguments.JobSeconds == 0 ? new FakeZuoraOptions() : new FakeZuoraOptions
{
    JobDurationPerObject = rowsByObject.Select((o, k) => (o.Name, Duration: TimeSpan.FromSeconds((double)arguments.JobSeconds * (k + 1) / rowsByObject.Count)))
        .ToDictionary(o => o.Name, o => o.Duration, StringComparer.OrdinalIgnoreCase),
};
await using var fake = await FakeZuora.StartAsync(tenant, options);
await Console.Out.WriteLineAsync("FAKE_ZUORA_URL=" + fake.Url);
await Console.Out.FlushAsync();

var error = Console.Error;
await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
    $"fake Zuora on {fake.Url}: {arguments.Accounts} accounts (seed {arguments.Seed}), {rowsByObject.Sum(o => o.Rows)} rows built in {built.Elapsed.TotalSeconds:0.0} s{(arguments.JobSeconds == 0 ? "" : $"; jobs take up to {arguments.JobSeconds} s")}"));
await error.WriteLineAsync("  " + string.Join(", ", rowsByObject.Select(o => $"{o.Name} {o.Rows.ToString(CultureInfo.InvariantCulture)}")));
await error.WriteLineAsync("check and sync it from another shell:");
await error.WriteLineAsync($"  export ZUORA_CLIENT_ID={options.ClientId} ZUORA_CLIENT_SECRET={options.ClientSecret}");
var objects = string.Join(',', rowsByObject.Select(o => o.Name.ToLowerInvariant()));
await error.WriteLineAsync($"  dotnet run --project src/ServerlessSync.Cli -- doctor --source zuora --zuora-env {fake.Url} --objects {objects} --home /tmp/zuora-demo");
await error.WriteLineAsync($"  dotnet run --project src/ServerlessSync.Cli -- sync --source zuora --zuora-env {fake.Url} --objects {objects} --zuora-poll-seconds 1 --home /tmp/zuora-demo");
await error.WriteLineAsync("stops when stdin closes, on SIGTERM or Ctrl-C");

using var stop = new CancellationTokenSource();
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
var stdinClosed = Task.Run(() =>
{
    using var input = Console.OpenStandardInput();
    var buffer = new byte[256];
    while (input.Read(buffer) > 0)
    {
        // Anything typed is ignored: only the end of stdin matters.
    }
});
await Task.WhenAny(stdinClosed, Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default));
await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
    $"fake Zuora stopping: {(stop.IsCancellationRequested ? "signal" : "stdin closed")}; served {fake.Requests.Count} requests, {fake.JobsSubmitted} jobs"));
return 0;

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
