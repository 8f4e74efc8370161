using System.Diagnostics;
using ServerlessSync.Testing;

namespace ServerlessSync.Functions.Tests.Template;

/// <summary>What a Node.js tool printed and how it exited.</summary>
public sealed record NodeToolResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n{Output}\n{Error}";
}

/// <summary>
/// The state-machine tools the test stack installs (asl-validator, aws-local-stepfunctions) in
/// <see cref="TestStack.NodeModules"/> (<c>SSYNC_TEST_NODE_MODULES</c>).
/// </summary>
public static class NodeTool
{
    public static string NodeModules => TestStack.NodeModules;

    /// <summary>Runs <c>node_modules/.bin/{tool}</c> with the arguments, or <c>node</c> itself for "node".</summary>
    public static async Task<NodeToolResult> RunAsync(string tool, IEnumerable<string> arguments, string? input = null)
    {
        var start = new ProcessStartInfo(tool == "node" ? "node" : Path.Combine(NodeModules, ".bin", tool))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NODE_PATH"] = NodeModules;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.StandardInput.WriteAsync(input ?? string.Empty);
        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} did not finish within 2 minutes");
        }

        return new NodeToolResult(process.ExitCode, await output, await error);
    }
}
