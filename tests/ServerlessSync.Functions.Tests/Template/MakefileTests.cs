using System.Diagnostics;

namespace ServerlessSync.Functions.Tests.Template;

public class MakefileTests
{
    private readonly SamTemplate _template = SamTemplate.Load();

    [Fact]
    public async Task BuildTargets_PublishTheFunctionsForTheTemplatesArchitecture_WithReadyToRun()
    {
        var architectures = _template.Root["Globals"]!["Function"]!["Architectures"]!.AsArray().Select(SamTemplate.Text).ToList();
        var runtimeIdentifier = Assert.Single(architectures) switch
        {
            "x86_64" => "linux-x64",
            "arm64" => "linux-arm64",
            var other => throw new InvalidOperationException($"unknown architecture {other}"),
        };
        Assert.All(_template.FunctionIds, id => Assert.Null(_template.Properties(id)["Architectures"]));

        foreach (var id in _template.FunctionIds)
        {
            // -n prints what the target runs without running it; -B as if nothing had been published yet.
            var (exitCode, output) = await MakeAsync("-n", "-B", $"build-{id}", "ARTIFACTS_DIR=/tmp/serverless-sync-artifacts");

            Assert.True(exitCode == 0, $"make build-{id}: {output}");
            var publish = Assert.Single(output.Split('\n'), line => line.TrimStart().StartsWith("dotnet publish", StringComparison.Ordinal));
            Assert.Contains("src/ServerlessSync.Functions/ServerlessSync.Functions.csproj", publish, StringComparison.Ordinal);
            Assert.Contains("-c Release", publish, StringComparison.Ordinal);
            Assert.Contains($"-r {runtimeIdentifier}", publish, StringComparison.Ordinal);
            Assert.Contains("--self-contained false", publish, StringComparison.Ordinal);
            Assert.Contains("-p:PublishReadyToRun=true", publish, StringComparison.Ordinal);
            Assert.Contains("\"/tmp/serverless-sync-artifacts/\"", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task BuildTarget_OfAnUnknownFunction_DoesNotExist()
    {
        var (exitCode, _) = await MakeAsync("-n", "build-NoSuchFunction", "ARTIFACTS_DIR=/tmp/serverless-sync-artifacts");
        Assert.NotEqual(0, exitCode);
    }

    private static async Task<(int ExitCode, string Output)> MakeAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("make") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-C");
        start.ArgumentList.Add(RepositoryFiles.Root);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var make = Process.Start(start)!;
        var output = make.StandardOutput.ReadToEndAsync();
        var error = make.StandardError.ReadToEndAsync();
        await make.WaitForExitAsync();
        return (make.ExitCode, (await output).Replace("\\\n", " ", StringComparison.Ordinal) + await error);
    }
}
