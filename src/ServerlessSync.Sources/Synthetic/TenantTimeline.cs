namespace ServerlessSync.Sources.Synthetic;

/// <summary>Where a row comes from: its index, the epoch that created it, its creation second and its hash key.</summary>
internal readonly record struct RowOrigin(long Index, int Epoch, long CreatedSecond, ulong Key);

/// <summary>A row's current state: its origin, how many times it was updated, its last change and whether it is deleted.</summary>
internal struct RowState
{
    public RowOrigin Origin;
    public long UpdatedSecond;
    public int Version;
    public bool Deleted;
}

/// <summary>One object's rows laid out over the epochs: epoch <c>e</c> created rows <c>[BlockStart[e], BlockStart[e + 1])</c>.</summary>
internal sealed class ObjectLayout
{
    public ObjectLayout(SyntheticObject definition, long[] blockStart, ulong seed)
    {
        Definition = definition;
        BlockStart = blockStart;
        var objectKey = Mixer.Mix(seed ^ Mixer.Mix((ulong)(definition.Ordinal + 1) * 0xD1B54A32D192ED03UL));
        RowSalt = Mixer.Mix(objectKey ^ 0x243F6A8885A308D3UL);
        IdLowSalt = Mixer.Mix(objectKey ^ 0x13198A2E03707344UL);
        IdHighSalt = Mixer.Mix(objectKey ^ 0xA4093822299F31D0UL);
    }

    public SyntheticObject Definition { get; }

    public long[] BlockStart { get; }

    public ulong RowSalt { get; }

    public ulong IdLowSalt { get; }

    public ulong IdHighSalt { get; }

    /// <summary>Rows chosen so that every epoch deletes at least one row of a deletable object (row → activity second).</summary>
    public Dictionary<long, long>? ForcedDeletions { get; set; }

    public long Total => BlockStart[^1];

    public long Count(int epoch) => BlockStart[epoch + 1] - BlockStart[epoch];
}

/// <summary>
/// The tenant's history as pure functions of (seed, scale, epochs). Nothing per row is stored: every row is
/// derived from (seed, object, row index) and its change events from a hash-driven Poisson process.
/// <para>Times are whole seconds since 0001-01-01 UTC. Epoch 0 is the initial year; epoch <c>e ≥ 1</c> is one
/// <c>tenant advance</c>, <c>[start, end)</c>. Change events (updates, deletes) run on "activity time": the
/// epochs ≥ 1 laid end to end, so the real time between two advances (when the tenant is idle) holds none.
/// Appending an epoch never changes what happened before it.</para>
/// </summary>
internal sealed class TenantTimeline
{
    public const long SecondsPerDay = 86_400;
    public const int HistoryDays = 365;
    public const long HistorySeconds = HistoryDays * SecondsPerDay;

    /// <summary>Mean time between two updates of one row: 200 days, so about 0.5% of the rows change in a day.</summary>
    public const long UpdateMeanSeconds = 200 * SecondsPerDay;

    /// <summary>Mean lifetime of a deletable row: 1000 days, so about 0.1% of them go in a day.</summary>
    public const long DeleteMeanSeconds = 1000 * SecondsPerDay;

    /// <summary>New rows per day per object, in thousandths of its initial count (0.2%).</summary>
    public const long NewRowsPerMillePerDay = 2;

    /// <summary>Weights are parts of this.</summary>
    public const int WeightTotal = 10_000;

    private const ulong SaltJitter = 0x082EFA98EC4E6C89UL;
    private const ulong SaltInitialEdit = 0x452821E638D01377UL;
    private const ulong SaltDelete = 0xBE5466CF34E90C6CUL;
    private const ulong SaltUpdate = 0xC0AC29B7C97C50DDUL;
    private const ulong SaltForced = 0x3F84D5B5B5470917UL;

    private readonly long[] _epochStart;
    private readonly long[] _epochEnd;
    private readonly long[] _activeStart;
    private readonly ObjectLayout[] _layouts;

    public TenantTimeline(ulong seed, int scale, IReadOnlyList<(long Start, long End)> epochs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        ArgumentNullException.ThrowIfNull(epochs);
        if (epochs.Count == 0 || epochs[0].End - epochs[0].Start != HistorySeconds)
        {
            throw new ArgumentException("epoch 0 must be the 365 days before the tenant's creation", nameof(epochs));
        }

        Seed = seed;
        Scale = scale;
        var count = epochs.Count;
        _epochStart = new long[count];
        _epochEnd = new long[count];
        _activeStart = new long[count];
        long active = 0;
        for (var e = 0; e < count; e++)
        {
            var (start, end) = epochs[e];
            if (end <= start || (e > 0 && start < _epochEnd[e - 1]))
            {
                throw new ArgumentException($"epoch {e} [{start}, {end}) is empty or overlaps the one before", nameof(epochs));
            }

            _epochStart[e] = start;
            _epochEnd[e] = end;
            _activeStart[e] = active;
            if (e > 0)
            {
                active += end - start;
            }
        }

        ActiveTotal = active;
        var objects = SyntheticCatalog.All;
        _layouts = new ObjectLayout[objects.Count];
        for (var o = 0; o < objects.Count; o++)
        {
            var definition = objects[o];
            var blocks = new long[count + 1];
            var baseCount = Math.Max(1L, ((long)scale * definition.Weight + (WeightTotal / 2)) / WeightTotal);
            blocks[1] = baseCount;
            for (var e = 1; e < count; e++)
            {
                var span = _epochEnd[e] - _epochStart[e];
                var added = Math.Max(1L, ((baseCount * NewRowsPerMillePerDay * span) + (500 * SecondsPerDay)) / (1000 * SecondsPerDay));
                blocks[e + 1] = blocks[e] + added;
            }

            var layout = new ObjectLayout(definition, blocks, seed);
            _layouts[o] = layout;
            if (definition.Deletable)
            {
                layout.ForcedDeletions = ChooseForcedDeletions(layout);
            }
        }
    }

    public ulong Seed { get; }

    public int Scale { get; }

    public int EpochCount => _epochStart.Length;

    /// <summary>T0: the tenant's creation, the end of epoch 0.</summary>
    public long CreatedSecond => _epochEnd[0];

    /// <summary>The end of the last epoch: the tenant clock at the last advance.</summary>
    public long LastEpochEnd => _epochEnd[^1];

    /// <summary>Activity seconds of all epochs after the first.</summary>
    public long ActiveTotal { get; }

    public long EpochStart(int epoch) => _epochStart[epoch];

    public long EpochEnd(int epoch) => _epochEnd[epoch];

    public ObjectLayout Layout(int ordinal) => _layouts[ordinal];

    public ulong RowKey(ObjectLayout layout, long index) => Mixer.Mix(layout.RowSalt + ((ulong)index * Mixer.Golden));

    /// <summary>
    /// The creation second of row <paramref name="j"/> of an epoch's block: rows are spread evenly over the
    /// epoch, each jittered inside its own slot, so creation time never decreases with the index (which is what
    /// lets a child find the parents that existed before it). The first row of a block sits at the epoch start.
    /// </summary>
    public long CreatedAt(ObjectLayout layout, int epoch, long j, ulong key)
    {
        var span = _epochEnd[epoch] - _epochStart[epoch];
        var n = layout.Count(epoch);
        var at = _epochStart[epoch] + (j * span / n);
        if (j > 0)
        {
            var slot = span / n;
            if (slot > 1)
            {
                at += Mixer.Below(Mixer.Mix(key ^ SaltJitter), slot);
            }
        }

        return at;
    }

    /// <summary>The epoch that created row <paramref name="index"/>.</summary>
    public int EpochOf(ObjectLayout layout, long index)
    {
        var blocks = layout.BlockStart;
        int lo = 0, hi = blocks.Length - 2;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >> 1;
            if (blocks[mid] <= index)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    public RowOrigin Origin(ObjectLayout layout, long index)
    {
        var epoch = EpochOf(layout, index);
        var key = RowKey(layout, index);
        return new RowOrigin(index, epoch, CreatedAt(layout, epoch, index - layout.BlockStart[epoch], key), key);
    }

    /// <summary>How many rows were created at or before <paramref name="second"/>, which lies in <paramref name="epoch"/>.</summary>
    public long CountCreatedAtOrBefore(ObjectLayout layout, int epoch, long second)
    {
        var n = layout.Count(epoch);
        var span = _epochEnd[epoch] - _epochStart[epoch];
        var x = second - _epochStart[epoch];
        // The last j whose slot starts at or before x: floor(j·span/n) ≤ x.
        var j = Math.Min(n - 1, (((x + 1) * n) - 1) / span);
        if (j > 0 && CreatedAt(layout, epoch, j, RowKey(layout, layout.BlockStart[epoch] + j)) > second)
        {
            j--; // its jitter put it after the second; every earlier row is before its slot, hence before the second
        }

        return layout.BlockStart[epoch] + j + 1;
    }

    /// <summary>How many rows were created before <paramref name="secondExclusive"/> (they are rows 0 .. count − 1).</summary>
    public long CountCreatedBefore(ObjectLayout layout, long secondExclusive)
    {
        var second = secondExclusive - 1;
        if (second < _epochStart[0])
        {
            return 0;
        }

        int lo = 0, hi = _epochStart.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >> 1;
            if (_epochStart[mid] <= second)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return second >= _epochEnd[lo] ? layout.BlockStart[lo + 1] : CountCreatedAtOrBefore(layout, lo, second);
    }

    /// <summary>A parent row (of <paramref name="parent"/>) that existed when the child was created, uniformly.</summary>
    public long PickParent(ObjectLayout parent, RowOrigin child, ulong hash) =>
        Mixer.Below(hash, CountCreatedAtOrBefore(parent, child.Epoch, child.CreatedSecond));

    /// <summary>One of the <paramref name="recent"/> latest parent rows created at or before the child (an invoice item's invoice).</summary>
    public long PickRecentParent(ObjectLayout parent, RowOrigin child, ulong hash, int recent)
    {
        var count = CountCreatedAtOrBefore(parent, child.Epoch, child.CreatedSecond);
        return count - 1 - Mixer.Below(hash, Math.Min(count, recent));
    }

    /// <summary>The tenant second of an activity second.</summary>
    public long ToTenantSecond(long active)
    {
        int lo = 1, hi = _activeStart.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >> 1;
            if (_activeStart[mid] <= active)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return _epochStart[lo] + (active - _activeStart[lo]);
    }

    /// <summary>The activity second at which a row starts to live (epoch-0 rows: 0, the start of epoch 1).</summary>
    private long BirthActive(RowOrigin origin) =>
        origin.Epoch == 0 ? 0 : _activeStart[origin.Epoch] + (origin.CreatedSecond - _epochStart[origin.Epoch]);

    private static long NaturalDeletion(long birth, ulong key) =>
        birth + Mixer.ExponentialSeconds(Mixer.Mix(key ^ SaltDelete), DeleteMeanSeconds);

    /// <summary>
    /// The row's current state. Epoch-0 rows were last edited somewhere between creation and T0. After that a
    /// row is updated at the events of its own Poisson process (mean gap <see cref="UpdateMeanSeconds"/>), and a
    /// deletable row is deleted at the first event of another (mean <see cref="DeleteMeanSeconds"/>) or when
    /// chosen as its epoch's forced deletion, whichever is first. A deleted row changes no more.
    /// </summary>
    public void Compute(ObjectLayout layout, int epoch, long j, out RowState row)
    {
        var index = layout.BlockStart[epoch] + j;
        var key = RowKey(layout, index);
        var created = CreatedAt(layout, epoch, j, key);
        var origin = new RowOrigin(index, epoch, created, key);
        long birth, updated;
        if (epoch == 0)
        {
            birth = 0;
            var edit = Mixer.Mix(key ^ SaltInitialEdit);
            updated = (edit & 1) == 0 ? created : created + Mixer.Below(edit, CreatedSecond - created);
        }
        else
        {
            birth = BirthActive(origin);
            updated = created;
        }

        var limit = ActiveTotal;
        var deleted = false;
        if (layout.Definition.Deletable)
        {
            var deletion = NaturalDeletion(birth, key);
            if (layout.ForcedDeletions!.TryGetValue(index, out var forced) && forced < deletion)
            {
                deletion = forced;
            }

            if (deletion < limit)
            {
                limit = deletion;
                deleted = true;
            }
        }

        var version = 0;
        var at = birth;
        long last = 0;
        while (true)
        {
            at += Mixer.ExponentialSeconds(Mixer.Mix(key ^ (SaltUpdate + ((ulong)version * Mixer.Golden))), UpdateMeanSeconds);
            if (at >= limit)
            {
                break;
            }

            version++;
            last = at;
        }

        if (deleted)
        {
            updated = ToTenantSecond(limit);
        }
        else if (version > 0)
        {
            updated = ToTenantSecond(last);
        }

        row.Origin = origin;
        row.UpdatedSecond = updated;
        row.Version = version;
        row.Deleted = deleted;
    }

    /// <summary>Whether the row is deleted now: the cheap part of <see cref="Compute"/>.</summary>
    public bool IsDeleted(ObjectLayout layout, long index)
    {
        if (!layout.Definition.Deletable)
        {
            return false;
        }

        var origin = Origin(layout, index);
        var deletion = NaturalDeletion(BirthActive(origin), origin.Key);
        if (layout.ForcedDeletions!.TryGetValue(index, out var forced) && forced < deletion)
        {
            deletion = forced;
        }

        return deletion < ActiveTotal;
    }

    /// <summary>
    /// For each epoch after the first, one row created before it and still live at its start is deleted at a
    /// hashed second inside it: a small tenant still shows deletes after a one-day advance.
    /// </summary>
    private Dictionary<long, long> ChooseForcedDeletions(ObjectLayout layout)
    {
        var forced = new Dictionary<long, long>();
        for (var e = 1; e < _epochStart.Length; e++)
        {
            var pool = layout.BlockStart[e];
            for (var attempt = 0UL; attempt < 64; attempt++)
            {
                var hash = Mixer.Mix(layout.RowSalt ^ Mixer.Mix(SaltForced + ((ulong)e << 8) + attempt));
                var candidate = Mixer.Below(hash, pool);
                if (forced.ContainsKey(candidate))
                {
                    continue;
                }

                var origin = Origin(layout, candidate);
                if (NaturalDeletion(BirthActive(origin), origin.Key) < _activeStart[e])
                {
                    continue; // already gone before this epoch
                }

                forced.Add(candidate, _activeStart[e] + Mixer.Below(Mixer.Mix(hash), _epochEnd[e] - _epochStart[e]));
                break;
            }
        }

        return forced;
    }
}
