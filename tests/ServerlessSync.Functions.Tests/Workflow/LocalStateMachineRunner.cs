using System.Text.Json;
using System.Text.Json.Nodes;
using ServerlessSync.Functions.Tests.Template;

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

    public static async Task<ExecutionOutcome> RunAsync(string stateMachineName, string definitionJson, JsonNode input, string executionName, Uri taskEndpoint)
    {
        var prefix = $"arn:aws:states:{DeployedStateMachine.Region}:{DeployedStateMachine.Account}";
        var request = new JsonObject
        {
            ["definition"] = JsonNode.Parse(definitionJson),
            ["input"] = input.DeepClone(),
            ["context"] = new JsonObject
            {
                ["Execution"] = new JsonObject
                {
                    ["Id"] = $"{prefix}:execution:{stateMachineName}:{executionName}",
                    ["Name"] = executionName,
                    ["RoleArn"] = $"arn:aws:iam::{DeployedStateMachine.Account}:role/{stateMachineName}Role",
                },
                ["StateMachine"] = new JsonObject { ["Id"] = $"{prefix}:stateMachine:{stateMachineName}", ["Name"] = stateMachineName },
                ["Task"] = new JsonObject { ["Token"] = TaskTokenPlaceholder },
            },
            ["taskEndpoint"] = taskEndpoint.ToString(),
        };

        var runner = Path.Combine(RepositoryFiles.Root, "tests", "ServerlessSync.Functions.Tests", "Workflow", "run-state-machine.mjs");
        var result = await NodeTool.RunAsync("node", [runner], request.ToJsonString());
        if (result.ExitCode != 0 || string.IsNullOrWhiteSpace(result.Output))
        {
            throw new InvalidOperationException($"the state machine runner failed: {result}");
        }

        return Parse(result.Output);
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
