using System.Runtime.CompilerServices;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Zuora.Jobs;

namespace ServerlessSync.Zuora;

/// <summary>
/// The source's jobs as separate steps (<see cref="IExportJobSource"/>): submit, check once, read the completed result.
/// The cloud's state machine waits between checks; <see cref="ZuoraOptions.JobTimeout"/> bounds the whole job from its
/// submission, however many checks that spans.
/// </summary>
public sealed partial class ZuoraSource
{
    /// <summary>The kind of an AQuA export job in <see cref="ExportJob.Kind"/>.</summary>
    public const string AquaJobKind = "aqua";

    /// <summary>The kind of a Data Query job for deleted records in <see cref="ExportJob.Kind"/>.</summary>
    public const string DeletesJobKind = "deletes";

    /// <summary>
    /// Submits the AQuA export of the window and, for an incremental window of an object that reports deletes, the
    /// Data Query job for its deleted records. A refused second submission cancels the first.
    /// </summary>
    public Task<ExportJobs> SubmitAsync(ObjectSchema schema, SyncWindow window, CancellationToken cancellationToken) =>
        SubmitAsync(schema, window, null, cancellationToken);

    /// <summary>
    /// Submits the AQuA export of the <paramref name="slice"/> of a window; deleted records only when the whole window
    /// is incremental (a historical window's slices read live rows, as the whole read would). The last slice ends where
    /// the whole read would end (a day ahead of now, for a historical window).
    /// </summary>
    public Task<ExportJobs> SubmitSliceAsync(ObjectSchema schema, SyncWindow window, SyncWindow slice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slice);
        return SubmitAsync(schema, window, slice, cancellationToken);
    }

    private async Task<ExportJobs> SubmitAsync(ObjectSchema schema, SyncWindow whole, SyncWindow? slice, CancellationToken cancellationToken)
    {
        var (zuoraObject, aqua, concrete) = await ExportOfAsync(schema, whole, cancellationToken);
        var window = slice is null ? concrete : slice with { End = slice.End >= whole.End ? concrete.End : slice.End };
        var submittedAt = _time.GetUtcNow();
        List<ExportJob> jobs = [new(AquaJobKind, await aqua.SubmitAsync(window, cancellationToken), false, [], null)];
        if (whole.Mode == SyncMode.Incremental && zuoraObject.ReportsDeletes)
        {
            try
            {
                var deletes = new DeletedRecordsQuery(Http, zuoraObject, schema, _options.SystemTimeZone);
                jobs.Add(new(DeletesJobKind, await deletes.SubmitAsync(window, cancellationToken), false, [], null));
            }
            catch (Exception)
            {
                await CancelAllAsync(zuoraObject, jobs);
                throw;
            }
        }

        _log($"Zuora {aqua.Description} {WindowHalving.Describe(window)}: submitted job(s) {string.Join(", ", jobs.Select(j => j.JobId))}");
        return new ExportJobs(schema.Name, window, [.. schema.Columns.Select(c => c.Name)], jobs, submittedAt, submittedAt + _options.JobTimeout, 0, _options.PollInterval);
    }

    /// <summary>
    /// Polls each job not yet completed, once. A job Zuora reports failed cancels the others and throws Zuora's error; a
    /// poll that fails otherwise cancels them all and throws; jobs still running at the deadline are cancelled and fail
    /// the object with <see cref="ExportJobTimeoutException"/>.
    /// </summary>
    public async Task<ExportJobs> CheckAsync(ExportJobs jobs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var zuoraObject = Find(jobs.ObjectName);
        var checkedJobs = new List<ExportJob>(jobs.Jobs.Count);
        ExportJob? polling = null;
        try
        {
            foreach (var job in jobs.Jobs)
            {
                if (job.Completed)
                {
                    checkedJobs.Add(job);
                    continue;
                }

                polling = job;
                var poll = await JobOf(zuoraObject, job.Kind, null).PollAsync(job.JobId, jobs.Window, cancellationToken);
                checkedJobs.Add(poll.Completed ? job with { Completed = true, Results = poll.Results, Records = poll.Records } : job);
            }
        }
        catch (Exception e)
        {
            // A job Zuora reported ended (failed or cancelled) is not cancelled again; the others may still run.
            var ended = e is JobEndedException ? polling : null;
            await CancelAllAsync(zuoraObject, jobs.Jobs.Where(j => !j.Completed && j != ended));
            throw;
        }

        var next = TimeSpan.FromTicks(Math.Min((long)(jobs.NextCheckAfter.Ticks * 1.5), _options.MaxPollInterval.Ticks));
        var result = jobs with { Jobs = checkedJobs, Checks = jobs.Checks + 1, NextCheckAfter = next };
        if (!result.Completed && _time.GetUtcNow() >= jobs.Deadline)
        {
            var running = result.Jobs.Where(j => !j.Completed).ToList();
            await CancelAllAsync(zuoraObject, running);
            var what = string.Join(" and ", running.Select(j => $"{JobOf(zuoraObject, j.Kind, null).Description} (job {j.JobId})"));
            throw new ExportJobTimeoutException(
                $"Zuora {what} {WindowHalving.Describe(jobs.Window)}: not completed within {_options.JobTimeout} of its submission at {jobs.SubmittedAt:u}; " +
                "the job was cancelled and nothing was loaded. Raise ZuoraJobTimeoutMinutes (Zuora itself ends an AQuA query after 3 hours and a Data Query job after 1 hour), or sync fewer objects at once");
        }

        return result;
    }

    /// <summary>
    /// The rows of completed jobs: the export's files in order (checked against the record count Zuora reported), then
    /// the deleted records. The columns are the ones the jobs exported, as <paramref name="schema"/> types them. When Zuora
    /// refuses the export's first file as over its download limit (403 <c>max-object-size</c>), nothing has been read yet:
    /// the window is read as <see cref="ReadAsync"/> reads it instead, in halves exported again, within this invocation.
    /// </summary>
    public async IAsyncEnumerable<SourceRow> ReadCompletedAsync(ObjectSchema schema, ExportJobs jobs, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(jobs);
        if (!jobs.Completed)
        {
            throw new InvalidOperationException($"the Zuora jobs of {jobs.ObjectName} ({string.Join(", ", jobs.Jobs.Select(j => j.JobId))}) have not all completed; check them until they have before reading");
        }

        var exported = ExportedSchema(schema, jobs);
        var zuoraObject = Find(jobs.ObjectName);
        var described = await DescribeObjectAsync(zuoraObject, cancellationToken);
        var readAny = false;
        foreach (var job in jobs.Jobs)
        {
            var reader = JobOf(zuoraObject, job.Kind, (exported, described));
            long read = 0;
            foreach (var result in job.Results)
            {
                await using var rows = reader.DownloadAsync(result, jobs.Window, cancellationToken).GetAsyncEnumerator(cancellationToken);
                var more = await FirstAsync(rows, canSplit: !readAny && job.Kind == AquaJobKind);
                if (more is null)
                {
                    _log($"Zuora {reader.Description} {WindowHalving.Describe(jobs.Window)}: the result file is over Zuora's download limit; exporting the window again in halves");
                    // As the jobs read it: the export, and the deleted records only if they had a job for them (a
                    // historical slice has a lower bound but reads live rows only).
                    var export = new AquaExport(Http, zuoraObject, schema, described.ZuoraNamesFor(schema), _options.SystemTimeZone);
                    await foreach (var row in RunAsync(export, jobs.Window, cancellationToken))
                    {
                        yield return row;
                    }

                    if (jobs.Jobs.Any(j => j.Kind == DeletesJobKind))
                    {
                        await foreach (var row in RunAsync(new DeletedRecordsQuery(Http, zuoraObject, schema, _options.SystemTimeZone), jobs.Window, cancellationToken))
                        {
                            yield return row;
                        }
                    }

                    yield break;
                }

                while (more == true)
                {
                    read++;
                    readAny = true;
                    yield return rows.Current;
                    more = await rows.MoveNextAsync();
                }
            }

            if (job.Records is { } records && records != read)
            {
                throw new ZuoraApiException($"Zuora {reader.Description} {WindowHalving.Describe(jobs.Window)}, job {job.JobId}: {read} records downloaded but Zuora reported {records}; the download is incomplete, so nothing of this window is loaded. Run the sync again");
            }
        }
    }

    /// <summary>Cancels every job of <paramref name="jobs"/> not completed; a failed cancel is logged.</summary>
    public Task CancelAsync(ExportJobs jobs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        return CancelAllAsync(Find(jobs.ObjectName), jobs.Jobs.Where(j => !j.Completed));
    }

    /// <summary><paramref name="schema"/> narrowed to the columns the jobs exported, in their order; throws when one is gone.</summary>
    private ObjectSchema ExportedSchema(ObjectSchema schema, ExportJobs jobs)
    {
        var columns = jobs.Columns.Select(name => schema.Columns.FirstOrDefault(c => c.Name == name)
            ?? throw new ZuoraApiException($"Zuora {jobs.ObjectName}: field {name} was exported but describe no longer lists it; run the sync again, which exports the fields Zuora lists now")).ToList();
        return new ObjectSchema(schema.Name, columns);
    }

    /// <summary>The job of <paramref name="kind"/>; without <paramref name="read"/> it can poll and cancel but not download.</summary>
    private IExportJob JobOf(ZuoraObject zuoraObject, string kind, (ObjectSchema Schema, DescribedObject Described)? read)
    {
        var schema = read?.Schema ?? new ObjectSchema(zuoraObject.Name, []);
        return kind switch
        {
            AquaJobKind => new AquaExport(Http, zuoraObject, schema, read is { } r ? r.Described.ZuoraNamesFor(r.Schema) : [], _options.SystemTimeZone),
            DeletesJobKind => new DeletedRecordsQuery(Http, zuoraObject, schema, _options.SystemTimeZone),
            _ => throw new ZuoraApiException($"Zuora {zuoraObject.Name}: job kind '{kind}' is neither {AquaJobKind} nor {DeletesJobKind}; the job description was altered"),
        };
    }

    private async Task CancelAllAsync(ZuoraObject zuoraObject, IEnumerable<ExportJob> jobs)
    {
        using var shortWait = new CancellationTokenSource(CancelWait, _time);
        foreach (var job in jobs)
        {
            await CancelQuietlyAsync(JobOf(zuoraObject, job.Kind, null), job.JobId, shortWait.Token);
        }
    }
}
