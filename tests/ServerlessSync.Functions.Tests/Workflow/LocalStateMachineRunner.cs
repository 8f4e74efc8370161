using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ServerlessSync.Functions.Tests.Workflow;

/// <summary>How an execution ended, as <c>run-state-machine.mjs</c> reports it.</summary>
/// <param name="Status"><c>SUCCEEDED</c> or <c>FAILED</c></param>
/// <param name="Output">the execution's output when it succeeded</param>
/// <param name="Error">the error it failed with (a Fail state's <c>Error</c>, or an uncaught task error)</param>
/// <param name="Cause">that error's cause</param>
/// <param name="History">the states in the order they were entered, failed, retried, caught and left (Map iterations included)</param>
internal sealed record ExecutionOutcome(string Status, JsonNode? Output, string? Error, string? Cause, IReadOnlyList<HistoryEvent> History)
{
    public bool Succeeded => Status == "SUCCEEDED";

    /// <summary>The last state the execution entered at its top level (its end state when it ran to one).</summary>
    public string LastState => History.Last(e => e.Type == "StateEntered" && e.Index is null).State;

    public IEnumerable<string> Entered(string state) => History.Where(e => e.Type == "StateEntered" && e.State == state).Select(e => e.State);

    public override string ToString() =>
        $"{Status}{(Error is null ? "" : $" {Error}: {Cause}")}; states: {string.Join(" → ", History.Where(e => e.Type is "StateEntered" or "StateCaught" or "StateFailed").Select(e => e.ToString()))}";
}

/// <summary>One entry of an execution's history; <see cref="Index"/> is the Map iteration it belongs to.</summary>
internal sealed record HistoryEvent(string Type, string State, int? Index, string? Error)
{
    public override string ToString() =>
        $"{(Type == "StateEntered" ? "" : Type.Replace("State", "", StringComparison.Ordinal) + " ")}{State}{(Index is { } i ? $"[{i}]" : "")}{(Error is null ? "" : $" ({Error})")}";
}

/// <summary>
/// Runs one execution of an ASL definition with aws-local-stepfunctions (Node, <c>run-state-machine.mjs</c> beside this
/// file), every Task state posted to <c>taskEndpoint</c>. The context object carries the execution's id and name, the
/// state machine's, and a task-token placeholder the runner replaces with a token of its own for each task.
/// </summary>
internal static class LocalStateMachineRunner
{
    public const string TaskTokenPlaceholder = "local-task-token-placeholder";

    /// <summary>Longer than any test's execution: a runner still going then has hung, and is stopped.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(3);

    public static async Task<ExecutionOutcome> RunAsync(string stateMachineName, string definitionJson, JsonNode input, string executionName, Uri taskEndpoint)
    {
        var nodeModules = Environment.GetEnvironmentVariable("SSYNC_TEST_NODE_MODULES") is { Length: > 0 } folder
            ? folder
            : throw new InvalidOperationException(
                "SSYNC_TEST_NODE_MODULES is not set: the workflow tests run aws-local-stepfunctions from the node_modules tests/stack/up.sh installs. Run them with `bash tests/run-all.sh`, or `eval \"$(bash tests/stack/up.sh)\"` first.");
        var stateMachineArn = $"arn:aws:states:{DeployedStateMachine.Region}:{DeployedStateMachine.Account}:stateMachine:{stateMachineName}";
        var request = new JsonObject
        {
            ["definition"] = JsonNode.Parse(definitionJson),
            ["input"] = input.DeepClone(),
            ["context"] = new JsonObject
            {
                ["Execution"] = new JsonObject
                {
                    ["Id"] = $"arn:aws:states:{DeployedStateMachine.Region}:{DeployedStateMachine.Account}:execution:{stateMachineName}:{executionName}",
                    ["Name"] = executionName,
                    ["RoleArn"] = $"arn:aws:iam::{DeployedStateMachine.Account}:role/{stateMachineName}Role",
                },
                ["StateMachine"] = new JsonObject { ["Id"] = stateMachineArn, ["Name"] = stateMachineName },
                ["Task"] = new JsonObject { ["Token"] = TaskTokenPlaceholder },
            },
            ["taskEndpoint"] = taskEndpoint.ToString(),
        };

        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(RepositoryFiles.Root, "tests", "ServerlessSync.Functions.Tests", "Workflow", "run-state-machine.mjs"));
        start.Environment["SSYNC_TEST_NODE_MODULES"] = nodeModules;
        using var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        await node.StandardInput.WriteAsync(request.ToJsonString());
        node.StandardInput.Close();

        using var guard = new CancellationTokenSource(HangGuard);
        try
        {
            await node.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
            throw new TimeoutException($"the state machine runner (pid {node.Id}) was still running after {HangGuard}; it was stopped. Its stderr: {await stderr}");
        }

        var output = await stdout;
        if (node.ExitCode != 0 || string.IsNullOrWhiteSpace(output))
        {
            throw new InvalidOperationException($"the state machine runner exited with {node.ExitCode}: {await stderr}");
        }

        return Parse(output);
    }

    private static ExecutionOutcome Parse(string line)
    {
        var root = JsonNode.Parse(line)!.AsObject();
        var history = root["events"]!.AsArray().Select(e => new HistoryEvent(
            (string)e!["type"]!,
            (string)e["state"]!,
            e["index"] is { } index ? (int)index : null,
            e["error"] is { } error ? (string)error! : null)).ToList();
        return new ExecutionOutcome(
            (string)root["status"]!,
            root["output"]?.DeepClone(),
            root["error"] is { } e ? (string)e! : null,
            root["cause"] is { } c ? c.GetValueKind() == JsonValueKind.String ? (string)c! : c.ToJsonString() : null,
            history);
    }
}
