using System.Runtime.InteropServices;
using ServerlessSync.Cli;

// Ctrl-C and SIGTERM stop the command: a sync closes its run and removes what it staged. A second one quits at once.
using var stop = new CancellationTokenSource();
var signals = 0;
void OnStopSignal(PosixSignalContext context)
{
    context.Cancel = true;
    if (Interlocked.Increment(ref signals) > 1)
    {
        Console.Error.WriteLine("stopped at once; the next sync closes the run this one left");
        Environment.Exit(CliApp.Interrupted);
    }

    Console.Error.WriteLine("stopping: a sync in flight closes its run first (press Ctrl-C again to quit at once)");
    _ = Task.Run(stop.Cancel);
}

using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStopSignal);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStopSignal);
return await CliApp.RunAsync(args, Console.Out, Console.Error, TimeProvider.System, interactive: !Console.IsOutputRedirected, stop.Token);
