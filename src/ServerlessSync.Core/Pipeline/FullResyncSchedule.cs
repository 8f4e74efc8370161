using System.Globalization;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Core.Pipeline;

/// <summary>
/// How often each object is read whole again (<see cref="SyncOptions.FullResyncEvery"/>), and the one text form of
/// that setting, shared by the command line (<c>--full-resync</c>) and the functions (<c>FULL_RESYNC</c>):
/// <c>OBJECT=DAYS[,OBJECT=DAYS…]</c>, where <c>*</c> as OBJECT stands for every object without its own entry and
/// DAYS is a number of days, fractions allowed (e.g. <c>0.5</c>), at least one hour's worth (<see cref="MinimumInterval"/>).
/// </summary>
public sealed class FullResyncSchedule
{
    /// <summary>The key that applies to every object without an entry of its own.</summary>
    public const string EveryObject = "*";

    /// <summary>Re-reading a whole object more often than this is a mistake, not a schedule.</summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromHours(1);

    private readonly IReadOnlyDictionary<string, TimeSpan> _every;

    private FullResyncSchedule(IReadOnlyDictionary<string, TimeSpan> every) => _every = every;

    /// <summary>
    /// Reads <c>OBJECT=DAYS[,OBJECT=DAYS…]</c>; blank text is no schedule (an empty dictionary). Object names are
    /// lower-cased, as the sources name objects.
    /// </summary>
    /// <exception cref="FormatException">A part is not <c>OBJECT=DAYS</c>, DAYS is not a positive number, or an object is named twice; the message quotes the part.</exception>
    public static IReadOnlyDictionary<string, TimeSpan> Parse(string? text)
    {
        var every = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
        {
            return every;
        }

        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? "" : part[..equals].Trim().ToLowerInvariant();
            if (name.Length == 0)
            {
                throw new FormatException($"full re-sync '{part}' is not OBJECT=DAYS (e.g. account=7, or *=30 for every object)");
            }

            var daysText = part[(equals + 1)..].Trim();
            if (!double.TryParse(daysText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var days) || days <= 0 || days > TimeSpan.MaxValue.TotalDays / 2)
            {
                throw new FormatException($"full re-sync '{part}': '{daysText}' is not a positive number of days");
            }

            if (TimeSpan.FromDays(days) < MinimumInterval)
            {
                throw new FormatException($"full re-sync '{part}': {daysText} days is shorter than the shortest interval, one hour ({MinimumInterval.TotalDays:0.####} days)");
            }

            if (name != EveryObject && !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
            {
                throw new FormatException($"full re-sync '{part}': '{name}' is not an object name (letters, digits and '_'), nor * for every object");
            }

            if (!every.TryAdd(name, TimeSpan.FromDays(days)))
            {
                throw new FormatException($"full re-sync '{part}': object {name} is named twice");
            }
        }

        return every;
    }

    /// <summary>The schedule for runs of <paramref name="source"/>; an object the source lacks throws <see cref="UnknownObjectException"/> naming it.</summary>
    public static FullResyncSchedule ForSource(IReadOnlyDictionary<string, TimeSpan>? every, ISource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        every ??= new Dictionary<string, TimeSpan>();
        var known = new HashSet<string>(source.Objects, StringComparer.Ordinal);
        if (every.Keys.FirstOrDefault(name => name != EveryObject && !known.Contains(name)) is { } unknown)
        {
            throw new UnknownObjectException(source.Name, unknown, source.Objects);
        }

        return new FullResyncSchedule(every);
    }

    /// <summary>How often <paramref name="objectName"/> is read whole again: its own entry, else <see cref="EveryObject"/>'s, else null (never).</summary>
    public TimeSpan? IntervalOf(string objectName) =>
        _every.TryGetValue(objectName, out var own) ? own : _every.TryGetValue(EveryObject, out var all) ? all : null;
}
