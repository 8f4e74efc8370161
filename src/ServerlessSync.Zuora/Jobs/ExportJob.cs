using ServerlessSync.Core.Model;

namespace ServerlessSync.Zuora.Jobs;

/// <summary>
/// A job's state at one poll: still running, or completed with where its result is (one file, or several: AQuA file
/// segmentation) and, when Zuora says, how many records the result holds in all (the download is checked against it).
/// </summary>
internal readonly record struct JobPoll(bool Completed, IReadOnlyList<string> Results, long? Records)
{
    public static JobPoll Running { get; } = new(false, [], null);

    public static JobPoll Done(IReadOnlyList<string> results, long? records = null) => new(true, results, records);
}

/// <summary>One kind of Zuora job that exports one object's window: submit, poll, cancel, download.</summary>
internal interface IExportJob
{
    /// <summary>What the job is, for messages: <c>AQuA export of account</c>.</summary>
    string Description { get; }

    /// <summary>Submits the job for <paramref name="window"/> and returns its id; throws <see cref="ZuoraApiException"/> if refused.</summary>
    Task<string> SubmitAsync(SyncWindow window, CancellationToken cancellationToken);

    /// <summary>The job's state; throws <see cref="ZuoraApiException"/> with Zuora's error when the job failed.</summary>
    Task<JobPoll> PollAsync(string jobId, SyncWindow window, CancellationToken cancellationToken);

    Task CancelAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>The rows of one of a completed job's results (<see cref="JobPoll.Results"/>).</summary>
    IAsyncEnumerable<SourceRow> DownloadAsync(string result, SyncWindow window, CancellationToken cancellationToken);
}

/// <summary>
/// The job failed and Zuora reported it ended (or it completed without a usable result): there is nothing left to
/// cancel. Any other failure while waiting for a job leaves it possibly running in the tenant.
/// </summary>
internal sealed class JobEndedException(string message, string? errorCode) : ZuoraApiException(message, null, errorCode);
