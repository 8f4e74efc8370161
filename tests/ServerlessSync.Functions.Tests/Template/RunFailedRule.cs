using System.Text.Json.Nodes;

namespace ServerlessSync.Functions.Tests.Template;

/// <summary>
/// The template's <c>RunFailedRule</c> played on a Step Functions status-change event: whether its pattern matches the
/// event (a value list matches a field equal to one of its values), and the message its input transformer publishes
/// to <c>RunFailedTopic</c>.
/// </summary>
public static class RunFailedRule
{
    /// <summary>The event Step Functions sends to EventBridge when an execution of <paramref name="stateMachineArn"/> ends.</summary>
    public static JsonObject StatusChangeEvent(string stateMachineArn, string executionName, string status, string? error, string? cause) => new()
    {
        ["version"] = "0",
        ["source"] = "aws.states",
        ["detail-type"] = "Step Functions Execution Status Change",
        ["detail"] = new JsonObject
        {
            ["executionArn"] = $"{stateMachineArn.Replace(":stateMachine:", ":execution:", StringComparison.Ordinal)}:{executionName}",
            ["stateMachineArn"] = stateMachineArn,
            ["name"] = executionName,
            ["status"] = status,
            ["stopDate"] = 1764192660000,
            ["error"] = error,
            ["cause"] = cause,
        },
    };

    /// <summary>
    /// The event of a child execution that a run's Distributed Map (labelled <paramref name="label"/>) started: its
    /// execution ARN is <c>…:execution:{state machine}/{label}:{id}</c>, and its state machine ARN the labelled
    /// <c>…:stateMachine:{state machine}/{label}</c> (the form Step Functions gives a Map Run's executions), or, with
    /// <paramref name="labelledStateMachineArn"/> false, the state machine's own.
    /// </summary>
    public static JsonObject ChildStatusChangeEvent(string stateMachineArn, string label, string childName, string status, bool labelledStateMachineArn)
    {
        var statusChange = StatusChangeEvent(stateMachineArn, childName, status, null, null);
        var detail = statusChange["detail"]!;
        detail["executionArn"] = $"{stateMachineArn.Replace(":stateMachine:", ":execution:", StringComparison.Ordinal)}/{label}:{childName}";
        detail["stateMachineArn"] = labelledStateMachineArn ? $"{stateMachineArn}/{label}" : stateMachineArn;
        return statusChange;
    }

    /// <summary>The message published for <paramref name="statusChange"/>, or null when the rule does not match it.</summary>
    public static JsonObject? Announce(SamTemplate template, JsonObject statusChange, string stateMachineArn, string connectorId)
    {
        var rule = template.Properties("RunFailedRule");
        var target = Assert.Single(rule["Targets"]!.AsArray())!;
        Assert.Equal("RunFailedTopic", SamTemplate.Text(target["Arn"]!["Ref"]));
        return Deliver(rule, target, statusChange, stateMachineArn, connectorId);
    }

    /// <summary>
    /// FinishRun's input as the template's <c>RunStoppedRule</c> makes it from <paramref name="statusChange"/>, or null
    /// when the rule does not match it.
    /// </summary>
    public static JsonObject? StoppedRunInput(SamTemplate template, JsonObject statusChange, string stateMachineArn, string connectorId)
    {
        var rule = template.Properties("RunStoppedRule");
        var target = Assert.Single(rule["Targets"]!.AsArray())!;
        Assert.Equal("FinishRunFunction", SamTemplate.Text(target["Arn"]!["Fn::GetAtt"]![0]));
        return Deliver(rule, target, statusChange, stateMachineArn, connectorId);
    }

    private static JsonObject? Deliver(JsonNode rule, JsonNode target, JsonObject statusChange, string stateMachineArn, string connectorId)
    {
        if (!Matches(rule["EventPattern"]!.AsObject(), statusChange, stateMachineArn))
        {
            return null;
        }

        var transformer = target["InputTransformer"]!;
        var text = SamTemplate.Text(transformer["InputTemplate"]!["Fn::Sub"])!.Replace("${ConnectorId}", connectorId, StringComparison.Ordinal);
        foreach (var (name, path) in transformer["InputPathsMap"]!.AsObject())
        {
            JsonNode? value = statusChange;
            foreach (var step in ((string)path!)["$.".Length..].Split('.'))
            {
                value = value?[step];
            }

            text = text.Replace($"<{name}>", value?.ToJsonString() ?? "null", StringComparison.Ordinal);
        }

        return JsonNode.Parse(text)!.AsObject();
    }

    private static bool Matches(JsonObject pattern, JsonNode? value, string stateMachineArn)
    {
        foreach (var (key, expected) in pattern)
        {
            var actual = value?[key];
            var holds = expected switch
            {
                JsonObject inner => Matches(inner, actual, stateMachineArn),
                JsonArray options => actual is JsonValue && options.Any(o => o is JsonObject { Count: 1 } filter && filter["prefix"] is { } prefix
                    ? actual.ToString().StartsWith(OfStateMachine(prefix, stateMachineArn), StringComparison.Ordinal)
                    : (o is JsonObject { Count: 1 } reference && SamTemplate.Text(reference["Ref"]) == "SyncStateMachine" ? stateMachineArn : SamTemplate.Text(o)) == actual.ToString()),
                _ => throw new InvalidOperationException($"pattern field {key} is neither a list nor an object"),
            };
            if (!holds)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A pattern's text (plain or <c>Fn::Sub</c>) for the stack of <paramref name="stateMachineArn"/>: its partition,
    /// region, account and the state machine's name.
    /// </summary>
    private static string OfStateMachine(JsonNode text, string stateMachineArn)
    {
        // arn:{partition}:states:{region}:{account}:stateMachine:{name}
        var arn = stateMachineArn.Split(':');
        var resolved = (SamTemplate.Text(text) ?? SamTemplate.Text(text["Fn::Sub"]) ?? throw new InvalidOperationException($"pattern value {text.ToJsonString()} is neither text nor a Sub"))
            .Replace("${AWS::Partition}", arn[1], StringComparison.Ordinal)
            .Replace("${AWS::Region}", arn[3], StringComparison.Ordinal)
            .Replace("${AWS::AccountId}", arn[4], StringComparison.Ordinal)
            .Replace("${SyncStateMachine.Name}", arn[6], StringComparison.Ordinal);
        return resolved.Contains("${", StringComparison.Ordinal)
            ? throw new InvalidOperationException($"pattern value {resolved} names what these tests do not resolve")
            : resolved;
    }
}
