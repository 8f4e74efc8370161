using System.Diagnostics;
using System.Text;

namespace ServerlessSync.Cli.Tests;

/// <summary>Ctrl-C and SIGTERM stop a sync cleanly; what killed runs leave staged is collected by the next successful sync.</summary>
public class InterruptTests
{
    [Fact]
    public async Task Sync_Cancelled_RunMarkedInterrupted_NoObjectLeftRunning_StagedFilesRemoved_NextSyncConverges()
    {
        using var cli = new CliHarness();
        using var stop = new CancellationTokenSource();
        // Cancelled as soon as the sync reports it is extracting its third object: some objects are loaded by then.
        var output = new CancelOnText("contact: extracting", stop);
        var error = new StringWriter();

        var code = await CliApp.RunAsync(["sync", "--scale", "20000", "--home", cli.Home], output, error, cli.Clock, interactive: false, stop.Token);

        Assert.True(code == CliApp.Interrupted, $"exit {code}\n{output}\n{error}");
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("interrupted: run ", line, StringComparison.Ordinal);
        Assert.Empty(cli.StagedFiles());
        var status = await SyncEndToEndTests.StatusAsync(cli);
        var run = status.GetProperty("runs")[0];
        Assert.Equal("FAILED", run.GetProperty("run").GetProperty("status").GetString());
        Assert.Contains("interrupted", run.GetProperty("run").GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(run.GetProperty("objects").EnumerateArray(), o => o.GetProperty("status").GetString() == "RUNNING");

        var retry = await cli.RunAsync("sync");
        Assert.True(retry.ExitCode == 0, retry.ToString());
        Assert.True((await cli.RunAsync("verify")).ExitCode == 0);
    }

    [Fact]
    public async Task Sync_Succeeds_RemovesWhatEarlierRunsLeftStaged()
    {
        using var cli = new CliHarness();
        Assert.Equal(0, (await cli.RunAsync("sync", "--scale", "500", "--objects", "account")).ExitCode);
        var leftover = Path.Combine(cli.StagingPath, "runs", "default", "20261126T000000Z-dead00", "account", "part-00000.csv.gz");
        Directory.CreateDirectory(Path.GetDirectoryName(leftover)!);
        await File.WriteAllBytesAsync(leftover, [1, 2, 3]);

        var kept = await cli.RunAsync("sync", "--keep-staged");
        Assert.Equal(0, kept.ExitCode);
        Assert.True(File.Exists(leftover), "--keep-staged keeps every staged file");

        Assert.Equal(0, (await cli.RunAsync("sync")).ExitCode);
        Assert.Empty(cli.StagedFiles());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task SigTerm_StopsTheProcess_OnceCleanly_TwiceAtOnce(int signals)
    {
        using var cli = new CliHarness();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[typeof(CliApp).Assembly.Location, "sync", "--scale", "400000", "--home", cli.Home])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = new StringBuilder();
        var stopping = new TaskCompletionSource();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }

            if (e.Data?.StartsWith("stopping:", StringComparison.Ordinal) == true)
            {
                stopping.TrySetResult();
            }
        };
        process.BeginErrorReadLine();
        // Signalled once the sync is extracting: its run exists and parts are being staged.
        while (await process.StandardOutput.ReadLineAsync() is { } line && !line.Contains(": extracting", StringComparison.Ordinal))
        {
        }

        Signal(process.Id);
        if (signals == 2)
        {
            await stopping.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Signal(process.Id);
        }

        _ = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        string text;
        lock (stderr)
        {
            text = stderr.ToString();
        }

        Assert.True(process.ExitCode == CliApp.Interrupted, $"exit {process.ExitCode}: {text}");
        if (signals == 1)
        {
            Assert.Contains("interrupted: run ", text, StringComparison.Ordinal);
            Assert.Empty(cli.StagedFiles());
            var status = await SyncEndToEndTests.StatusAsync(cli);
            Assert.NotEqual("RUNNING", status.GetProperty("runs")[0].GetProperty("run").GetProperty("status").GetString());
        }
        else
        {
            Assert.Contains("stopped at once", text, StringComparison.Ordinal);
        }
    }

    private static void Signal(int pid)
    {
        using var kill = Process.Start("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    /// <summary>Standard output that cancels once a given text was written.</summary>
    private sealed class CancelOnText(string text, CancellationTokenSource stop) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.Contains(text, StringComparison.Ordinal) == true)
            {
                stop.Cancel();
            }
        }

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }
    }
}
