using System.Collections.Concurrent;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Core.Pipeline;

/// <summary>
/// The task-token callbacks for a run inside one process: what Step Functions' <c>.waitForTaskToken</c>
/// does in the cloud. A second send for a token is ignored, as Step Functions answers a late duplicate.
/// </summary>
public sealed class InProcessTaskCallbacks : ITaskCallbacks
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<LoadReport>> _waiting = new(StringComparer.Ordinal);

    /// <summary>Registers a token; the returned task completes when the load reports.</summary>
    public Task<LoadReport> Expect(string taskToken)
    {
        var source = new TaskCompletionSource<LoadReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_waiting.TryAdd(taskToken, source))
        {
            throw new InvalidOperationException($"task token {taskToken} is already waiting");
        }

        return source.Task;
    }

    public void Forget(string taskToken) => _waiting.TryRemove(taskToken, out _);

    public Task SendSuccessAsync(string taskToken, LoadReport report, CancellationToken cancellationToken)
    {
        if (_waiting.TryGetValue(taskToken, out var source))
        {
            source.TrySetResult(report);
        }

        return Task.CompletedTask;
    }

    public Task SendFailureAsync(string taskToken, string error, string cause, CancellationToken cancellationToken)
    {
        if (_waiting.TryGetValue(taskToken, out var source))
        {
            source.TrySetException(new LoadFailedException(error, cause));
        }

        return Task.CompletedTask;
    }
}

/// <summary>A load reported failure through its task token.</summary>
public sealed class LoadFailedException(string error, string cause) : Exception(cause)
{
    public string Error { get; } = error;
}
