using ServerlessSync.Core.Model;

namespace ServerlessSync.Core.Ports;

/// <summary>
/// A source whose reads run as export jobs in the source system (Zuora's AQuA and Data Query): the caller submits an
/// object's window, checks the jobs as often as it likes (the cloud's state machine waits between checks without a
/// Lambda running), and reads the rows once the jobs completed. Each call is short; none waits for a job.
/// </summary>
public interface IExportJobSource
{
    /// <summary>Submits the jobs that read <paramref name="window"/> of <paramref name="schema"/>'s object; the answer is not completed yet.</summary>
    Task<ExportJobs> SubmitAsync(ObjectSchema schema, SyncWindow window, CancellationToken cancellationToken);

    /// <summary>
    /// Submits the jobs that read the <paramref name="slice"/> of <paramref name="window"/> (a historical window's
    /// slice: live rows only, as the whole read would give them); the answer's <see cref="ExportJobs.Window"/> is the slice.
    /// </summary>
    Task<ExportJobs> SubmitSliceAsync(ObjectSchema schema, SyncWindow window, SyncWindow slice, CancellationToken cancellationToken);

    /// <summary>
    /// How many live records of <paramref name="objectName"/> <paramref name="window"/> holds, asked of the source at once
    /// (one short call, no job): it sizes a historical read's slices. Throws the source's error when it cannot count.
    /// </summary>
    Task<long> CountAsync(string objectName, SyncWindow window, CancellationToken cancellationToken);

    /// <summary>
    /// Asks the source once about each job not yet completed. Throws the source's error when a job failed (after
    /// cancelling the others), and <see cref="ExportJobTimeoutException"/> when the jobs are still running at their
    /// <see cref="ExportJobs.Deadline"/> (after cancelling them).
    /// </summary>
    Task<ExportJobs> CheckAsync(ExportJobs jobs, CancellationToken cancellationToken);

    /// <summary>Streams the rows of completed <paramref name="jobs"/>, as <see cref="ISource.ReadAsync"/> would for their window.</summary>
    IAsyncEnumerable<SourceRow> ReadCompletedAsync(ObjectSchema schema, ExportJobs jobs, CancellationToken cancellationToken);

    /// <summary>Cancels the jobs not yet ended; a job the source no longer knows is not an error.</summary>
    Task CancelAsync(ExportJobs jobs, CancellationToken cancellationToken);
}

/// <summary>
/// The jobs reading one object's window, as they travel between the steps (through the state machine as JSON): when they
/// were submitted, when they must have completed, how many checks they had and how long to wait before the next.
/// </summary>
/// <param name="ObjectName">the object read</param>
/// <param name="Window">its window, as the jobs' queries were written (an open end already made concrete)</param>
/// <param name="Columns">the columns the jobs export, in order: the rows are read by these</param>
/// <param name="Jobs">one entry per job (an export, and for an incremental window of an object that reports deletes, its deleted records)</param>
/// <param name="SubmittedAt">when the jobs were submitted</param>
/// <param name="Deadline">when a job still running is cancelled and the object fails</param>
/// <param name="Checks">how many times the jobs were checked</param>
/// <param name="NextCheckAfter">how long to wait before the next check (grows with each check)</param>
public sealed record ExportJobs(
    string ObjectName,
    SyncWindow Window,
    IReadOnlyList<string> Columns,
    IReadOnlyList<ExportJob> Jobs,
    DateTimeOffset SubmittedAt,
    DateTimeOffset Deadline,
    int Checks,
    TimeSpan NextCheckAfter)
{
    /// <summary>Every job completed: the rows can be read.</summary>
    public bool Completed => Jobs.All(j => j.Completed);
}

/// <summary>One job in the source system.</summary>
/// <param name="Kind">which of the source's kinds of job (Zuora: <c>aqua</c>, <c>deletes</c>)</param>
/// <param name="JobId">the source's id of the job</param>
/// <param name="Completed">whether the source reported it completed</param>
/// <param name="Results">where the completed job's result is (file ids or URLs), in order</param>
/// <param name="Records">how many records the result holds in all, when the source says</param>
public sealed record ExportJob(string Kind, string JobId, bool Completed, IReadOnlyList<string> Results, long? Records);

/// <summary>An export job was still running at its deadline; it was cancelled.</summary>
public sealed class ExportJobTimeoutException(string message) : Exception(message);
