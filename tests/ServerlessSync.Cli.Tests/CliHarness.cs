using DuckDB.NET.Data;
using Microsoft.Extensions.Time.Testing;

namespace ServerlessSync.Cli.Tests;

/// <summary>Runs the real CLI in-process against a temporary home, with a fake base clock.</summary>
public sealed class CliHarness : IDisposable
{
    public CliHarness()
    {
        Directory.CreateDirectory(Home);
    }

    public string Home { get; } = Path.Combine(Path.GetTempPath(), "ssync-cli-" + Guid.NewGuid().ToString("N"));

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 26, 21, 0, 0, TimeSpan.Zero));

    public string WarehousePath => Path.Combine(Home, "warehouse.duckdb");

    public string StagingPath => Path.Combine(Home, "staging");

    public async Task<CliResult> RunAsync(params string[] args) => await RunAsync(interactive: false, args);

    /// <summary>Runs with another home than <see cref="Home"/> (one inside it, or a file).</summary>
    public async Task<CliResult> RunWithHomeAsync(string home, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync([.. args, "--home", home], output, error, Clock, interactive: false);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    public async Task<CliResult> RunAsync(bool interactive, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync([.. args, "--home", Home], output, error, Clock, interactive);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>Runs with the environment variables, AWS credentials and clock given (the destination doctor's tests).</summary>
    public async Task<CliResult> RunWithAsync(IReadOnlyDictionary<string, string> environment, Amazon.Runtime.AWSCredentials credentials, TimeProvider clock, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync([.. args, "--home", Home], output, error, clock, interactive: false, environment: name => environment.GetValueOrDefault(name), awsCredentials: credentials);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>One scalar from the warehouse file (opened after the CLI closed it).</summary>
    public long Scalar(string sql)
    {
        using var connection = new DuckDBConnection($"Data Source={WarehousePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Execute(string sql)
    {
        using var connection = new DuckDBConnection($"Data Source={WarehousePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public IReadOnlyList<string> StagedFiles() =>
        Directory.Exists(StagingPath) ? [.. Directory.EnumerateFiles(StagingPath, "*", SearchOption.AllDirectories)] : [];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}
