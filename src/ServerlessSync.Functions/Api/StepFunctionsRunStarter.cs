using System.Text.Json;
using ServerlessSync.Aws.Http;
using ServerlessSync.Aws.StepFunctions;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Functions.Api;

/// <summary>
/// Starts a run as an execution of the sync state machine, named by the run id, with input
/// <c>{"connectorId","runId","objects"?,"trigger":"api","takeOverFrom"?}</c>. A last run recorded RUNNING blocks the
/// start while its execution still runs (<c>DescribeExecution</c>); one whose execution ended (failed, timed out,
/// stopped, gone) is taken over by the new run, whose StartRun takes its lock at once.
/// </summary>
internal sealed class StepFunctionsRunStarter(StepFunctionsClient stepFunctions, string stateMachineArn) : IRunStarter
{
    public async Task<RunStartResult> StartAsync(RunStartRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? takeOverFrom = null;
        if (request.RecordedRunningRunId is { } running)
        {
            if (await IsExecutionRunningAsync(running, cancellationToken))
            {
                return RunStartConflict.Running(request.ConnectorId, running);
            }

            // Its workflow ended without finishing the run (a crash, a timeout, a stop): the new run takes its lock over.
            takeOverFrom = running;
        }

        var input = JsonSerializer.Serialize(
            new RunExecutionInput(request.ConnectorId, request.RunId, request.Objects, "api", takeOverFrom),
            ApiJsonContext.Default.RunExecutionInput);
        try
        {
            var started = await stepFunctions.StartExecutionAsync(stateMachineArn, request.RunId, input, cancellationToken);
            return new RunStarted(request.RunId, started.ExecutionArn);
        }
        catch (ExecutionAlreadyExistsException)
        {
            return new RunStartConflict($"a run named '{request.RunId}' was started already; try again");
        }
        catch (AwsServiceException e)
        {
            throw new RunStartRefusedException($"Step Functions did not start the run: {e.ErrorCode}: {e.ServiceMessage}", e);
        }
    }

    /// <summary>Whether the execution of run <paramref name="runId"/> (its name) still runs; one Step Functions has not is not.</summary>
    private async Task<bool> IsExecutionRunningAsync(string runId, CancellationToken cancellationToken)
    {
        try
        {
            var execution = await stepFunctions.DescribeExecutionAsync(StepFunctionsClient.ExecutionArn(stateMachineArn, runId), cancellationToken);
            return execution.Status == ExecutionDescription.Running;
        }
        catch (ExecutionDoesNotExistException)
        {
            return false;
        }
        catch (AwsServiceException e)
        {
            throw new RunStartRefusedException($"Step Functions did not say whether run '{runId}' still runs: {e.ErrorCode}: {e.ServiceMessage}", e);
        }
    }
}
