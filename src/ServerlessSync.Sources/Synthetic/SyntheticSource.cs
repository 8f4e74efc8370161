using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Sources.Synthetic;

/// <summary>
/// The synthetic tenant as an <see cref="ISource"/>. A read scans the object's rows in index (= creation)
/// order up to the last row created before the window's end, works out each row's current state from hashes,
/// and builds values only for the rows in the window: constant memory at any scale. A read sees the epochs
/// as they were when it started.
/// </summary>
public sealed class SyntheticSource : ISource
{
    private const int CancellationCheckInterval = 4096;
    private readonly SyntheticTenant _tenant;

    internal SyntheticSource(SyntheticTenant tenant) => _tenant = tenant;

    public string Name => "synthetic";

    public IReadOnlyList<string> Objects => SyntheticCatalog.Names;

    /// <summary>The objects every synthetic tenant has, known before one is created.</summary>
    public static IReadOnlyList<string> ObjectNames => SyntheticCatalog.Names;

    public ValueTask<ObjectSchema> DescribeAsync(string objectName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objectName);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Find(objectName).Schema);
    }

    /// <summary>
    /// Historical window: live rows whose <c>updateddate</c> is before the end. Incremental window: rows whose
    /// <c>updateddate</c> lies in it, deleted ones included (with their last values and <c>updateddate</c> = the
    /// deletion time). Columns are matched by name: <paramref name="schema"/> may leave columns out or name
    /// columns the tenant lacks (always null), but may not give a column another kind of type.
    /// </summary>
    public IAsyncEnumerable<SourceRow> ReadAsync(ObjectSchema schema, SyncWindow window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(window);
        var definition = Find(schema.Name);
        var projection = Projection(definition, schema);
        return new SynchronousAsyncEnumerable<SourceRow>(token => Read(definition, projection, window, token), cancellationToken);
    }

    /// <summary>The same rows as <see cref="ReadAsync"/>, synchronously (benchmarks, tests).</summary>
    internal IEnumerable<SourceRow> Read(string objectName, SyncWindow window, CancellationToken cancellationToken = default) =>
        Read(Find(objectName), null, window, cancellationToken);

    private IEnumerable<SourceRow> Read(SyntheticObject definition, int[]? projection, SyncWindow window, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var timeline = _tenant.Timeline;
        var layout = timeline.Layout(definition.Ordinal);
        var historical = window.Start is null;
        var endSecond = CeilingSecond(window.End);
        var startSecond = window.Start is { } start ? CeilingSecond(start) : long.MinValue;
        // Creation time grows with the index, and updateddate ≥ createddate: rows past this one cannot qualify.
        var limit = timeline.CountCreatedBefore(layout, endSecond);
        var width = projection?.Length ?? definition.Width;
        var scratch = projection is null ? null : new object?[definition.Width];
        var sinceCheck = 0;
        for (var epoch = 0; epoch < timeline.EpochCount; epoch++)
        {
            var first = layout.BlockStart[epoch];
            if (first >= limit)
            {
                yield break;
            }

            var count = Math.Min(layout.Count(epoch), limit - first);
            for (long j = 0; j < count; j++)
            {
                if (++sinceCheck == CancellationCheckInterval)
                {
                    sinceCheck = 0;
                    cancellationToken.ThrowIfCancellationRequested();
                }

                timeline.Compute(layout, epoch, j, out var row);
                if (row.UpdatedSecond >= endSecond || row.UpdatedSecond < startSecond || (historical && row.Deleted))
                {
                    continue;
                }

                var values = new object?[width];
                if (scratch is null)
                {
                    definition.Fill(timeline, layout, in row, values);
                }
                else
                {
                    definition.Fill(timeline, layout, in row, scratch);
                    for (var k = 0; k < values.Length; k++)
                    {
                        var from = projection![k];
                        values[k] = from < 0 ? null : scratch[from];
                    }
                }

                yield return new SourceRow(values, row.Deleted);
            }
        }
    }

    /// <summary>The first whole second not before <paramref name="time"/>: a whole-second value u is in [.., time) iff u &lt; this.</summary>
    private static long CeilingSecond(DateTimeOffset time) => (time.UtcTicks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;

    private SyntheticObject Find(string objectName) =>
        SyntheticCatalog.Find(objectName) ?? throw new UnknownObjectException(Name, objectName, SyntheticCatalog.Names);

    /// <summary>Null when <paramref name="schema"/> lists the object's columns as they are; else, per column asked for, where it is (−1: absent).</summary>
    private static int[]? Projection(SyntheticObject definition, ObjectSchema schema)
    {
        var ours = definition.Schema;
        if (ReferenceEquals(schema, ours))
        {
            return null;
        }

        var map = new int[schema.Columns.Count];
        var identical = schema.Columns.Count == ours.Columns.Count;
        for (var k = 0; k < map.Length; k++)
        {
            var column = schema.Columns[k];
            var at = ours.IndexOf(column.Name);
            if (at >= 0 && ours.Columns[at].Type.Kind != column.Type.Kind)
            {
                throw new SourceDataException($"synthetic object '{ours.Name}' column '{column.Name}' is {ours.Columns[at].Type}, and cannot be read as {column.Type}");
            }

            map[k] = at;
            identical &= at == k;
        }

        return identical ? null : map;
    }
}

/// <summary>Serves a synchronous sequence as an <see cref="IAsyncEnumerable{T}"/> without a state machine per item.</summary>
internal sealed class SynchronousAsyncEnumerable<T>(Func<CancellationToken, IEnumerable<T>> source, CancellationToken token) : IAsyncEnumerable<T>
{
    public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        CancellationTokenSource? linked = null;
        var effective = token;
        if (cancellationToken.CanBeCanceled && cancellationToken != token)
        {
            if (token.CanBeCanceled)
            {
                linked = CancellationTokenSource.CreateLinkedTokenSource(token, cancellationToken);
                effective = linked.Token;
            }
            else
            {
                effective = cancellationToken;
            }
        }

        return new Enumerator(source(effective).GetEnumerator(), linked);
    }

    private sealed class Enumerator(IEnumerator<T> inner, CancellationTokenSource? linked) : IAsyncEnumerator<T>
    {
        public T Current => inner.Current;

        public ValueTask<bool> MoveNextAsync()
        {
            try
            {
                return new ValueTask<bool>(inner.MoveNext());
            }
            catch (Exception e)
            {
                return ValueTask.FromException<bool>(e);
            }
        }

        public ValueTask DisposeAsync()
        {
            inner.Dispose();
            linked?.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
