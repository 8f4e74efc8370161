using System.Diagnostics;

namespace ServerlessSync.Cli.Tests;

/// <summary>What a user's home can do to a command — corrupted files, no write access, a misspelt object, a sync holding it — gets one line, never a stack trace.</summary>
public class HomeFailureTests
{
    [Theory]
    [InlineData("status")]
    [InlineData("sync")]
    [InlineData("verify")]
    [InlineData("doctor")]
    public async Task CorruptedStatusFile_OneLineSayingWhatToDo(string command)
    {
        using var cli = new CliHarness();
        Assert.Equal(0, (await cli.RunAsync("sync", "--scale", "500", "--objects", "account")).ExitCode);
        await File.WriteAllBytesAsync(Path.Combine(cli.Home, "status.db"), [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7))]);

        var result = await cli.RunAsync(command);

        Assert.Equal(CliApp.Failed, result.ExitCode);
        AssertOneLine(result, "the status file", "is corrupted", "move it aside");
    }

    [Fact]
    public async Task CorruptedWarehouse_Verify_OneLineSayingWhatToDo()
    {
        using var cli = new CliHarness();
        Assert.Equal(0, (await cli.RunAsync("sync", "--scale", "500", "--objects", "account")).ExitCode);
        await File.WriteAllBytesAsync(cli.WarehousePath, [.. Enumerable.Range(0, 8192).Select(i => (byte)(i * 13))]);

        var result = await cli.RunAsync("verify");

        Assert.Equal(CliApp.Failed, result.ExitCode);
        AssertOneLine(result, "the warehouse file is corrupted", "run 'sync' to load everything again");
    }

    [Theory]
    [InlineData("status")]
    [InlineData("verify")]
    public async Task NewHome_ReadingCommands_SayNotSyncedYet_AndWriteNothing(string command)
    {
        using var cli = new CliHarness();
        var home = Path.Combine(cli.Home, "new");

        var result = await cli.RunWithHomeAsync(home, command);

        Assert.Equal(CliApp.BadUsage, result.ExitCode);
        AssertOneLine(result, "has not synced yet", "run 'sync' first");
        Assert.False(Directory.Exists(home), $"{command} created {home}");
    }

    [Fact]
    public async Task Sync_MisspeltObject_SuggestsTheName_AndWritesNothing()
    {
        using var cli = new CliHarness();
        var home = Path.Combine(cli.Home, "new");

        var result = await cli.RunWithHomeAsync(home, "sync", "--objects", "acount");

        Assert.Equal(CliApp.BadUsage, result.ExitCode);
        AssertOneLine(result, "no object 'acount'", "did you mean 'account'?");
        Assert.False(Directory.Exists(home));
    }

    [Fact]
    public async Task Verify_WhileASyncHoldsTheHome_ExitsTwoSayingSo()
    {
        using var cli = new CliHarness();
        Assert.Equal(0, (await cli.RunAsync("sync", "--scale", "500", "--objects", "account")).ExitCode);
        var settings = new EmbeddedSettings { Home = cli.Home };
        await using (var embedded = EmbeddedConnector.Open(settings, cli.Clock))
        using (embedded.AcquireSyncLock())
        {
            var result = await cli.RunAsync("verify");

            Assert.Equal(CliApp.BadUsage, result.ExitCode);
            AssertOneLine(result, "a sync is running", "when it has ended");
        }

        Assert.Equal(0, (await cli.RunAsync("verify")).ExitCode);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("sync")]
    public async Task HomeNamingAFile_IsARequestError(string command)
    {
        using var cli = new CliHarness();
        var file = Path.Combine(cli.Home, "a-file");
        await File.WriteAllTextAsync(file, "not a directory");

        var result = await cli.RunWithHomeAsync(file, command);

        Assert.Equal(CliApp.BadUsage, result.ExitCode);
        AssertOneLine(result, "is a file", "name a directory");
    }

    [Fact]
    public async Task WrongTypeOfValue_IsSaidInWords()
    {
        using var cli = new CliHarness();

        var result = await cli.RunAsync("sync", "--scale", "abc");

        Assert.Equal(CliApp.BadUsage, result.ExitCode);
        AssertOneLine(result, "--scale: 'abc' is not a whole number");
        Assert.DoesNotContain("System.", result.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A home the user cannot write: status and verify read it; sync says it cannot write there. As root (CI) permissions
    /// do not bind, so the built CLI runs as the unprivileged user <c>nobody</c>; otherwise the home is made read-only.
    /// </summary>
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task ReadOnlyHome_StatusAndVerifyRead_SyncSaysItCannotWrite()
    {
        using var cli = new CliHarness();
        Assert.Equal(0, (await cli.RunAsync("sync", "--scale", "500", "--objects", "account")).ExitCode);
        var asRoot = Environment.UserName == "root";
        if (!asRoot)
        {
            File.SetUnixFileMode(cli.Home, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }

        try
        {
            var status = asRoot ? await RunAsNobodyAsync(cli.Home, "status") : await cli.RunAsync("status");
            var verify = asRoot ? await RunAsNobodyAsync(cli.Home, "verify") : await cli.RunAsync("verify");
            var sync = asRoot ? await RunAsNobodyAsync(cli.Home, "sync") : await cli.RunAsync("sync");

            Assert.True(status.ExitCode == 0, status.ToString());
            Assert.Contains("ACTIVE", status.Output, StringComparison.Ordinal);
            Assert.True(verify.ExitCode == 0, verify.ToString());
            Assert.Contains("warehouse equals source", verify.Output, StringComparison.Ordinal);
            Assert.Equal(CliApp.BadUsage, sync.ExitCode);
            AssertOneLine(sync, "cannot write to --home", "fix its permissions or choose another --home");
            Assert.DoesNotContain("another sync is running", sync.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.SetUnixFileMode(cli.Home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static async Task<CliResult> RunAsNobodyAsync(string home, params string[] args)
    {
        var dll = typeof(CliApp).Assembly.Location;
        var start = new ProcessStartInfo("runuser") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["-u", "nobody", "--", "dotnet", dll, .. args, "--home", home])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["HOME"] = "/tmp";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new CliResult(process.ExitCode, await output, await error);
    }

    private static void AssertOneLine(CliResult result, params string[] expected)
    {
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, result.ToString());
        Assert.StartsWith(lines[0].StartsWith("usage:", StringComparison.Ordinal) ? "usage: " : "error: ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        foreach (var text in expected)
        {
            Assert.True(lines[0].Contains(text, StringComparison.Ordinal), $"'{text}' not in: {lines[0]}");
        }
    }
}
