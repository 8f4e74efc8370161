using System.Globalization;
using System.Text.Json;

namespace ServerlessSync.Sources.Synthetic;

/// <summary>One epoch of the tenant's history: <c>[Start, End)</c>. Epoch 0 is the year before the tenant was created.</summary>
public sealed record SyntheticEpoch(int Number, DateTimeOffset Start, DateTimeOffset End);

/// <summary>An object's rows: every row ever created, and those not deleted.</summary>
public sealed record SyntheticObjectCount(string ObjectName, long Total, long Live);

/// <summary>
/// A seeded, deterministic Zuora-like billing tenant (products to credit memos) with a clock that can be moved
/// forward. Its rows are never stored: each is derived from (seed, object, row index) and the epochs, so the
/// same state file always gives the same rows, byte for byte, at any scale and in constant memory.
/// <para><see cref="Advance"/> appends an epoch in which every object gains rows (about 0.2% a day, at least
/// one), about 0.5% of the rows a day are updated, and about 0.1% a day of the contacts, refunds and credit
/// memos are deleted (the only objects nothing references, so foreign keys never dangle).</para>
/// </summary>
public sealed class SyntheticTenant
{
    public const int DefaultScale = 100_000;
    public const int MaxAdvanceDays = 3650;
    private const int FormatVersion = 1;

    private readonly Lock _gate = new();
    private readonly TimeProvider _baseClock;
    private SyntheticTenantState _state;
    private TenantTimeline _timeline;
    private IReadOnlyList<SyntheticEpoch> _epochs;

    private SyntheticTenant(string? stateFile, SyntheticTenantState state, TimeProvider baseClock)
    {
        StateFile = stateFile;
        _baseClock = baseClock;
        Seed = state.Seed;
        Scale = state.Scale;
        CreatedAt = state.CreatedAt;
        _state = state;
        _timeline = BuildTimeline(state);
        _epochs = ToEpochs(state.Epochs);
        Clock = new SyntheticTenantClock(baseClock, state.Epochs[^1].End, state.ClockSetAt);
        Source = new SyntheticSource(this);
    }

    /// <summary>The state file, or null for a tenant that lives in memory only.</summary>
    public string? StateFile { get; }

    public ulong Seed { get; }

    /// <summary>About how many rows the tenant had when created.</summary>
    public int Scale { get; }

    /// <summary>T0: when the tenant was created (whole seconds). Its initial history is the 365 days before.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>The tenant's clock: use it as the pipeline's clock so that an advance moves "now".</summary>
    public SyntheticTenantClock Clock { get; }

    public SyntheticSource Source { get; }

    public IReadOnlyList<SyntheticEpoch> Epochs => Volatile.Read(ref _epochs);

    internal TenantTimeline Timeline => Volatile.Read(ref _timeline);

    /// <summary>
    /// Opens the tenant saved in <paramref name="stateFile"/>, or creates one there (T0 = the base clock's now,
    /// whole seconds). An existing file keeps its own scale and seed; asking for a different scale is an error.
    /// </summary>
    /// <param name="stateFile">The JSON state file.</param>
    /// <param name="scale">Rows of a new tenant (null: <see cref="DefaultScale"/>); for an existing one, null or its scale.</param>
    /// <param name="seed">The seed of a new tenant; an existing tenant keeps its own.</param>
    /// <param name="baseClock">Real time, on which the tenant clock runs.</param>
    public static SyntheticTenant OpenOrCreate(string stateFile, int? scale, ulong seed, TimeProvider baseClock)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stateFile);
        ArgumentNullException.ThrowIfNull(baseClock);
        if (scale is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be at least 1");
        }

        if (File.Exists(stateFile))
        {
            var tenant = Open(stateFile, baseClock);
            if (scale is { } requested && requested != tenant.Scale)
            {
                throw new InvalidOperationException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"the synthetic tenant in {stateFile} has scale {tenant.Scale}, not the requested {requested}: omit the scale, ask for {tenant.Scale}, or delete the file to create a new tenant"));
            }

            return tenant;
        }

        var state = NewState(scale ?? DefaultScale, seed, baseClock);
        var created = new SyntheticTenant(stateFile, state, baseClock);
        created.Save(state);
        return created;
    }

    /// <summary>Opens an existing state file; throws <see cref="FileNotFoundException"/> if there is none.</summary>
    public static SyntheticTenant Open(string stateFile, TimeProvider baseClock)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stateFile);
        ArgumentNullException.ThrowIfNull(baseClock);
        SyntheticTenantState? state;
        try
        {
            using var stream = File.OpenRead(stateFile);
            state = JsonSerializer.Deserialize(stream, SyntheticTenantStateContext.Default.SyntheticTenantState);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"synthetic tenant state file {stateFile} is not valid JSON: {e.Message}", e);
        }

        var problem = state is null ? "it is empty" : Validate(state);
        if (problem is not null)
        {
            throw new InvalidDataException($"synthetic tenant state file {stateFile}: {problem}");
        }

        return new SyntheticTenant(stateFile, state!, baseClock);
    }

    /// <summary>A tenant that is never saved (tests, benchmarks).</summary>
    public static SyntheticTenant CreateInMemory(int scale, ulong seed, TimeProvider baseClock)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        ArgumentNullException.ThrowIfNull(baseClock);
        return new SyntheticTenant(null, NewState(scale, seed, baseClock), baseClock);
    }

    /// <summary>
    /// Moves the tenant clock forward by <paramref name="span"/> (whole seconds, at least one) and appends the epoch
    /// <c>[start, start + span)</c>, where start is the tenant's now rounded up to a whole second: everything the
    /// epoch changes is later than any "now" read before the advance, and earlier than "now" after it. Saves the
    /// state file (atomically) before the new epoch becomes visible.
    /// </summary>
    public SyntheticEpoch Advance(TimeSpan span)
    {
        var seconds = span.Ticks / TimeSpan.TicksPerSecond;
        if (seconds < 1 || span > TimeSpan.FromDays(MaxAdvanceDays))
        {
            throw new ArgumentOutOfRangeException(nameof(span), span, $"a tenant advances by 1 second to {MaxAdvanceDays} days");
        }

        lock (_gate)
        {
            var now = Clock.GetUtcNow();
            var startTicks = (now.UtcTicks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond;
            var start = new DateTimeOffset(startTicks, TimeSpan.Zero);
            var end = start.AddSeconds(seconds);
            var baseNow = _baseClock.GetUtcNow();
            var state = _state with
            {
                ClockSetAt = baseNow,
                Epochs = [.. _state.Epochs, new SyntheticEpochState(start, end)],
            };
            var timeline = BuildTimeline(state);
            Save(state);
            var epochs = ToEpochs(state.Epochs);
            _state = state;
            Volatile.Write(ref _timeline, timeline);
            Volatile.Write(ref _epochs, epochs);
            Clock.Set(end, baseNow);
            return epochs[^1];
        }
    }

    /// <summary>Rows per object, total and live. Counting live rows scans the deletable objects (cheap: no values are built).</summary>
    public IReadOnlyList<SyntheticObjectCount> CountRows(CancellationToken cancellationToken = default)
    {
        var timeline = Timeline;
        var counts = new List<SyntheticObjectCount>(SyntheticCatalog.All.Count);
        foreach (var definition in SyntheticCatalog.All)
        {
            var layout = timeline.Layout(definition.Ordinal);
            long live = layout.Total;
            if (definition.Deletable)
            {
                for (long i = 0; i < layout.Total; i++)
                {
                    if ((i & 0xFFFF) == 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                    }

                    if (timeline.IsDeleted(layout, i))
                    {
                        live--;
                    }
                }
            }

            counts.Add(new SyntheticObjectCount(definition.Name, layout.Total, live));
        }

        return counts;
    }

    private static SyntheticTenantState NewState(int scale, ulong seed, TimeProvider baseClock)
    {
        var now = baseClock.GetUtcNow();
        var t0 = new DateTimeOffset(now.UtcTicks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var epoch0 = new SyntheticEpochState(t0.AddDays(-TenantTimeline.HistoryDays), t0);
        return new SyntheticTenantState(FormatVersion, seed, scale, t0, t0, [epoch0]);
    }

    private static string? Validate(SyntheticTenantState state)
    {
        if (state.FormatVersion != FormatVersion)
        {
            return $"format version {state.FormatVersion} is not {FormatVersion}";
        }

        if (state.Scale < 1)
        {
            return $"scale {state.Scale} is not positive";
        }

        if (state.Epochs is null || state.Epochs.Count == 0)
        {
            return "it has no epochs";
        }

        if (state.CreatedAt.UtcTicks % TimeSpan.TicksPerSecond != 0
            || state.Epochs[0].End != state.CreatedAt
            || state.Epochs[0].Start != state.CreatedAt.AddDays(-TenantTimeline.HistoryDays))
        {
            return "epoch 0 must be the 365 days before createdAt, in whole seconds";
        }

        for (var e = 0; e < state.Epochs.Count; e++)
        {
            var epoch = state.Epochs[e];
            if (epoch.Start.UtcTicks % TimeSpan.TicksPerSecond != 0 || epoch.End.UtcTicks % TimeSpan.TicksPerSecond != 0)
            {
                return $"epoch {e} is not in whole seconds";
            }

            if (epoch.End <= epoch.Start || (e > 0 && epoch.Start < state.Epochs[e - 1].End))
            {
                return $"epoch {e} [{epoch.Start:O}, {epoch.End:O}) is empty or overlaps the one before";
            }

            if (e > 0 && epoch.End - epoch.Start > TimeSpan.FromDays(MaxAdvanceDays))
            {
                return $"epoch {e} is longer than {MaxAdvanceDays} days";
            }
        }

        return null;
    }

    private static TenantTimeline BuildTimeline(SyntheticTenantState state)
    {
        var epochs = new (long Start, long End)[state.Epochs.Count];
        for (var e = 0; e < epochs.Length; e++)
        {
            epochs[e] = (state.Epochs[e].Start.UtcTicks / TimeSpan.TicksPerSecond, state.Epochs[e].End.UtcTicks / TimeSpan.TicksPerSecond);
        }

        return new TenantTimeline(state.Seed, state.Scale, epochs);
    }

    private static SyntheticEpoch[] ToEpochs(IReadOnlyList<SyntheticEpochState> epochs)
    {
        var result = new SyntheticEpoch[epochs.Count];
        for (var e = 0; e < result.Length; e++)
        {
            result[e] = new SyntheticEpoch(e, epochs[e].Start.ToUniversalTime(), epochs[e].End.ToUniversalTime());
        }

        return result;
    }

    /// <summary>Writes the state next to the file, then renames it over: a reader sees the old state or the new, never half.</summary>
    private void Save(SyntheticTenantState state)
    {
        if (StateFile is null)
        {
            return;
        }

        var full = Path.GetFullPath(StateFile);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(stream, state, SyntheticTenantStateContext.Default.SyntheticTenantState);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
