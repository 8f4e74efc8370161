using ServerlessSync.Core.Model;

namespace ServerlessSync.Core.Ports;

/// <summary>Where billing data comes from (the synthetic tenant, JSON Lines exports, Zuora).</summary>
public interface ISource
{
    /// <summary>A short name for logs and status, e.g. <c>synthetic</c>.</summary>
    string Name { get; }

    /// <summary>The objects this source can extract, in dependency order (parents first).</summary>
    IReadOnlyList<string> Objects { get; }

    /// <summary>The object's current columns. Throws <see cref="UnknownObjectException"/> for a name it lacks.</summary>
    ValueTask<ObjectSchema> DescribeAsync(string objectName, CancellationToken cancellationToken);

    /// <summary>
    /// Streams the rows whose <c>updateddate</c> lies in <paramref name="window"/>. A historical window yields
    /// live rows only; an incremental one yields deleted rows too, with <see cref="SourceRow.Deleted"/> set.
    /// Values follow <paramref name="schema"/>. Never buffers the whole object.
    /// </summary>
    IAsyncEnumerable<SourceRow> ReadAsync(ObjectSchema schema, SyncWindow window, CancellationToken cancellationToken);
}

public sealed class UnknownObjectException(string source, string objectName, IReadOnlyList<string> known)
    : Exception($"source '{source}' has no object '{objectName}'{Suggestion(objectName, known)}; it has: {string.Join(", ", known)}")
{
    public string ObjectName { get; } = objectName;

    /// <summary>Throws for the first of <paramref name="requested"/> that <paramref name="known"/> lacks.</summary>
    /// <param name="source">the source's name</param>
    /// <param name="requested">the objects asked for</param>
    /// <param name="known">the source's objects</param>
    public static void ThrowIfUnknown(string source, IEnumerable<string> requested, IReadOnlyList<string> known)
    {
        ArgumentNullException.ThrowIfNull(requested);
        ArgumentNullException.ThrowIfNull(known);
        if (requested.FirstOrDefault(o => !known.Contains(o, StringComparer.Ordinal)) is { } unknown)
        {
            throw new UnknownObjectException(source, unknown, known);
        }
    }

    /// <summary>", did you mean 'x'" for the known name nearest to a misspelling (at most a third of its letters off), else "".</summary>
    internal static string Suggestion(string objectName, IReadOnlyList<string> known)
    {
        var nearest = known
            .Select(k => (Name: k, Distance: EditDistance(objectName, k)))
            .Where(c => c.Distance <= Math.Max(1, objectName.Length / 3))
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        return nearest.Name is null ? "" : $" (did you mean '{nearest.Name}'?)";
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}

/// <summary>A source row that cannot be read: names the file or object, the line and the reason.</summary>
public sealed class SourceDataException(string message) : Exception(message);

/// <summary>
/// A run was asked to read a connector from another source than the one it syncs: its destination tables hold that
/// source's rows, and mixing two sources' rows in them would corrupt both.
/// </summary>
public sealed class ConnectorSourceMismatchException(string connectorId, string connectorSource, string requestedSource)
    : Exception($"connector '{connectorId}' syncs the '{connectorSource}' source, not '{requestedSource}': run it with its own source, or sync '{requestedSource}' as another connector")
{
    public string ConnectorSource { get; } = connectorSource;

    /// <summary>Throws when <paramref name="connector"/> (null before its first run) syncs another source than <paramref name="source"/>.</summary>
    public static void ThrowIfAnother(ConnectorState? connector, ISource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        ThrowIfAnother(connector, source.Name);
    }

    /// <summary>Throws when <paramref name="connector"/> (null before its first run) syncs another source than the one named <paramref name="sourceName"/>.</summary>
    public static void ThrowIfAnother(ConnectorState? connector, string sourceName)
    {
        if (connector is not null && connector.Source != sourceName)
        {
            throw new ConnectorSourceMismatchException(connector.ConnectorId, connector.Source, sourceName);
        }
    }
}
