using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Zuora.Http;
using ServerlessSync.Zuora.Jobs;

namespace ServerlessSync.Zuora;

/// <summary>
/// The <c>zuora</c> source (docs/zuora-wire.md): fields from describe (the <c>export</c> context), rows from AQuA
/// stateless exports by <c>UpdatedDate</c> window streamed from the result file, and for incremental windows of objects
/// that report deletes (<see cref="ZuoraObject.ReportsDeletes"/>) the deleted records from a Data Query job. A job
/// not completed within <see cref="ZuoraOptions.JobTimeout"/> is cancelled and its window halved. At most
/// <see cref="ZuoraOptions.MaxConcurrentJobs"/> jobs of this instance run at once. An empty CSV field is null: an
/// empty string in Zuora arrives as null.
/// </summary>
public sealed partial class ZuoraSource : ISource, IExportJobSource, IDisposable
{
    public const string SourceName = "zuora";

    private readonly ZuoraOptions _options;
    private readonly TimeProvider _time;
    private readonly Action<string> _log;
    private readonly SemaphoreSlim _jobSlots;
    /// <summary>How long a describe answer is used: a source lives as long as its Lambda container, fields change in Zuora.</summary>
    private static readonly TimeSpan DescribeLifetime = TimeSpan.FromMinutes(10);

    /// <summary>How long a job cancel after a failure may take.</summary>
    private static readonly TimeSpan CancelWait = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, (DescribedObject Object, DateTimeOffset At)> _described = new(StringComparer.Ordinal);

    public ZuoraSource(ZuoraOptions options, ZuoraCredentials credentials, TimeProvider time, HttpMessageHandler? transport = null, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        _options = options;
        _time = time;
        _log = log ?? (_ => { });
        Http = new ZuoraHttp(options, credentials, time, transport, _log);
        _jobSlots = new SemaphoreSlim(options.MaxConcurrentJobs, options.MaxConcurrentJobs);
    }

    public string Name => SourceName;

    public IReadOnlyList<string> Objects => ZuoraCatalog.Names;

    internal ZuoraHttp Http { get; }

    internal TimeProvider Time => _time;

    /// <summary>The object's exportable fields as columns, from describe; an answer is used for 10 minutes.</summary>
    public async ValueTask<ObjectSchema> DescribeAsync(string objectName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objectName);
        return (await DescribeObjectAsync(Find(objectName), cancellationToken)).Schema;
    }

    /// <summary>
    /// Streams the window's rows: an AQuA export of <paramref name="schema"/>'s columns (live rows), then for an
    /// incremental window of an object that reports deletes, its deleted records (<c>id</c> and <c>updateddate</c>
    /// only, <see cref="SourceRow.Deleted"/> set).
    /// </summary>
    public async IAsyncEnumerable<SourceRow> ReadAsync(ObjectSchema schema, SyncWindow window, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (zuoraObject, export, concrete) = await ExportOfAsync(schema, window, cancellationToken);
        window = concrete;
        await foreach (var row in RunAsync(export, window, cancellationToken))
        {
            yield return row;
        }

        if (window.Mode == SyncMode.Incremental && zuoraObject.ReportsDeletes)
        {
            await foreach (var row in RunAsync(new DeletedRecordsQuery(Http, zuoraObject, schema, _options.SystemTimeZone), window, cancellationToken))
            {
                yield return row;
            }
        }
    }

    /// <summary>The AQuA export of <paramref name="schema"/>'s columns and the window as its query states it.</summary>
    private async Task<(ZuoraObject Object, AquaExport Export, SyncWindow Window)> ExportOfAsync(ObjectSchema schema, SyncWindow window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(window);
        schema.Validate();

        // Nothing is updated in the future: an open end (verify reads up to DateTimeOffset.MaxValue) becomes a day
        // from now, so the query text holds a real datetime and a halved window splits the tenant's real history.
        // A historical read is loaded as a snapshot: rows it lacks are marked deleted. A record edited while the export
        // runs gets an UpdatedDate after the planned end, so a snapshot reads up to the same day-ahead bound: the edited
        // record is in it (and merges as the newer row) instead of passing for deleted.
        var concrete = Concrete(window);
        var zuoraObject = Find(schema.Name);
        var described = await DescribeObjectAsync(zuoraObject, cancellationToken);
        return (zuoraObject, new AquaExport(Http, zuoraObject, schema, described.ZuoraNamesFor(schema), _options.SystemTimeZone), concrete);
    }

    /// <summary><paramref name="window"/> as its export reads it: a historical or open-ended window ends a day from now.</summary>
    private SyncWindow Concrete(SyncWindow window)
    {
        var latest = _time.GetUtcNow().AddDays(1);
        return window.End > latest || window.Start is null ? window with { End = latest } : window;
    }

    public void Dispose()
    {
        Http.Dispose();
        _jobSlots.Dispose();
    }

    internal async Task<DescribedObject> DescribeObjectAsync(ZuoraObject zuoraObject, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_described.TryGetValue(zuoraObject.Name, out var cached) && now - cached.At < DescribeLifetime)
        {
            return cached.Object;
        }

        var path = $"v1/describe/{zuoraObject.ApiName}";
        var url = Http.Resolve(path);
        using var response = await Http.SendAsync($"describe {zuoraObject.ApiName} (GET /{path})", () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.ParseAdd("application/xml");
            request.Headers.Accept.ParseAdd("text/xml");
            return request;
        }, RequestKind.Api, cancellationToken);
        await using var xml = await response.Content.ReadAsStreamAsync(cancellationToken);
        var described = await DescribeParser.ParseAsync(zuoraObject, xml, _log, cancellationToken);
        _described[zuoraObject.Name] = (described, now);
        return described;
    }

    internal ZuoraObject Find(string objectName) =>
        ZuoraCatalog.Find(objectName) ?? throw new UnknownObjectException(Name, objectName, Objects);

    /// <summary>
    /// Runs <paramref name="job"/> for <paramref name="window"/>, holding one job slot from submit until its rows are
    /// read (from every file of a segmented result, in order). A job that times out is cancelled and its window's halves
    /// run in order, each halved again if need be; so do the halves of a window whose result file Zuora refuses as over
    /// 2,047 MB (before any of its rows was read; a later segment refused fails the object). A result with another number of records in all than Zuora reported
    /// for it fails: a historical read is loaded as a
    /// snapshot whose missing rows are marked deleted, so a short download must never pass for a complete one.
    /// </summary>
    private async IAsyncEnumerable<SourceRow> RunAsync(IExportJob job, SyncWindow window, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pending = new Stack<SyncWindow>();
        pending.Push(window);
        while (pending.TryPop(out var current))
        {
            await _jobSlots.WaitAsync(cancellationToken);
            try
            {
                var done = await AwaitJobAsync(job, current, cancellationToken);
                if (done is not { } completed)
                {
                    Split(job, current, $"not completed within {_options.JobTimeout}", "", "cancelled, ", pending);
                    continue;
                }

                long read = 0;
                var tooLarge = false;
                foreach (var result in completed.Results)
                {
                    await using var rows = job.DownloadAsync(result, current, cancellationToken).GetAsyncEnumerator(cancellationToken);
                    var more = await FirstAsync(rows, canSplit: read == 0);
                    if (more is null)
                    {
                        tooLarge = true;
                        break;
                    }

                    while (more.Value)
                    {
                        read++;
                        yield return rows.Current;
                        more = await rows.MoveNextAsync();
                    }
                }

                if (tooLarge)
                {
                    // Zuora serves no file over 2,047 MB: the window is exported again as two smaller ones.
                    Split(job, current, $"its result file is over Zuora's {ZuoraHttp.MaxFileMegabytes} MB download limit", "; ask Zuora Global Support about large file optimization", "", pending);
                    continue;
                }

                if (completed.Records is { } records && records != read)
                {
                    var files = completed.Results.Count == 1 ? "" : $" in its {completed.Results.Count} files";
                    throw new ZuoraApiException($"Zuora {job.Description} {WindowHalving.Describe(current)}: the result holds {read} records{files} but Zuora reported {records}; the download is incomplete, so nothing of this window is loaded");
                }
            }
            finally
            {
                _jobSlots.Release();
            }
        }
    }

    /// <summary>
    /// Pushes <paramref name="window"/>'s halves onto <paramref name="pending"/> (the first on top) and logs why; throws
    /// naming <paramref name="reason"/> when a half would be shorter than <see cref="ZuoraOptions.MinWindow"/>.
    /// </summary>
    private void Split(IExportJob job, SyncWindow window, string reason, string advice, string done, Stack<SyncWindow> pending)
    {
        var what = $"Zuora {job.Description} {WindowHalving.Describe(window)}: {reason}";
        var (first, second) = WindowHalving.Halve(window, _options.HistoricalFloor, _options.MinWindow)
            ?? throw new ZuoraApiException($"{what} and its halves would be shorter than the minimum window {_options.MinWindow}{advice}");
        _log($"{what}; {done}running {WindowHalving.Describe(first)} then {WindowHalving.Describe(second)}");
        pending.Push(second);
        pending.Push(first);
    }

    /// <summary>
    /// The first row of a result file: true/false as <see cref="IAsyncEnumerator{T}.MoveNextAsync"/>, or null when Zuora
    /// refused the file as too large and <paramref name="canSplit"/> (nothing of the window has been read yet).
    /// </summary>
    private static async Task<bool?> FirstAsync(IAsyncEnumerator<SourceRow> rows, bool canSplit)
    {
        try
        {
            return await rows.MoveNextAsync();
        }
        catch (ZuoraFileTooLargeException) when (canSplit)
        {
            return null;
        }
    }

    /// <summary>
    /// Submits and polls until the job completes (its completed poll) or times out (null, after cancelling it). A poll
    /// that fails other than by Zuora reporting the job ended cancels the job before the failure goes on.
    /// </summary>
    private async Task<JobPoll?> AwaitJobAsync(IExportJob job, SyncWindow window, CancellationToken cancellationToken)
    {
        var jobId = await job.SubmitAsync(window, cancellationToken);
        var deadline = _time.GetUtcNow() + _options.JobTimeout;
        var interval = _options.PollInterval;
        try
        {
            while (true)
            {
                await Task.Delay(interval, _time, cancellationToken);
                var poll = await job.PollAsync(jobId, window, cancellationToken);
                if (poll.Completed)
                {
                    return poll;
                }

                if (_time.GetUtcNow() >= deadline)
                {
                    await CancelQuietlyAsync(job, jobId, cancellationToken);
                    return null;
                }

                interval = TimeSpan.FromTicks(Math.Min((long)(interval.Ticks * 1.5), _options.MaxPollInterval.Ticks));
            }
        }
        catch (Exception e) when (e is not JobEndedException)
        {
            // The run was stopped, or polling failed (the status call refused, an answer that is not JSON): the job
            // neither completed nor was reported ended by Zuora, so it may still be running in the tenant.
            using var shortWait = new CancellationTokenSource(CancelWait, _time);
            await CancelQuietlyAsync(job, jobId, shortWait.Token);
            throw;
        }
    }

    private async Task CancelQuietlyAsync(IExportJob job, string jobId, CancellationToken cancellationToken)
    {
        try
        {
            await job.CancelAsync(jobId, cancellationToken);
        }
        catch (Exception e) when (e is ZuoraApiException or OperationCanceledException)
        {
            _log($"Zuora {job.Description}: cancelling job {jobId} failed: {e.Message}");
        }
    }
}
