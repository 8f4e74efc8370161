using ServerlessSync.Aws.RedshiftData;
using ServerlessSync.Aws.StepFunctions;

namespace ServerlessSync.Aws.Tests.Contracts;

/// <summary>
/// Fully populated requests, per operation: together, the samples of an operation set every member its
/// request type has (the contract tests check that), so every member is checked against the model.
/// </summary>
public static class ContractSamples
{
    private const string StatementId = "d9b6c0c9-0747-4bf4-b142-e8883122f766";
    private static readonly RedshiftTarget Cluster = RedshiftTarget.ProvisionedCluster("analytics-1", "dev", "loader");
    private static readonly RedshiftTarget Workgroup = RedshiftTarget.Serverless("sync-wg", "warehouse");

    public static IReadOnlyList<object> For(string operation) => operation switch
    {
        "ExecuteStatement" =>
        [
            new ExecuteStatementRequest(Cluster, "select * from t where id = :id")
            {
                Parameters = [new SqlParameter("id", "42")],
                StatementName = "ssync-load",
                WithEvent = true,
                ClientToken = "load-7",
                WaitTimeSeconds = 5,
            },
            new ExecuteStatementRequest(Workgroup, "select 1"),
        ],
        "BatchExecuteStatement" =>
        [
            new BatchExecuteStatementRequest(Cluster, ["create temp table s (like t)", "copy s from 's3://b/k'"])
            {
                Parameters = [new SqlParameter("run", "7")],
                StatementName = "ssync-load",
                WithEvent = false,
                ClientToken = "load-8",
                WaitTimeSeconds = 30,
            },
            new BatchExecuteStatementRequest(Workgroup, ["select 1"]),
        ],
        "DescribeStatement" => [new DescribeStatementRequest(StatementId) { WaitTimeSeconds = 10 }],
        "GetStatementResult" => [new GetStatementResultRequest(StatementId) { NextToken = "page-2", WaitTimeSeconds = 1 }],
        "CancelStatement" => [new CancelStatementRequest(StatementId)],
        "SendTaskSuccess" => [new SendTaskSuccessRequest("token-1", """{"inserted":1}""")],
        "SendTaskFailure" => [new SendTaskFailureRequest("token-1") { Error = "LoadFailed", Cause = "the cause" }],
        "SendTaskHeartbeat" => [new SendTaskHeartbeatRequest("token-1")],
        "DescribeExecution" => [new DescribeExecutionRequest("arn:aws:states:us-east-1:123456789012:execution:sync:run-1")],
        "StartExecution" =>
        [
            new StartExecutionRequest("arn:aws:states:eu-west-1:123456789012:stateMachine:serverless-sync")
            {
                Name = "20250301T091530Z-a1b2c3",
                Input = """{"connectorId":"default","runId":"20250301T091530Z-a1b2c3","trigger":"api"}""",
            },
        ],
        _ => throw new InvalidOperationException($"no contract sample for {operation}: add one here"),
    };
}
